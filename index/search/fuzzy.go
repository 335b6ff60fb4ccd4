package search

import (
	"bytes"
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
// Building such an automaton (vellum's Levenshtein DFA) and intersecting it
// with a segment's FST costs milliseconds per word on a large dictionary,
// most of it in decoding FST nodes. Instead, each segment keeps (lazily,
// from the first typo query on) its text terms as one sorted table, and the
// search walks that table as an implicit trie: terms sharing a prefix with
// the previous one reuse its dynamic-programming rows, and as soon as a
// prefix can no longer be within the distance of any extension, every term
// with that prefix is skipped at once (galloping search). The work is the
// number of trie nodes the automaton would visit, at a few nanoseconds per
// node.

// termTable is a sorted list of distinct terms in one allocation.
type termTable struct {
	blob []byte
	ends []uint32 // term i is blob[ends[i-1]:ends[i]] (ends[-1] = 0)
}

func (t *termTable) len() int { return len(t.ends) }

func (t *termTable) term(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.blob[start:t.ends[i]]
}

// add appends a term, which must sort after the previous one.
func (t *termTable) add(term []byte) {
	t.blob = append(t.blob, term...)
	t.ends = append(t.ends, uint32(len(t.blob)))
}

// afterPrefix returns the first index >= from whose term does not start
// with prefix, given that the terms from from on that do are contiguous
// (the table is sorted and term from-1 has the prefix).
func (t *termTable) afterPrefix(from int, prefix []byte) int {
	n := t.len()
	lo, step := from, 1
	hi := from
	for hi < n && bytes.HasPrefix(t.term(hi), prefix) {
		lo = hi + 1
		hi += step
		step *= 2
	}
	hi = min(hi, n)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.HasPrefix(t.term(mid), prefix) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// maxLenBucket is the rune length from which terms share one table
// (typo tolerance never asks for words that long, see typoDistance).
const maxLenBucket = 40

// termsByLength holds a dictionary's terms in one sorted table per rune
// length: typo tolerance only reads the lengths within the distance, and
// knowing the length prunes the walk much earlier.
type termsByLength struct {
	tables [maxLenBucket + 1]termTable // tables[n]: the terms of n runes; [maxLenBucket]: longer
}

// add appends a term, which must sort after the previous one.
func (t *termsByLength) add(term []byte) {
	t.tables[min(utf8.RuneCount(term), maxLenBucket)].add(term)
}

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
	offs  []int  // offs[k]: byte offset in the candidate after k runes
	// length is the candidate's length in runes when known, else -1.
	length int
	seek   []byte    // scratch for building seek keys
	outer  *levQuery // dist-1, for words not starting with the query's first rune
}

func newLevQuery(word string, dist int) *levQuery {
	q := []rune(word)
	m := len(q)
	// Rows deeper than m+dist+1 are never needed: the row at depth
	// m+dist+1 is entirely over dist.
	depth := m + dist + 2
	l := &levQuery{q: q, dist: dist, rows: make([]uint8, depth*(m+1)), mins: make([]uint8, depth),
		chars: make([]rune, depth), offs: make([]int, depth), length: -1}
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

// nextChild returns the smallest rune above after that can extend the
// candidate's first k runes within the distance, when no cell of row k is
// below the distance (mins[k] == dist): then only a rune matching the
// query's next rune after a cell at the distance, or completing a
// transposition, keeps a cell within it.
func (l *levQuery) nextChild(k int, after rune) (rune, bool) {
	row := l.row(k)
	best, found := rune(0), false
	consider := func(c rune) {
		if c > after && (!found || c < best) {
			best, found = c, true
		}
	}
	for j := 1; j <= len(l.q); j++ {
		if int(row[j-1]) <= l.dist {
			consider(l.q[j-1])
		}
		if k >= 1 && j >= 2 && l.chars[k] == l.q[j-1] && int(l.row(k - 1)[j-2]) < l.dist {
			consider(l.q[j-2])
		}
	}
	return best, found
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

// walkAll calls fn with each term within the distance (with the first-rune
// rule), until fn returns false: the words starting with the query's first
// rune within the distance, then the others within one less, in each table
// of a length within the distance.
func (l *levQuery) walkAll(t *termsByLength, fn func(term []byte, dist int) bool) {
	if len(l.q) == 0 {
		return
	}
	first := utf8.AppendRune(nil, l.q[0])
	plusOne := func(term []byte, d int) bool { return fn(term, d+1) }
	lo, hi := max(len(l.q)-l.dist, 0), len(l.q)+l.dist
	for n := lo; n <= min(hi, maxLenBucket); n++ {
		tab := &t.tables[n]
		from := tab.lowerBound(0, first)
		to := tab.afterPrefix(from, first)
		if !l.walk(tab, n, from, to, fn) {
			return
		}
		if l.outer != nil && (!l.outer.walk(tab, n, 0, from, plusOne) || !l.outer.walk(tab, n, to, tab.len(), plusOne)) {
			return
		}
	}
}

// walk calls fn, in order, with each term of the table's range [from, to)
// within the distance, until fn returns false (then it returns false).
// length is the terms' length in runes, or maxLenBucket when unknown.
func (l *levQuery) walk(t *termTable, length, from, to int, fn func(term []byte, dist int) bool) bool {
	l.length = length
	if length >= maxLenBucket {
		l.length = -1
	}
	maxDepth := len(l.q) + l.dist + 1
	depth := 0 // rows 0..depth are those of prev's first depth runes
	var prev []byte
	for i := from; i < to; {
		term := t.term(i)
		shared := commonPrefix(term, prev)
		for depth > 0 && l.offs[depth] > shared {
			depth--
		}
		off := l.offs[depth]
		alive := true
		var r rune
		for off < len(term) {
			var size int
			r, size = utf8.DecodeRune(term[off:])
			off += size
			depth++
			l.offs[depth] = off
			if depth >= maxDepth || !l.push(depth, r) {
				alive = false
				break
			}
		}
		prev = term
		if alive {
			if d := int(l.row(depth)[len(l.q)]); d <= l.dist && (l.length < 0 || depth == l.length) && !fn(term, d) {
				return false
			}
			i++
			continue
		}
		// No term with this prefix is within the distance. When its
		// parent is tight, jump to the parent's next child that may be.
		depth--
		parent := term[:l.offs[depth]]
		switch c, ok := l.nextChild(depth, r); {
		case depth == 0 || l.mins[depth] < uint8(l.dist):
			i = t.afterPrefix(i+1, term[:off])
		case ok:
			l.seek = utf8.AppendRune(append(l.seek[:0], parent...), c)
			i = t.lowerBound(i+1, l.seek)
		default:
			i = t.afterPrefix(i+1, parent)
		}
	}
	return true
}

// lowerBound returns the first index >= from whose term is >= key, given
// that term from-1 is below key.
func (t *termTable) lowerBound(from int, key []byte) int {
	n := t.len()
	lo, hi, step := from, from, 1
	for hi < n && bytes.Compare(t.term(hi), key) < 0 {
		lo = hi + 1
		hi += step
		step *= 2
	}
	hi = min(hi, n)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.Compare(t.term(mid), key) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
