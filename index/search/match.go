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

// docsCount is the list's document count.
func (c *textCursor) docsCount() uint32 { return c.df }

// phraseMatcher matches docs where the words occur at their offsets in one
// field; its frequency per field is the number of occurrences. Matching
// only needs one occurrence: the occurrences are counted when the score is
// asked for, which collect does only for docs whose bound (each field's
// frequency is at most its rarest word's) may enter the top k.
type phraseMatcher struct {
	cur     []textCursor
	offs    []int
	order   []int // cursors by increasing document frequency: order[0] leads
	mask    uint8
	idf     float64
	sc      *fieldScorer
	d       uint32
	counted bool // tf holds the current doc's frequencies
	tf      [numTextFields]float64
	// Scratch of occurrences: a position stream per word, its current
	// position and whether it has one.
	its  []posIter
	at   []uint32
	have []bool
}

func newPhraseMatcher(cur []textCursor, offs []int, mask uint8, idf float64, sc *fieldScorer) *phraseMatcher {
	m := &phraseMatcher{cur: cur, offs: offs, mask: mask, idf: idf, sc: sc, order: make([]int, len(cur)),
		its: make([]posIter, len(cur)), at: make([]uint32, len(cur)), have: make([]bool, len(cur))}
	for i := range m.order {
		m.order[i] = i
	}
	sort.SliceStable(m.order, func(i, j int) bool { return cur[m.order[i]].df < cur[m.order[j]].df })
	m.d = m.settle(m.lead().doc)
	return m
}

func (m *phraseMatcher) lead() *textCursor { return &m.cur[m.order[0]] }

func (m *phraseMatcher) doc() uint32 { return m.d }
func (m *phraseMatcher) cost() int   { return int(m.lead().docsHint()) }

// settle finds the first doc >= d holding every word, in order, at the
// right offsets.
func (m *phraseMatcher) settle(d uint32) uint32 {
	for d != noDoc {
		again := false
		for _, i := range m.order {
			if x := m.cur[i].advance(d); x > d {
				d, again = x, true
				break
			}
		}
		if again {
			continue
		}
		if m.match(false) {
			return d
		}
		d = m.lead().next()
	}
	return noDoc
}

// match reports whether the phrase occurs in the doc all cursors are on,
// and with all set counts its occurrences per field into tf.
func (m *phraseMatcher) match(all bool) bool {
	found := false
	common := m.mask
	for i := range m.cur {
		common &= m.cur[i].mask
	}
	m.tf = [numTextFields]float64{}
	for common != 0 {
		f := bits.TrailingZeros8(common)
		common &= common - 1
		if n := m.occurrences(f, all); n > 0 {
			m.tf[f] = float64(n)
			found = true
			if !all {
				break
			}
		}
	}
	m.counted = all
	return found
}

// occurrences counts (or, unless all, finds one of) the positions p of the
// first word in field f where every word i is at p+offs[i]. It walks the
// positions of the word that occurs least in the field and merges the
// others' position streams against them: a match found early leaves the
// rest unread.
func (m *phraseMatcher) occurrences(f int, all bool) int {
	pivot := 0
	for i := range m.cur {
		m.its[i] = m.cur[i].posIter(f)
		m.have[i] = false
		if m.cur[i].tf[f] < m.cur[pivot].tf[f] {
			pivot = i
		}
	}
	lead := uint32(m.offs[pivot])
	n := 0
	for {
		pp, ok := m.its[pivot].next()
		if !ok {
			return n
		}
		if pp < lead {
			continue
		}
		start := pp - lead
		match := true
		for i := 0; i < len(m.its) && match; i++ {
			if i == pivot {
				continue
			}
			want := start + uint32(m.offs[i])
			for !m.have[i] || m.at[i] < want {
				p, ok := m.its[i].next()
				if !ok {
					return n // no later start can match either
				}
				m.at[i], m.have[i] = p, true
			}
			match = m.at[i] == want
		}
		if match {
			if n++; !all {
				return n
			}
		}
	}
}

func (m *phraseMatcher) next() uint32 {
	if m.d == noDoc {
		return noDoc
	}
	m.d = m.settle(m.lead().next())
	return m.d
}

func (m *phraseMatcher) advance(target uint32) uint32 {
	if m.d >= target {
		return m.d
	}
	m.d = m.settle(m.lead().advance(target))
	return m.d
}

func (m *phraseMatcher) score() float64 {
	if !m.counted {
		m.match(true)
	}
	return m.sc.saturate(m.idf, m.sc.tfNorm(m.d, &m.tf))
}

// bound scores the doc as if the phrase occurred, in each field, as often
// as its rarest word there.
func (m *phraseMatcher) bound() float64 {
	if m.counted {
		return m.score()
	}
	common := m.mask
	for i := range m.cur {
		common &= m.cur[i].mask
	}
	var tf [numTextFields]float64
	for ; common != 0; common &= common - 1 {
		f := bits.TrailingZeros8(common)
		least := m.cur[0].tf[f]
		for i := range m.cur {
			least = min(least, m.cur[i].tf[f])
		}
		tf[f] = float64(least)
	}
	return m.sc.saturate(m.idf, m.sc.tfNorm(m.d, &tf))
}

func (m *phraseMatcher) exact() bool { return true }

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
	tfn       []float64 // tf~ per doc
	has       []uint64  // docs with a match
	exactBits []uint64  // docs with an uncorrected match
	limit     uint32
	idf       float64
	sc        *fieldScorer
	d         uint32
	n         int
}

func (e *executor) newAccumMatcher(cur []termCursor, mask uint8, limit uint32, idf float64, sc *fieldScorer) *accumMatcher {
	m := &accumMatcher{tfn: e.floatBuf(int(limit)), has: e.bitset(limit), exactBits: e.bitset(limit), limit: limit, idf: idf, sc: sc}
	for i := range cur {
		tc := &cur[i]
		for c := &tc.c; c.doc != noDoc; c.next() {
			fm := c.mask & mask
			if fm == 0 || c.doc >= limit {
				continue
			}
			if setBit(m.has, c.doc) {
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

func (m *accumMatcher) from(d uint32) uint32 {
	b := bitsMatcher{bits: m.has, limit: m.limit}
	return b.from(d)
}

func (m *accumMatcher) doc() uint32 { return m.d }
func (m *accumMatcher) cost() int   { return m.n }

func (m *accumMatcher) next() uint32 {
	if m.d != noDoc {
		m.d = m.from(m.d + 1)
	}
	return m.d
}

func (m *accumMatcher) advance(target uint32) uint32 {
	if m.d < target {
		m.d = m.from(target)
	}
	return m.d
}

func (m *accumMatcher) score() float64 {
	return m.sc.saturate(m.idf, m.tfn[m.d])
}

func (m *accumMatcher) bound() float64 { return m.idf }

func (m *accumMatcher) exact() bool { return m.exactBits[m.d>>6]&(1<<(m.d&63)) != 0 }
