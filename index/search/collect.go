package search

import "math/bits"

// collect counts the live docs of one unit the matcher yields and keeps the
// best in the heap. A doc is scored only when the heap is not full or the
// doc can beat its worst entry on exactness.
func (e *executor) collect(m matcher, v *view, corrected bool) (int, error) {
	h := &e.heap
	dead := v.dead
	if dead != nil && dead.count == 0 {
		dead = nil
	}
	total := 0
	for d := m.doc(); d != noDoc; d = m.next() {
		if dead != nil && dead.has(d) {
			continue
		}
		total++
		if total&4095 == 0 {
			if err := e.ctx.Err(); err != nil {
				return total, err
			}
		}
		exact := !corrected || m.exact()
		if len(h.h) < h.k {
			h.push(scored{exact: exact, score: m.score(), view: v.pos, doc: d})
			continue
		}
		worst := &h.h[0]
		if worst.exact && !exact {
			continue
		}
		// Unless exactness alone lifts the doc above the worst, a bound
		// below the worst's score rules it out (the margin covers rounding:
		// the bound is computed like the score, from larger frequencies).
		if exact == worst.exact && m.bound()*(1+1e-9) < worst.score {
			continue
		}
		if c := (scored{exact: exact, score: m.score(), view: v.pos, doc: d}); better(c, h.h[0]) {
			h.replaceWorst(c)
		}
	}
	return total, nil
}

// termWindow is how many docs collectTerm accumulates at a time.
const termWindow = 2048

// termAcc is collectTerm's scratch: per doc of the window, tf~ so far,
// whether a list holds it, and whether an uncorrected one does.
type termAcc struct {
	tfn   [termWindow]float64
	has   [termWindow / 64]uint64
	exact [termWindow / 64]uint64
}

// collectTerm is collect for a query that is a single scoring term, the
// commonest: rather than merging the term's lists doc by doc, it adds each
// list's contributions to tf~ into a window of docs, list after list, then
// walks the window's docs (as Lucene's BooleanScorer does for
// disjunctions). It keeps each doc's tf~ as its score in the heap (the
// score grows with it, and the idf is only known once the docs are
// counted, see run); the scores are then accumMatcher's.
func (e *executor) collectTerm(t *pTerm, v *view, corrected bool) (int, error) {
	cur := e.termCursors(t, v)
	if len(cur) == 0 {
		return 0, nil
	}
	sc := e.scorer(v)
	if e.acc == nil {
		e.acc = new(termAcc)
	}
	acc := e.acc
	inv := sc.inv // nil for heads: factorAt computes the factors
	h := &e.heap
	dead := v.dead
	if dead != nil && dead.count == 0 {
		dead = nil
	}
	total := 0
	for {
		base := uint32(noDoc)
		for i := range cur {
			base = min(base, cur[i].c.doc)
		}
		if base == noDoc {
			return total, nil
		}
		base &^= termWindow - 1
		end := base + termWindow
		for i := range cur {
			tc := &cur[i]
			c := &tc.c
			for ; c.doc < end; c.next() {
				fm := c.mask & t.mask
				if fm == 0 {
					continue
				}
				j := c.doc - base
				acc.has[j>>6] |= 1 << (j & 63)
				if !tc.corrected {
					acc.exact[j>>6] |= 1 << (j & 63)
				}
				for fm != 0 {
					f := bits.TrailingZeros8(fm)
					var factor float64
					if inv != nil {
						factor = inv[int(c.doc)*numTextFields+f]
					} else {
						factor = sc.factorAt(c.doc, f)
					}
					acc.tfn[j] += tc.weight * float64(c.tf[f]) * factor
					fm &= fm - 1
				}
			}
		}
		for w := range acc.has {
			word, exactWord := acc.has[w], acc.exact[w]
			acc.has[w], acc.exact[w] = 0, 0
			for word != 0 {
				j := uint32(w*64 + bits.TrailingZeros64(word))
				word &= word - 1
				tfn := acc.tfn[j]
				acc.tfn[j] = 0
				d := base + j
				if dead != nil && dead.has(d) {
					continue
				}
				total++
				exact := !corrected || exactWord&(1<<(j&63)) != 0
				if len(h.h) == h.k && h.h[0].exact && !exact {
					continue
				}
				h.push(scored{exact: exact, score: tfn, view: v.pos, doc: d})
			}
		}
		if err := e.ctx.Err(); err != nil {
			return total, err
		}
	}
}
