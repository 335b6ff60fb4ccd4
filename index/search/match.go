package search

import (
	"math/bits"
	"sort"
)

// matcher iterates, in increasing order, the docs of one unit that match a
// plan node. A new matcher is positioned on its first doc.
type matcher interface {
	doc() uint32
	next() uint32
	// advance moves to the first doc >= target (staying put if already
	// there) and returns it.
	advance(target uint32) uint32
	score() float64
	// bound is at least score(), computed more cheaply when possible.
	bound() float64
	// exact reports that the current doc matches without corrections.
	exact() bool
	// cost estimates how many docs the matcher yields.
	cost() int
}

// termMatcher is a scoring term over one or more posting lists (stem
// group, expansions, corrections), restricted to the fields of mask.
type termMatcher struct {
	cur  []termCursor
	mask uint8
	idf  float64
	sc   *fieldScorer
	d    uint32
	n    int
}

type termCursor struct {
	c         textCursor
	weight    float64
	corrected bool
	variant   int // see listRef
}

func newTermMatcher(cur []termCursor, mask uint8, idf float64, sc *fieldScorer) *termMatcher {
	m := &termMatcher{cur: cur, mask: mask, idf: idf, sc: sc}
	for i := range m.cur {
		m.fix(&m.cur[i].c)
		m.n += int(m.cur[i].c.docsHint())
	}
	m.d = m.min()
	return m
}

// fix skips entries that have the term only in fields outside the mask.
func (m *termMatcher) fix(c *textCursor) {
	for c.doc != noDoc && c.mask&m.mask == 0 {
		c.next()
	}
}

func (m *termMatcher) min() uint32 {
	d := uint32(noDoc)
	for i := range m.cur {
		d = min(d, m.cur[i].c.doc)
	}
	return d
}

func (m *termMatcher) doc() uint32 { return m.d }
func (m *termMatcher) cost() int   { return m.n }

func (m *termMatcher) next() uint32 {
	if m.d == noDoc {
		return noDoc
	}
	for i := range m.cur {
		c := &m.cur[i].c
		if c.doc == m.d {
			c.next()
			m.fix(c)
		}
	}
	m.d = m.min()
	return m.d
}

func (m *termMatcher) advance(target uint32) uint32 {
	if m.d >= target {
		return m.d
	}
	for i := range m.cur {
		c := &m.cur[i].c
		if c.doc < target {
			c.advance(target)
			m.fix(c)
		}
	}
	m.d = m.min()
	return m.d
}

// score adds up the current doc's tf~ list by list and field by field, in
// the order accumMatcher and collectTerm do, so all three agree exactly.
func (m *termMatcher) score() float64 {
	t := 0.0
	for i := range m.cur {
		tc := &m.cur[i]
		if tc.c.doc != m.d {
			continue
		}
		fm := tc.c.mask & m.mask
		for fm != 0 {
			f := bits.TrailingZeros8(fm)
			t += tc.weight * float64(tc.c.tf[f]) * m.sc.factorAt(m.d, f)
			fm &= fm - 1
		}
	}
	return m.sc.saturate(m.idf, t)
}

// bound: a term's score is below its idf (tf~/(k1+tf~) < 1).
func (m *termMatcher) bound() float64 { return m.idf }

func (m *termMatcher) exact() bool {
	for i := range m.cur {
		if m.cur[i].c.doc == m.d && !m.cur[i].corrected {
			return true
		}
	}
	return false
}

// docsHint is the list's document count, for cost estimates.
func (c *textCursor) docsHint() uint32 { return c.df }

// andMatcher matches docs every positive clause matches and no negative one.
type andMatcher struct {
	pos []matcher // cheapest first
	neg []matcher
	d   uint32
}

func newAndMatcher(pos, neg []matcher) *andMatcher {
	sort.SliceStable(pos, func(i, j int) bool { return pos[i].cost() < pos[j].cost() })
	a := &andMatcher{pos: pos, neg: neg}
	a.d = a.settle(pos[0].doc())
	return a
}

func (a *andMatcher) settle(d uint32) uint32 {
	for d != noDoc {
		again := false
		for _, m := range a.pos[1:] {
			if x := m.advance(d); x > d {
				d, again = a.pos[0].advance(x), true
				break
			}
		}
		if again {
			continue
		}
		excluded := false
		for _, m := range a.neg {
			if m.advance(d) == d {
				excluded = true
				break
			}
		}
		if !excluded {
			return d
		}
		d = a.pos[0].next()
	}
	return noDoc
}

func (a *andMatcher) doc() uint32 { return a.d }
func (a *andMatcher) cost() int   { return a.pos[0].cost() }

func (a *andMatcher) next() uint32 {
	if a.d == noDoc {
		return noDoc
	}
	a.d = a.settle(a.pos[0].next())
	return a.d
}

func (a *andMatcher) advance(target uint32) uint32 {
	if a.d >= target {
		return a.d
	}
	a.d = a.settle(a.pos[0].advance(target))
	return a.d
}

func (a *andMatcher) score() float64 {
	s := 0.0
	for _, m := range a.pos {
		s += m.score()
	}
	return s
}

func (a *andMatcher) bound() float64 {
	s := 0.0
	for _, m := range a.pos {
		s += m.bound()
	}
	return s
}

func (a *andMatcher) exact() bool {
	for _, m := range a.pos {
		if !m.exact() {
			return false
		}
	}
	return true
}

// orMatcher matches docs any clause matches.
type orMatcher struct {
	kids []matcher
	d    uint32
}

func newOrMatcher(kids []matcher) *orMatcher {
	o := &orMatcher{kids: kids}
	o.d = o.min()
	return o
}

func (o *orMatcher) min() uint32 {
	d := uint32(noDoc)
	for _, k := range o.kids {
		d = min(d, k.doc())
	}
	return d
}

func (o *orMatcher) doc() uint32 { return o.d }

func (o *orMatcher) cost() int {
	n := 0
	for _, k := range o.kids {
		n += k.cost()
	}
	return n
}

func (o *orMatcher) next() uint32 {
	if o.d == noDoc {
		return noDoc
	}
	for _, k := range o.kids {
		if k.doc() == o.d {
			k.next()
		}
	}
	o.d = o.min()
	return o.d
}

func (o *orMatcher) advance(target uint32) uint32 {
	if o.d >= target {
		return o.d
	}
	for _, k := range o.kids {
		if k.doc() < target {
			k.advance(target)
		}
	}
	o.d = o.min()
	return o.d
}

func (o *orMatcher) score() float64 {
	s := 0.0
	for _, k := range o.kids {
		if k.doc() == o.d {
			s += k.score()
		}
	}
	return s
}

func (o *orMatcher) bound() float64 {
	s := 0.0
	for _, k := range o.kids {
		if k.doc() == o.d {
			s += k.bound()
		}
	}
	return s
}

func (o *orMatcher) exact() bool {
	for _, k := range o.kids {
		if k.doc() == o.d && k.exact() {
			return true
		}
	}
	return false
}

// bitsMatcher yields the docs of a bitset (filters, all docs); it does not
// score.
type bitsMatcher struct {
	bits  []uint64
	limit uint32
	d     uint32
	n     int
}

func newBitsMatcher(bits []uint64, limit uint32, n int) *bitsMatcher {
	m := &bitsMatcher{bits: bits, limit: limit, n: n}
	m.d = m.from(0)
	return m
}

func (m *bitsMatcher) from(d uint32) uint32 {
	for d < m.limit {
		w := d >> 6
		word := m.bits[w] >> (d & 63)
		if word != 0 {
			d += uint32(bits.TrailingZeros64(word))
			if d < m.limit {
				return d
			}
			return noDoc
		}
		d = (w + 1) << 6
	}
	return noDoc
}

func (m *bitsMatcher) doc() uint32 { return m.d }
func (m *bitsMatcher) cost() int   { return m.n }

func (m *bitsMatcher) next() uint32 {
	if m.d != noDoc {
		m.d = m.from(m.d + 1)
	}
	return m.d
}

func (m *bitsMatcher) advance(target uint32) uint32 {
	if m.d < target {
		m.d = m.from(target)
	}
	return m.d
}

func (m *bitsMatcher) score() float64 { return 0 }
func (m *bitsMatcher) bound() float64 { return 0 }
func (m *bitsMatcher) exact() bool    { return true }

// allMatcher yields every doc below limit.
type allMatcher struct {
	limit uint32
	d     uint32
}

func newAllMatcher(limit uint32) *allMatcher {
	m := &allMatcher{limit: limit}
	if limit == 0 {
		m.d = noDoc
	}
	return m
}

func (m *allMatcher) doc() uint32 { return m.d }
func (m *allMatcher) cost() int   { return int(m.limit) }

func (m *allMatcher) next() uint32 { return m.advance(m.d + 1) }

func (m *allMatcher) advance(target uint32) uint32 {
	if m.d == noDoc || m.d >= target {
		return m.d
	}
	if target >= m.limit {
		m.d = noDoc
	} else {
		m.d = target
	}
	return m.d
}

func (m *allMatcher) score() float64 { return 0 }
func (m *allMatcher) bound() float64 { return 0 }
func (m *allMatcher) exact() bool    { return true }

// noneMatcher matches nothing.
type noneMatcher struct{}

func (noneMatcher) doc() uint32           { return noDoc }
func (noneMatcher) next() uint32          { return noDoc }
func (noneMatcher) advance(uint32) uint32 { return noDoc }
func (noneMatcher) score() float64        { return 0 }
func (noneMatcher) bound() float64        { return 0 }
func (noneMatcher) exact() bool           { return false }
func (noneMatcher) cost() int             { return 0 }

// manyCursors is the number of posting lists above which a term is
// evaluated term-at-a-time (accumulated into per-doc arrays) instead of
// merging cursors doc by doc, which costs a pass over every cursor per doc.
// Prefix expansions and corrections of common stems get there.
const manyCursors = 8

// accumMatcher is a termMatcher over many lists, precomputed: each list is
// walked once and its contribution to each doc's tf~ added into a dense
// per-doc array (tf~ is linear in the frequencies).
type accumMatcher struct {
	bitsMatcher           // docs with a match
	tfn         []float64 // tf~ per doc
	exactBits   []uint64  // docs with an uncorrected match
	idf         float64
	sc          *fieldScorer
}

func (e *executor) newAccumMatcher(cur []termCursor, mask uint8, limit uint32, idf float64, sc *fieldScorer) *accumMatcher {
	m := &accumMatcher{bitsMatcher: bitsMatcher{bits: e.bitset(limit), limit: limit}, tfn: e.floatBuf(int(limit)), exactBits: e.bitset(limit), idf: idf, sc: sc}
	for i := range cur {
		tc := &cur[i]
		for c := &tc.c; c.doc != noDoc; c.next() {
			fm := c.mask & mask
			if fm == 0 || c.doc >= limit {
				continue
			}
			if setBit(m.bits, c.doc) {
				m.n++
			}
			if !tc.corrected {
				setBit(m.exactBits, c.doc)
			}
			for fm != 0 {
				f := bits.TrailingZeros8(fm)
				m.tfn[c.doc] += tc.weight * float64(c.tf[f]) * sc.factorAt(c.doc, f)
				fm &= fm - 1
			}
		}
	}
	m.d = m.from(0)
	return m
}

func (m *accumMatcher) score() float64 {
	return m.sc.saturate(m.idf, m.tfn[m.d])
}

func (m *accumMatcher) bound() float64 { return m.idf }

func (m *accumMatcher) exact() bool { return m.exactBits[m.d>>6]&(1<<(m.d&63)) != 0 }
