package search

import (
	"math/bits"
	"sort"
)

// phraseMatcher matches docs where the words occur at their offsets in one
// field; its frequency per field is the number of occurrences.
//
// Every doc holding all the words is a candidate that must be verified
// (the hit count is exact), so verification is what a phrase query costs.
// Matching needs one occurrence, which in a doc holding the phrase comes
// early: the position streams are merged up to it and left there. Only
// when collect asks for the score (for docs whose bound, each field's
// frequency being at most its rarest word's, may enter the top k) does the
// merge go on from there to count the rest.
type phraseMatcher struct {
	cur   []textCursor
	offs  []int
	order []int // cursors by increasing document frequency: order[0] leads
	mask  uint8
	idf   float64
	sc    *fieldScorer
	d     uint32
	// The current doc's occurrences per field: counted, or (counted
	// false) those found so far, the merge stopped in field at after the
	// first.
	counted bool
	at      int
	tf      [numTextFields]float64
	// The merge of field at: a position stream per word, its current
	// position and whether it has one, the word walked (the one that
	// occurs least in the field) and the others, rarest first.
	its   []posIter
	pos   []uint32
	have  []bool
	pivot int
	rest  []int // the other words, rarest in the field first
}

func newPhraseMatcher(cur []textCursor, offs []int, mask uint8, idf float64, sc *fieldScorer) *phraseMatcher {
	m := &phraseMatcher{cur: cur, offs: offs, mask: mask, idf: idf, sc: sc, order: make([]int, len(cur)),
		its: make([]posIter, len(cur)), pos: make([]uint32, len(cur)), have: make([]bool, len(cur)),
		rest: make([]int, 0, len(cur))}
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
		for _, i := range m.order[1:] {
			if x := m.cur[i].advance(d); x > d {
				d, again = m.lead().advance(x), true
				break
			}
		}
		if again {
			continue
		}
		if m.find() {
			return d
		}
		d = m.lead().next()
	}
	return noDoc
}

// common is the fields every word of the current doc occurs in.
func (m *phraseMatcher) common() uint8 {
	c := m.mask
	for i := range m.cur {
		c &= m.cur[i].mask
	}
	return c
}

// find reports whether the phrase occurs in the doc all cursors are on,
// stopping at the first occurrence.
func (m *phraseMatcher) find() bool {
	m.tf = [numTextFields]float64{}
	m.counted = false
	for common := m.common(); common != 0; common &= common - 1 {
		f := bits.TrailingZeros8(common)
		m.start(f)
		if m.merge(false) > 0 {
			m.tf[f], m.at = 1, f
			return true
		}
	}
	return false
}

// count finishes counting the occurrences find stopped at.
func (m *phraseMatcher) count() {
	m.tf[m.at] += float64(m.merge(true))
	for common := m.common() &^ (1<<(m.at+1) - 1); common != 0; common &= common - 1 {
		f := bits.TrailingZeros8(common)
		m.start(f)
		m.tf[f] = float64(m.merge(true))
	}
	m.counted = true
}

// start sets up the merge of field f: it walks the positions of the word
// that occurs least there and merges the others' streams against them,
// rarer first (a start the rarer ones rule out leaves the commoner
// streams unread).
func (m *phraseMatcher) start(f int) {
	m.pivot = 0
	for i := range m.cur {
		m.cur[i].posIter(f, &m.its[i])
		m.have[i] = false
		if m.cur[i].tf[f] < m.cur[m.pivot].tf[f] {
			m.pivot = i
		}
	}
	m.rest = m.rest[:0]
	for i := range m.cur {
		if i == m.pivot {
			continue
		}
		k := len(m.rest)
		m.rest = append(m.rest, i)
		for k > 0 && m.cur[m.rest[k-1]].tf[f] > m.cur[i].tf[f] {
			m.rest[k] = m.rest[k-1]
			k--
		}
		m.rest[k] = i
	}
}

// merge counts the occurrences from where the merge stands (unless all,
// up to the first): the positions p of the first word where every word i
// is at p+offs[i].
func (m *phraseMatcher) merge(all bool) int {
	if len(m.its) == 2 {
		return m.merge2(all)
	}
	pivot := m.pivot
	lead := int64(m.offs[pivot])
	its := m.its
	n := 0
	for {
		pp, ok := its[pivot].next()
		if !ok {
			break
		}
		start := int64(pp) - lead
		match := true
		for _, i := range m.rest {
			want := start + int64(m.offs[i])
			at := int64(m.pos[i])
			if !m.have[i] || at < want {
				it := &its[i]
				for {
					p, ok := it.next()
					if !ok {
						m.noteBad()
						return n // no later start can match either
					}
					if int64(p) >= want {
						at = int64(p)
						break
					}
				}
				m.pos[i], m.have[i] = uint32(at), true
			}
			if at != want {
				match = false
				break
			}
		}
		if match {
			if n++; !all {
				return n
			}
		}
	}
	m.noteBad()
	return n
}

// merge2 is merge for two words (most phrases), merging the decoded
// blocks of both streams in one loop.
func (m *phraseMatcher) merge2(all bool) int {
	a, b := &m.its[0], &m.its[1]
	gap := int64(m.offs[1]) - int64(m.offs[0])
	n := 0
	for {
		if a.i == a.n && !a.fill() || b.i == b.n && !b.fill() {
			break
		}
		x, y := int64(a.buf[a.i&(posBlock-1)])+gap, int64(b.buf[b.i&(posBlock-1)])
		switch {
		case x < y:
			a.i++
		case x > y:
			b.i++
		default:
			a.i++
			b.i++
			if n++; !all {
				return n
			}
		}
	}
	m.noteBad()
	return n
}

// noteBad passes malformed positions on to the cursors (Check reports
// them).
func (m *phraseMatcher) noteBad() {
	for i := range m.its {
		if m.its[i].bad {
			m.cur[i].bad = true
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
		m.count()
	}
	return m.sc.saturate(m.idf, m.sc.tfNorm(m.d, &m.tf))
}

// bound scores the doc as if the phrase occurred, in each field, as often
// as its rarest word there.
func (m *phraseMatcher) bound() float64 {
	if m.counted {
		return m.score()
	}
	var tf [numTextFields]float64
	for common := m.common(); common != 0; common &= common - 1 {
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
