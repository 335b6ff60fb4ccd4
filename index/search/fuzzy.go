package search

import (
	"slices"
	"unicode/utf8"
)

// Typo tolerance looks for the dictionary words within a small edit
// distance of a query word: the optimal string alignment distance over
// runes (Levenshtein plus the transposition of two adjacent runes, each
// edit costing 1), the distance of a Levenshtein automaton with
// transpositions, plus one when the first runes differ. People rarely
// mistype the first letter (Meilisearch counts a typo there twice too), and
// the rule confines a one-edit search to the query's first letter and a
// two-edit search outside it to one edit, which is most of the speed.
//
// Building such an automaton (vellum's Levenshtein DFA) costs about as
// much as using it, and vellum's FST iterator decodes states through
// interfaces. Instead the search walks the dictionary's FST itself
// (fstReader) depth first, keeping one dynamic-programming row per rune of
// the current path: a path is abandoned as soon as no extension of it can
// be within the distance, and where only a few runes can keep it within
// (every cell of the row is at the distance), only those transitions are
// followed. The work is the number of states the automaton would visit, at
// a few nanoseconds each, and nothing is built per segment.

// levQuery finds the words within dist edits of a word. Not safe for
// concurrent use.
type levQuery struct {
	q    []rune
	dist int
	// The dynamic-programming rows of the current path: row k (k runes
	// into the candidate) holds, for j = 0..len(q), the distance between
	// the candidate's first k runes and q's first j runes, capped at
	// dist+1; mins[k] is the row's minimum.
	rows  []uint8
	mins  []uint8
	chars []rune // chars[k]: the candidate's k-th rune (1-based)
	// length is the candidate's length in runes when known (distance),
	// else -1.
	length int
	outer  *levQuery // dist-1, for distance: words not starting with the query's first rune
	// Walk scratch: candidate runes per depth, the stack, a key.
	cands [][]rune
	stack []levFrame
	key   []byte
}

func newLevQuery(word string, dist int) *levQuery {
	q := []rune(word)
	m := len(q)
	// Rows deeper than m+dist+1 are never needed: the row at depth
	// m+dist+1 is entirely over dist.
	depth := m + dist + 2
	l := &levQuery{q: q, dist: dist, rows: make([]uint8, depth*(m+1)), mins: make([]uint8, depth),
		chars: make([]rune, depth), length: -1}
	// Cells with |k-j| > dist are over the distance whatever the runes:
	// push only computes the band of the others, so the rest keep this.
	for i := range l.rows {
		l.rows[i] = uint8(dist + 1)
	}
	for j := 0; j <= min(m, dist); j++ {
		l.rows[j] = uint8(j)
	}
	if dist >= 2 {
		l.outer = newLevQuery(word, dist-1)
	}
	return l
}

func (l *levQuery) row(k int) []uint8 {
	w := len(l.q) + 1
	return l.rows[k*w : (k+1)*w]
}

// push computes row k from rows k-1 and k-2 for the candidate's k-th rune
// r and reports whether some extension of the candidate can still be
// within the distance: some j whose distance, plus the difference between
// the lengths left in the candidate (when known) and in the query, is
// within it. Only the band |k-j| <= dist is computed.
func (l *levQuery) push(k int, r rune) bool {
	l.chars[k] = r
	m, d := len(l.q), l.dist
	w := m + 1
	prev, cur := l.rows[(k-1)*w:k*w], l.rows[k*w:(k+1)*w]
	var prev2 []uint8
	if k > 1 {
		prev2 = l.rows[(k-2)*w : (k-1)*w]
	}
	limit := uint8(d + 1)
	best := limit
	alive := false
	// shift is (len left in the candidate) - (len left in the query) at
	// j = 0; it grows by one with j.
	shift := (l.length - k) - m
	lo, hi := max(k-d, 0), min(k+d, m)
	j := lo
	if j == 0 {
		cur[0] = uint8(min(k, d+1))
		j = 1
	}
	var before rune
	if k > 1 {
		before = l.chars[k-1]
	}
	for ; j <= hi; j++ {
		v := prev[j-1]
		if l.q[j-1] != r {
			v++
		}
		v = min(v, prev[j]+1, cur[j-1]+1)
		if prev2 != nil && j > 1 && r == l.q[j-2] && before == l.q[j-1] {
			v = min(v, prev2[j-2]+1)
		}
		cur[j] = min(v, limit)
	}
	for j := lo; j <= hi; j++ {
		v := cur[j]
		best = min(best, v)
		if l.length < 0 {
			alive = alive || v < limit
		} else {
			left := shift + j
			if left < 0 {
				left = -left
			}
			alive = alive || int(v)+left <= d
		}
	}
	l.mins[k] = best
	return alive
}

// candidates returns, in order, the runes that can extend the candidate's
// first k runes within the distance when no cell of row k is below the
// distance (mins[k] == dist): only a rune matching the query's next rune
// after a cell at the distance, or completing a transposition, keeps a cell
// within it.
func (l *levQuery) candidates(k int) []rune {
	for len(l.cands) <= k {
		l.cands = append(l.cands, nil)
	}
	cs := l.cands[k][:0]
	// add keeps cs sorted and distinct (it holds a few runes).
	add := func(c rune) {
		i := len(cs)
		for i > 0 && cs[i-1] > c {
			i--
		}
		if i > 0 && cs[i-1] == c {
			return
		}
		cs = slices.Insert(cs, i, c)
	}
	row := l.row(k)
	lo, hi := max(k-l.dist, 0), min(k+l.dist, len(l.q)-1)
	for j := lo; j <= hi; j++ {
		if int(row[j]) <= l.dist {
			add(l.q[j])
		}
	}
	if k >= 1 {
		prev := l.row(k - 1)
		for j := max(k-1-l.dist, 0); j <= min(k-1+l.dist, len(l.q)-2); j++ {
			if l.chars[k] == l.q[j+1] && int(prev[j]) < l.dist {
				add(l.q[j])
			}
		}
	}
	l.cands[k] = cs
	return cs
}

// distance returns the distance between the word and term (with the
// first-rune rule), and whether it is within the limit.
func (l *levQuery) distance(term []byte) (int, bool) {
	if len(l.q) == 0 || len(term) == 0 {
		return 0, false
	}
	if r, _ := utf8.DecodeRune(term); r != l.q[0] {
		if l.outer == nil {
			return 0, false
		}
		d, ok := l.outer.osa(term)
		return d + 1, ok
	}
	return l.osa(term)
}

// osa returns the optimal string alignment distance between the word and
// term, and whether it is within the limit.
func (l *levQuery) osa(term []byte) (int, bool) {
	n := utf8.RuneCount(term)
	if n > len(l.q)+l.dist || n < len(l.q)-l.dist {
		return 0, false
	}
	l.length = n
	k := 0
	for off := 0; off < len(term); {
		r, size := utf8.DecodeRune(term[off:])
		off += size
		k++
		if !l.push(k, r) {
			return 0, false
		}
	}
	d := int(l.row(k)[len(l.q)])
	return d, d <= l.dist
}

// levFrame is a state of the dictionary being enumerated by walk.
type levFrame struct {
	addr    int
	nd      fstNode
	next    int    // next transition, or next candidate when tight
	out     uint64 // output accumulated up to this state
	keyLen  int
	depth   int  // runes complete
	partial int  // bytes of an incomplete rune at the key's end
	tight   bool // only the candidates of depth may follow
}

// walkFST calls fn with each key of the dictionary within the distance
// (with the first-rune rule) and its value, until fn returns false: the
// words starting with the query's first rune within the distance, then the
// others within one less. It reports false if the FST turned out
// malformed.
func (l *levQuery) walkFST(r *fstReader, fn func(key []byte, dist int, val uint64) bool) bool {
	if len(l.q) == 0 {
		return true
	}
	l.length = -1
	first := utf8.AppendRune(nil, l.q[0])
	var nd fstNode
	addr, out := r.root, uint64(0)
	found := true
	for _, c := range first {
		if !r.node(addr, &nd) {
			return false
		}
		next, o, ok := nd.find(r.data, c, addr)
		if !ok {
			found = false
			break
		}
		addr, out = next, out+o
	}
	budget := r.budget()
	if found {
		l.key = append(l.key[:0], first...)
		done, ok := l.walk(r, addr, out, 1, l.q[0], &budget, fn)
		if !ok || done {
			return ok
		}
	}
	if l.dist < 2 {
		return true
	}
	return l.firstRuneEdits(r, &budget, fn)
}

// firstRuneEdits reports, at distance 2, the words not starting with the
// query's first rune within one edit of it (typo tolerance allows at most
// 2): the edit is then at the first rune, so they are the query without
// it, with its first two runes swapped, or with another rune in its place
// or before it. The last two take one probe per first rune of the
// dictionary, where walking the automaton would take a row and a state
// each.
func (l *levQuery) firstRuneEdits(r *fstReader, budget *int, fn func(key []byte, dist int, val uint64) bool) bool {
	q := l.q
	report := func(key []byte) (cont, ok bool) {
		val, found, bad := r.lookup(key)
		if bad {
			return false, false
		}
		return !found || fn(key, 2, val), true
	}
	if len(q) >= 2 && q[1] != q[0] {
		for _, key := range [][]rune{q[1:], append([]rune{q[1], q[0]}, q[2:]...)} {
			if cont, ok := report([]byte(string(key))); !ok || !cont {
				return ok
			}
		}
	}
	rest, whole := []byte(string(q[1:])), []byte(string(q))
	var nd, xnd fstNode
	// probe reports x+tail when the state at addr (reached by x, with
	// output out, decoded in xnd) leads to it.
	probe := func(addr int, out uint64, x, tail []byte) (cont, ok bool) {
		cur := &xnd
		for i, c := range tail {
			if i > 0 {
				if *budget--; *budget < 0 || !r.node(addr, &nd) {
					return false, false
				}
				cur = &nd
			}
			next, o, found := cur.find(r.data, c, addr)
			if !found {
				return true, true
			}
			addr, out = next, out+o
		}
		if len(tail) > 0 {
			if !r.node(addr, &nd) {
				return false, false
			}
			cur = &nd
		}
		if cur.final {
			l.key = append(append(l.key[:0], x...), tail...)
			return fn(l.key, 2, out+cur.finalOut), true
		}
		return true, true
	}
	// Enumerate the first runes: states reached by the bytes of a rune.
	type partial struct {
		addr int
		nd   fstNode
		next int
		out  uint64
		n    int // bytes so far
	}
	var x [utf8.UTFMax]byte
	stack := []partial{{addr: r.root}}
	if !r.node(r.root, &stack[0].nd) {
		return false
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next >= f.nd.n {
			stack = stack[:len(stack)-1]
			continue
		}
		in, target, o, ok := f.nd.child(r.data, f.next, f.addr)
		f.next++
		if *budget--; !ok || *budget < 0 {
			return false
		}
		x[f.n] = in
		n := f.n + 1
		if !utf8.FullRune(x[:n]) {
			p := partial{addr: target, out: f.out + o, n: n}
			if !r.node(target, &p.nd) {
				return false
			}
			stack = append(stack, p)
			continue
		}
		if c, size := utf8.DecodeRune(x[:n]); c == q[0] && size == n {
			continue
		}
		if !r.node(target, &xnd) {
			return false
		}
		for _, tail := range [][]byte{rest, whole} {
			if cont, ok := probe(target, f.out+o, x[:n], tail); !ok || !cont {
				return ok
			}
		}
	}
	return true
}

// walk enumerates the subtree of the state at addr, reached by l.key (depth
// runes, the last one r; depth 0 for the root) with output out. done
// reports that fn asked to stop, ok false a malformed FST.
func (l *levQuery) walk(rd *fstReader, addr int, out uint64, depth int, r rune, budget *int, fn func(key []byte, dist int, val uint64) bool) (done, ok bool) {
	m := len(l.q)
	maxDepth := m + l.dist + 1
	l.stack = l.stack[:0]
	// enter visits the state reached by completing rune r at depth k:
	// reports its key if it is within the distance and stacks it if its
	// subtree may hold more. It returns false when fn asked to stop.
	enter := func(addr int, out uint64, k int, r rune) (cont, ok bool) {
		if *budget--; *budget < 0 {
			return false, false
		}
		if k > 0 && (k >= maxDepth || !l.push(k, r)) {
			return true, true
		}
		f := levFrame{addr: addr, out: out, keyLen: len(l.key), depth: k}
		if !rd.node(addr, &f.nd) {
			return false, false
		}
		if f.nd.final && k > 0 && int(l.row(k)[m]) <= l.dist && !fn(l.key, int(l.row(k)[m]), out+f.nd.finalOut) {
			return false, true
		}
		if f.nd.n == 0 {
			return true, true
		}
		if k > 0 && int(l.mins[k]) >= l.dist {
			f.tight = true
			if len(l.candidates(k)) == 0 {
				return true, true
			}
		}
		l.stack = append(l.stack, f)
		return true, true
	}
	if cont, ok := enter(addr, out, depth, r); !ok || !cont {
		return !cont && ok, ok
	}
	var scratch fstNode
	for len(l.stack) > 0 {
		f := &l.stack[len(l.stack)-1]
		if f.tight {
			cs := l.cands[f.depth]
			if f.next >= len(cs) {
				l.stack = l.stack[:len(l.stack)-1]
				continue
			}
			c := cs[f.next]
			f.next++
			// Follow c's bytes.
			l.key = utf8.AppendRune(l.key[:f.keyLen], c)
			a, o, nd := f.addr, f.out, &f.nd
			found := true
			for i := f.keyLen; i < len(l.key); i++ {
				if i > f.keyLen {
					if !rd.node(a, &scratch) {
						return false, false
					}
					nd = &scratch
				}
				next, x, ok := nd.find(rd.data, l.key[i], a)
				if !ok {
					found = false
					break
				}
				a, o = next, o+x
			}
			if !found {
				continue
			}
			if cont, ok := enter(a, o, f.depth+1, c); !ok || !cont {
				return !cont && ok, ok
			}
			continue
		}
		if f.next >= f.nd.n {
			l.stack = l.stack[:len(l.stack)-1]
			continue
		}
		in, target, o, ok := f.nd.child(rd.data, f.next, f.addr)
		f.next++
		if !ok {
			return false, false
		}
		l.key = append(l.key[:f.keyLen], in)
		pending := l.key[len(l.key)-f.partial-1:]
		if !utf8.FullRune(pending) {
			// Inside a multi-byte rune: enumerate its next bytes.
			if *budget--; *budget < 0 {
				return false, false
			}
			p := levFrame{addr: target, out: f.out + o, keyLen: len(l.key), depth: f.depth, partial: f.partial + 1}
			if !rd.node(target, &p.nd) {
				return false, false
			}
			if p.nd.n > 0 {
				l.stack = append(l.stack, p)
			}
			continue
		}
		c, size := utf8.DecodeRune(pending)
		if size != len(pending) {
			c = utf8.RuneError // an invalid sequence counts as one rune
		}
		if cont, ok := enter(target, f.out+o, f.depth+1, c); !ok || !cont {
			return !cont && ok, ok
		}
	}
	return false, true
}
