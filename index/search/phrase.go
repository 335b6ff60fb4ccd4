package search

import (
	"math/bits"
	"sort"
)

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
