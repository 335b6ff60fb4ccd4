package search

import (
	"slices"
	"sync"
	"unicode/utf8"
)

// Typo tolerance looks for the dictionary words within a small edit
// distance of a query word: the optimal string alignment distance over
// runes (Levenshtein plus the transposition of two adjacent runes, each
// edit costing 1, wherever it is: a wrong, missing, extra or swapped first
// letter costs 1 like any other), the distance of a Levenshtein automaton
// with transpositions.
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
	row := l.row(k)
	lo, hi := max(k-l.dist, 0), min(k+l.dist, len(l.q)-1)
	for j := lo; j <= hi; j++ {
		if int(row[j]) <= l.dist {
			cs = addRune(cs, l.q[j])
		}
	}
	if k >= 1 {
		prev := l.row(k - 1)
		for j := max(k-1-l.dist, 0); j <= min(k-1+l.dist, len(l.q)-2); j++ {
			if l.chars[k] == l.q[j+1] && int(prev[j]) < l.dist {
				cs = addRune(cs, l.q[j])
			}
		}
	}
	l.cands[k] = cs
	return cs
}

// addRune adds c to the sorted, distinct runes of cs (a few).
func addRune(cs []rune, c rune) []rune {
	i := len(cs)
	for i > 0 && cs[i-1] > c {
		i--
	}
	if i > 0 && cs[i-1] == c {
		return cs
	}
	return slices.Insert(cs, i, c)
}

// distance returns the distance between the word and term, and whether it
// is within the limit.
func (l *levQuery) distance(term []byte) (int, bool) {
	if len(l.q) == 0 || len(term) == 0 {
		return 0, false
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

// walkFST calls fn with each key of the dictionary within the distance and
// its value, until fn returns false. It reports false if the FST turned
// out malformed.
//
// An edit of the first rune costing 1 like any other, the walk cannot stay
// under the query's first rune: at distance 2, any two runes may start a
// word within it (two substitutions, say), and the dictionary's two-rune
// prefixes are tens of thousands where CJK bigrams are indexed. But words
// that short are never within the distance of a query word of 5 runes or
// more, and only the prefixes that go on matter: the walk starts from the
// dictionary's two-rune prefixes that are not leaves (listed once per
// dictionary, fstPrefixes), a few thousand, after checking their runes
// against the query.
func (l *levQuery) walkFST(r *fstReader, fn func(key []byte, dist int, val uint64) bool) bool {
	if len(l.q) == 0 {
		return true
	}
	l.length = -1
	l.key = l.key[:0]
	budget := r.budget()
	if len(l.q)-l.dist > 2 && r.pre != nil {
		if pre, ok := r.pre.get(r); ok {
			return l.walkFrom(r, pre, &budget, fn)
		}
	}
	_, ok := l.walk(r, r.root, 0, 0, 0, &budget, fn)
	return ok
}

// walkFrom is walkFST starting from the listed prefixes (for words longer
// than 2 runes plus the distance: no word of 2 runes or fewer is within
// it). Where a prefix leaves only a few runes to follow (tight), those
// that no transition of its state starts with are not followed: most
// two-rune prefixes end there without a state being decoded.
func (l *levQuery) walkFrom(r *fstReader, pre *fstPrefixes, budget *int, fn func(key []byte, dist int, val uint64) bool) bool {
	for i := range pre.first {
		x := &pre.first[i]
		if x.lo == x.hi {
			continue // every word starting with x has at most 2 runes
		}
		if *budget -= int(x.hi - x.lo); *budget < 0 {
			return false
		}
		if !l.push(1, x.r) {
			continue
		}
		var only []rune // the runes that may follow x, when tight
		if int(l.mins[1]) >= l.dist {
			only = l.candidates(1)
		}
		for j := x.lo; j < x.hi; j++ {
			y := &pre.second[j]
			if only != nil && !slices.Contains(only, y.r) || !l.push(2, y.r) {
				continue
			}
			if int(l.mins[2]) >= l.dist && !startsAny(l.candidates(2), y.next) {
				continue
			}
			l.key = append(l.key[:0], pre.keys[y.key0:y.key1]...)
			done, ok := l.walk(r, y.addr, y.out, 2, y.r, budget, fn)
			if !ok || done {
				return ok
			}
		}
	}
	return true
}

// startsAny reports whether the first byte of some rune of cs may start a
// transition of a state whose transitions' first bytes are in next (bit b
// mod 64 for byte b).
func startsAny(cs []rune, next uint64) bool {
	var b [utf8.UTFMax]byte
	for _, c := range cs {
		utf8.EncodeRune(b[:], c)
		if next&(1<<(b[0]&63)) != 0 {
			return true
		}
	}
	return false
}

// fstPrefixes lists a dictionary's prefixes of one rune and those of two
// runes that some longer key extends, in key order, with their states
// (runes split as walk splits them: an invalid byte sequence is one
// RuneError).
type fstPrefixes struct {
	once   sync.Once
	ok     bool // false: the FST is malformed
	first  []fstPrefix
	second []fstPrefix // those extending first[i] are second[first[i].lo:first[i].hi]
	keys   []byte
}

type fstPrefix struct {
	r          rune
	addr       int
	out        uint64
	key0, key1 int32  // the prefix is keys[key0:key1]
	lo, hi     int32  // first: its extensions in second
	next       uint64 // second: bit b mod 64 set for each input byte b of the state's transitions
}

// get builds the lists on first use.
func (p *fstPrefixes) get(r *fstReader) (*fstPrefixes, bool) {
	p.once.Do(func() { p.ok = p.build(r) })
	return p, p.ok
}

func (p *fstPrefixes) build(r *fstReader) bool {
	budget := r.budget()
	return eachRune(r, r.root, 0, nil, 0, &budget, func(c rune, addr int, out uint64, key []byte) bool {
		x := fstPrefix{r: c, addr: addr, out: out, lo: int32(len(p.second))}
		ok := eachRune(r, addr, out, key, len(key), &budget, func(c2 rune, addr2 int, out2 uint64, key2 []byte) bool {
			var nd fstNode
			if !r.node(addr2, &nd) {
				return false
			}
			if nd.n == 0 {
				return true // a leaf
			}
			var next uint64
			for i := range nd.n {
				in, _, _, ok := nd.child(r.data, i, addr2)
				if !ok {
					return false
				}
				next |= 1 << (in & 63)
			}
			key0 := len(p.keys)
			p.keys = append(p.keys, key2...)
			p.second = append(p.second, fstPrefix{r: c2, addr: addr2, out: out2, key0: int32(key0), key1: int32(len(p.keys)), next: next})
			return true
		})
		x.hi = int32(len(p.second))
		p.first = append(p.first, x)
		return ok
	})
}

// eachRune calls fn, in order, for each rune leaving the state at addr
// (reached by key, with output out; the rune being read starts at
// key[start]), with the state and output after it and the key extended by
// its bytes. It reports false when the FST is malformed or fn returned
// false.
func eachRune(r *fstReader, addr int, out uint64, key []byte, start int, budget *int, fn func(c rune, addr int, out uint64, key []byte) bool) bool {
	var nd fstNode
	if *budget--; *budget < 0 || !r.node(addr, &nd) {
		return false
	}
	for i := range nd.n {
		in, target, o, ok := nd.child(r.data, i, addr)
		if !ok {
			return false
		}
		k := append(key, in)
		pending := k[start:]
		if !utf8.FullRune(pending) {
			if !eachRune(r, target, out+o, k, start, budget, fn) {
				return false
			}
			continue
		}
		c, size := utf8.DecodeRune(pending)
		if size != len(pending) {
			c = utf8.RuneError // an invalid sequence counts as one rune
		}
		if !fn(c, target, out+o, k) {
			return false
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
		if k > 0 && (k >= maxDepth || addr == fstEmptyAddr && k+l.dist < m || !l.push(k, r)) {
			// Too deep, a word too short to be within the distance that
			// nothing extends (most of the dictionary's leaves, CJK
			// bigrams among them, ruled out without computing a row), or
			// nothing below can be within it.
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
