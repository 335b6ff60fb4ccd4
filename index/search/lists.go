package search

// termLists are the posting lists a term matches in one unit.
type termLists struct {
	lists   []listRef
	groupDF uint32 // the stem group's stored document count, when known
	done    bool
}

type listRef struct {
	l         textList
	weight    float64
	corrected bool
	variant   int // index of the word in the term's variants; -1: the term's own word or stem group
}

// lists finds the posting lists a term matches in one unit, each once, and
// keeps them in the term for the rest of the run: counting, matching and
// hit corrections need them again.
//
// A stem group's words and a term's variants never overlap (corrections
// leave out the stem group, and prefixes have no group) but for the stem
// itself when it does not go through the stemmer: that list is shared.
func (e *executor) lists(t *pTerm, v *view) *termLists {
	if len(t.perView) != len(e.snap.views) {
		t.perView = make([]termLists, len(e.snap.views))
	}
	tl := &t.perView[v.pos]
	if tl.done {
		return tl
	}
	tl.done = true
	stemAt := -1
	if t.text != "" {
		if t.useStem {
			tl.groupDF = v.r.stemAliases(t.stemKey, func(l textList) {
				tl.lists = append(tl.lists, listRef{l: l, weight: 1, variant: -1})
			})
			if t.selfStem {
				if l, ok := v.r.lookupText(t.stemKey); ok {
					stemAt = len(tl.lists)
					tl.lists = append(tl.lists, listRef{l: l, weight: 1, variant: -1})
				}
			}
		} else if l, ok := v.r.lookupText([]byte(t.text)); ok {
			tl.lists = append(tl.lists, listRef{l: l, weight: 1, variant: -1})
		}
	}
	if t.expansions != nil {
		// Prefix words: the expansion found their lists already; both it
		// and the variants are in order.
		x := &t.expansions[v.pos]
		i := 0
		for vi, vr := range t.variants {
			for i < len(x.lists) && string(x.word(i)) < vr.text {
				i++
			}
			if i < len(x.lists) && string(x.word(i)) == vr.text {
				tl.lists = append(tl.lists, listRef{l: x.lists[i], weight: vr.weight, corrected: vr.corrected, variant: vi})
				i++
			}
		}
		return tl
	}
	for vi, vr := range t.variants {
		if stemAt >= 0 && vr.text == t.stem {
			r := &tl.lists[stemAt]
			r.weight = max(r.weight, vr.weight)
			r.corrected = r.corrected && vr.corrected
			continue
		}
		if l, ok := v.r.lookupText([]byte(vr.text)); ok {
			tl.lists = append(tl.lists, listRef{l: l, weight: vr.weight, corrected: vr.corrected, variant: vi})
		}
	}
	return tl
}

// termCursors opens cursors on the lists a term matches in one unit.
func (e *executor) termCursors(t *pTerm, v *view) []termCursor {
	tl := e.lists(t, v)
	cur := e.newCursors(len(tl.lists))
	for i, r := range tl.lists {
		cur[i] = termCursor{weight: r.weight, corrected: r.corrected, variant: r.variant}
		cur[i].c.reset(&r.l, v.limit)
	}
	return cur
}

// newCursors returns n cursors from the executor's arena: a search opens
// a few per unit and term, and they all live until it ends.
func (e *executor) newCursors(n int) []termCursor {
	if len(e.cursors)+n > cap(e.cursors) {
		e.cursors = make([]termCursor, 0, max(16, 2*n, cap(e.cursors)))
	}
	start := len(e.cursors)
	e.cursors = e.cursors[:start+n]
	return e.cursors[start : start+n : start+n]
}

// computeDF counts, for every scoring term, the live docs it matches in the
// snapshot, and derives the idfs.
func (e *executor) computeDF() { e.computeDFExcept(nil) }

// computeDFExcept is computeDF leaving out one term, whose count its
// caller makes while matching.
func (e *executor) computeDFExcept(skip *pTerm) {
	for _, t := range e.plan.terms {
		if t != skip {
			t.df = e.countTerm(t)
			t.idf = idf(e.stats.n, t.df)
		}
	}
	for _, p := range e.plan.phrases {
		p.idf = 0
		p.dfs = p.dfs[:0]
		for _, w := range p.terms {
			df := e.countTerm(&pTerm{text: w, mask: p.mask})
			p.dfs = append(p.dfs, df)
			p.idf += idf(e.stats.n, df)
		}
	}
}

func (e *executor) countTerm(t *pTerm) float64 {
	total := 0.0
	for vi := range e.snap.views {
		v := &e.snap.views[vi]
		if v.limit == 0 {
			continue
		}
		tl := e.lists(t, v)
		// Segments store the counts; they hold when no doc is dead and
		// every field counts.
		simple := v.seg != nil && v.dead.count == 0 && t.mask == allFields && len(t.variants) == 0
		switch {
		case len(tl.lists) == 0:
		case simple && tl.groupDF > 0:
			total += float64(tl.groupDF)
		case simple && len(tl.lists) == 1:
			total += float64(tl.lists[0].l.df)
		case len(tl.lists) > manyCursors:
			has := e.bitset(v.limit)
			cur := e.termCursors(t, v)
			for i := range cur {
				for c := &cur[i].c; c.doc != noDoc; c.next() {
					if c.mask&t.mask != 0 && !v.dead.has(c.doc) && setBit(has, c.doc) {
						total++
					}
				}
			}
		default:
			m := newTermMatcher(e.termCursors(t, v), t.mask, 0, nil)
			for d := m.doc(); d != noDoc; d = m.next() {
				if !v.dead.has(d) {
					total++
				}
			}
		}
	}
	return total
}

// hitCorrections lists the corrected words a hit contains.
func (e *executor) hitCorrections(v *view, d uint32) []Correction {
	var out []Correction
	for _, t := range e.plan.terms {
		if !t.corrected {
			continue
		}
		var to []string
		for _, tc := range e.termCursors(t, v) {
			if !tc.corrected {
				continue
			}
			if tc.c.advance(d) == d && tc.c.mask&t.mask != 0 {
				to = append(to, t.variants[tc.variant].text)
			}
		}
		if len(to) > 0 {
			out = append(out, Correction{From: t.text, To: to})
		}
	}
	return out
}
