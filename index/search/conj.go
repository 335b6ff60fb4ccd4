package search

import (
	"math/bits"
	"slices"
)

// collectAnd is collect for an AND with scoring terms among its positive
// clauses (words of a sentence, a phrase's words AND-ed), evaluated a window
// of docs at a time rather than doc by doc through matchers:
//
//   - the cheapest term's lists are walked through the window, marking its
//     docs and adding up each doc's tf~ (as collectTerm does);
//   - every other term, cheapest first, only visits the docs still
//     candidates (its cursors jump to them with advance, using skip entries
//     where the candidates are sparse), marking and adding up likewise, and
//     the candidates shrink to the docs it has; an empty window stops there;
//   - the other clauses (phrases, ORs, identifiers, exclusions) are
//     matchers, asked only about the docs every term has.
//
// Merging cursors doc by doc costs a pass over every cursor of every term
// per candidate, and a term with many lists (a stem group, corrections)
// had to be accumulated over its whole lists first. The scores are the
// AND's: each term's score is the saturated sum of its lists' tf~, list by
// list and field by field as termMatcher adds them.
func (e *executor) collectAnd(n *pAnd, v *view, corrected bool) (int, error) {
	sc := e.scorer(v)
	cs := e.conjScratch()
	var terms []*conjTerm
	var others []matcher
	var otherCost []int
	for _, k := range n.pos {
		t, ok := k.(*pTerm)
		if !ok {
			m := e.build(k, v, sc)
			if e.err != nil {
				return 0, e.err
			}
			if _, none := m.(noneMatcher); none {
				return 0, nil
			}
			others = append(others, m)
			otherCost = append(otherCost, m.cost())
			continue
		}
		if t.df == 0 {
			return 0, nil
		}
		cur := e.termCursors(t, v)
		if len(cur) == 0 {
			return 0, nil
		}
		ct := cs.term(len(terms))
		ct.t, ct.cur, ct.cost = t, cur, 0
		for i := range cur {
			ct.cost += int(cur[i].c.df)
		}
		terms = append(terms, ct)
	}
	slices.SortStableFunc(terms, func(a, b *conjTerm) int { return a.cost - b.cost })
	var neg []matcher
	for _, k := range n.neg {
		m := e.build(k, v, sc)
		if e.err != nil {
			return 0, e.err
		}
		if _, none := m.(noneMatcher); !none {
			neg = append(neg, m)
		}
	}
	// The other clauses are asked cheapest first (most likely to fail).
	if len(others) > 1 {
		idx := make([]int, len(others))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return otherCost[a] - otherCost[b] })
		sorted := make([]matcher, len(others))
		for i, j := range idx {
			sorted[i] = others[j]
		}
		others = sorted
	}

	h := &e.heap
	dead := v.dead
	if dead != nil && dead.count == 0 {
		dead = nil
	}
	inv := sc.inv // nil for heads: factorAt computes the factors
	cand, exact := &cs.cand, &cs.exact
	total := 0
	lead := terms[0]
	for {
		base := uint32(noDoc)
		for i := range lead.cur {
			base = min(base, lead.cur[i].c.doc)
		}
		if base == noDoc {
			return total, nil
		}
		base &^= termWindow - 1
		end := uint64(base) + termWindow
		lead.addAll(base, end, inv, sc)
		*cand, *exact = lead.has, lead.exact
		live := true
		for _, ct := range terms[1:] {
			if live {
				ct.addAt(cand, base, end, inv, sc)
				live = false
				for w := range cand {
					cand[w] &= ct.has[w]
					exact[w] &= ct.exact[w]
					live = live || cand[w] != 0
				}
			}
		}
		for w := range cand {
			word := cand[w]
			for word != 0 {
				j := uint32(w*64 + bits.TrailingZeros64(word))
				word &= word - 1
				d := base + j
				if dead != nil && dead.has(d) {
					continue
				}
				if !matchAll(others, neg, d) {
					continue
				}
				total++
				ex := !corrected || exact[w]&(1<<(j&63)) != 0
				for _, m := range others {
					ex = ex && (!corrected || m.exact())
				}
				full := len(h.h) == h.k
				if full && h.h[0].exact && !ex {
					continue
				}
				s := 0.0
				for _, ct := range terms {
					s += sc.saturate(ct.t.idf, ct.tfn[j])
				}
				if full && len(others) > 0 && ex == h.h[0].exact {
					// As collect does: a bound below the worst's score rules
					// the doc out before the other clauses score it.
					b := s
					for _, m := range others {
						b += m.bound()
					}
					if b*(1+1e-9) < h.h[0].score {
						continue
					}
				}
				for _, m := range others {
					s += m.score()
				}
				h.push(scored{exact: ex, score: s, view: v.pos, doc: d})
			}
		}
		for _, ct := range terms {
			ct.clear()
		}
		if err := e.ctx.Err(); err != nil {
			return total, err
		}
	}
}

// matchAll reports whether every matcher of pos has doc d and none of neg.
func matchAll(pos, neg []matcher, d uint32) bool {
	for _, m := range pos {
		if m.advance(d) != d {
			return false
		}
	}
	for _, m := range neg {
		if m.advance(d) == d {
			return false
		}
	}
	return true
}

// conjTerm is one term of collectAnd with its window: per doc, tf~ so far,
// whether a list holds it, and whether an uncorrected one does.
type conjTerm struct {
	t     *pTerm
	cur   []termCursor
	cost  int
	tfn   [termWindow]float64
	has   [termWindow / 64]uint64
	exact [termWindow / 64]uint64
}

// conjScratch is collectAnd's scratch, kept by the executor.
type conjScratch struct {
	terms       []*conjTerm
	cand, exact [termWindow / 64]uint64
}

func (e *executor) conjScratch() *conjScratch {
	if e.conj == nil {
		e.conj = new(conjScratch)
	}
	return e.conj
}

// term returns the i-th term window (cleared).
func (cs *conjScratch) term(i int) *conjTerm {
	for len(cs.terms) <= i {
		cs.terms = append(cs.terms, new(conjTerm))
	}
	return cs.terms[i]
}

// add records the entry c is on (doc base+j) for the term.
func (ct *conjTerm) add(tc *termCursor, j uint32, inv []float64, sc *fieldScorer) {
	c := &tc.c
	fm := c.mask & ct.t.mask
	if fm == 0 {
		return
	}
	ct.has[j>>6] |= 1 << (j & 63)
	if !tc.corrected {
		ct.exact[j>>6] |= 1 << (j & 63)
	}
	for fm != 0 {
		f := bits.TrailingZeros8(fm)
		var factor float64
		if inv != nil {
			factor = inv[int(c.doc)*numTextFields+f]
		} else {
			factor = sc.factorAt(c.doc, f)
		}
		ct.tfn[j] += tc.weight * float64(c.tf[f]) * factor
		fm &= fm - 1
	}
}

// addAll records every entry of the term's lists in [base, end).
func (ct *conjTerm) addAll(base uint32, end uint64, inv []float64, sc *fieldScorer) {
	for i := range ct.cur {
		tc := &ct.cur[i]
		for c := &tc.c; uint64(c.doc) < end; c.next() {
			ct.add(tc, c.doc-base, inv, sc)
		}
	}
}

// addAt records the entries of the term's lists for the candidates of
// [base, end), skipping to each.
func (ct *conjTerm) addAt(cand *[termWindow / 64]uint64, base uint32, end uint64, inv []float64, sc *fieldScorer) {
	for i := range ct.cur {
		tc := &ct.cur[i]
		c := &tc.c
	list:
		for w, word := range cand {
			if uint64(c.doc) >= uint64(base)+uint64(w+1)*64 {
				continue // the cursor is past this word's docs
			}
			for word != 0 {
				j := uint32(w*64 + bits.TrailingZeros64(word))
				word &= word - 1
				d := base + j
				if c.doc < d {
					c.advance(d)
				}
				if c.doc == d {
					ct.add(tc, j, inv, sc)
				} else if uint64(c.doc) >= end {
					break list
				}
			}
		}
	}
}

// clear resets the window for the next one.
func (ct *conjTerm) clear() {
	for w, word := range ct.has {
		for word != 0 {
			ct.tfn[w*64+bits.TrailingZeros64(word)] = 0
			word &= word - 1
		}
	}
	ct.has = [termWindow / 64]uint64{}
	ct.exact = [termWindow / 64]uint64{}
}

// windowed reports whether collectAnd can evaluate the AND: it has a
// scoring term among its positive clauses and another clause.
func windowed(a *pAnd) bool {
	if len(a.pos)+len(a.neg) < 2 {
		return false
	}
	for _, k := range a.pos {
		if _, ok := k.(*pTerm); ok {
			return true
		}
	}
	return false
}
