package search

import (
	"context"
	"fmt"
	"slices"
)

// Search runs a query over a snapshot of the index. It never blocks on
// flushes or merges (only, briefly, on an Apply in progress).
func (idx *Index) Search(ctx context.Context, q Query, so SearchOptions) (*Results, error) {
	if so.Limit <= 0 {
		so.Limit = 10
	}
	if so.Offset < 0 {
		so.Offset = 0
	}
	snap, err := idx.acquire()
	if err != nil {
		return nil, err
	}
	defer idx.releaseSnapshot(snap)
	snap.rlock()
	defer snap.runlock()

	e := &executor{idx: idx, snap: snap, so: &so, ctx: ctx, stats: snapshotStats(snap)}
	res, err := e.run(q, false)
	defer e.plan.release()
	if err == nil && !so.Exact && res.Total < so.Offset+so.Limit && e.plan.misspelled() {
		e2 := &executor{idx: idx, snap: snap, so: &so, ctx: ctx, stats: e.stats}
		res2, err2 := e2.run(q, true)
		defer e2.plan.release()
		if err2 != nil {
			err = err2
		} else if len(res2.Corrections) > 0 {
			res, e = res2, e2
		}
	}
	if err == nil && so.Snippets {
		err = e.snippets(res)
	}
	if err == nil {
		err = snapCorruption(snap)
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// snapCorruption returns the first corruption a segment of the snapshot
// met while being read.
func snapCorruption(s *snapshot) error {
	for _, v := range s.views {
		if v.seg != nil {
			if c := v.seg.corrupt.Load(); c != nil {
				return c
			}
		}
	}
	return nil
}

// executor runs one plan over a snapshot.
type executor struct {
	idx   *Index
	snap  *snapshot
	so    *SearchOptions
	ctx   context.Context
	stats collectionStats
	plan  *planner
	root  planNode
	err   error
	hits  []scored

	listCache map[termUnit]*termLists
}

// scored is a candidate hit.
type scored struct {
	exact bool
	score float64
	view  int
	doc   uint32
}

// better orders hits: exact matches first, then by score, then newest.
func better(a, b scored) bool {
	if a.exact != b.exact {
		return a.exact
	}
	if a.score != b.score {
		return a.score > b.score
	}
	if a.view != b.view {
		return a.view > b.view
	}
	return a.doc > b.doc
}

func (e *executor) run(q Query, corrections bool) (*Results, error) {
	e.plan = &planner{snap: e.snap, opts: &e.idx.opts, corrections: corrections}
	root, err := e.plan.compile(q, false)
	if err != nil {
		return nil, err
	}
	e.root = root
	e.computeDF()
	res := &Results{Seq: e.snap.seq}
	// Without corrected words every match is exact: skip asking.
	corrected := false
	for _, t := range e.plan.terms {
		corrected = corrected || t.corrected
	}
	k := e.so.Offset + e.so.Limit
	h := topK{k: k}
	for vi := range e.snap.views {
		v := &e.snap.views[vi]
		sc := e.scorer(v)
		m := e.build(root, v, sc)
		if e.err != nil {
			return nil, e.err
		}
		n := 0
		for d := m.doc(); d != noDoc; d = m.next() {
			if v.dead.has(d) {
				continue
			}
			res.Total++
			h.push(scored{exact: !corrected || m.exact(), score: m.score(), view: vi, doc: d})
			if n++; n&4095 == 0 {
				if err := e.ctx.Err(); err != nil {
					return nil, err
				}
			}
		}
	}
	e.hits = h.sorted()
	if e.so.Offset < len(e.hits) {
		e.hits = e.hits[e.so.Offset:]
	} else {
		e.hits = nil
	}
	for _, s := range e.hits {
		v := &e.snap.views[s.view]
		meta, err := v.r.docMeta(s.doc)
		if err != nil {
			return nil, err
		}
		hit := Hit{Key: meta.key, Title: meta.title, Seq: meta.seq, Score: s.score, Exact: s.exact}
		hit.Corrected = e.hitCorrections(v, s.doc)
		res.Hits = append(res.Hits, hit)
	}
	for _, t := range e.plan.terms {
		if !t.corrected {
			continue
		}
		c := Correction{From: t.text}
		for _, v := range t.variants {
			if v.corrected {
				c.To = append(c.To, v.text)
			}
		}
		res.Corrections = append(res.Corrections, c)
	}
	if e.so.Explain {
		res.Explain = e.explain(corrections)
	}
	return res, nil
}

func (e *executor) scorer(v *view) *fieldScorer {
	return newFieldScorer(e.idx.opts.BM25, e.stats.avg, v.r.norms())
}

// computeDF counts, for every scoring term, the live docs it matches in the
// snapshot, and derives the idfs.
func (e *executor) computeDF() {
	for _, t := range e.plan.terms {
		t.df = e.countTerm(t)
		t.idf = idf(e.stats.n, t.df)
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
		cur, groupDF := e.termCursors(t, v)
		// Segments store the counts; they hold when no doc is dead and
		// every field counts.
		simple := v.seg != nil && v.dead.count == 0 && t.mask == allFields && len(t.variants) == 0
		switch {
		case len(cur) == 0:
		case simple && groupDF > 0:
			total += float64(groupDF)
		case simple && len(cur) == 1:
			total += float64(cur[0].c.docsCount())
		case len(cur) > manyCursors:
			has := newBits(v.limit)
			for i := range cur {
				for c := &cur[i].c; c.doc != noDoc; c.next(false) {
					if c.mask&t.mask != 0 && !v.dead.has(c.doc) && setBit(has, c.doc) {
						total++
					}
				}
			}
		default:
			m := newTermMatcher(cur, t.mask, 0, nil)
			for d := m.doc(); d != noDoc; d = m.next() {
				if !v.dead.has(d) {
					total++
				}
			}
		}
	}
	return total
}

// termLists are the posting lists a term matches in one unit.
type termLists struct {
	lists   []listRef
	groupDF uint32 // the stem group's stored document count, when known
}

type listRef struct {
	text      string
	l         textList
	weight    float64
	corrected bool
}

type termUnit struct {
	t *pTerm
	v *view
}

// lists finds the posting lists a term matches in one unit, each once (a
// word can be both in the stem group and a correction). Lookups are cached
// for the run: counting, matching and hit corrections need them again.
func (e *executor) lists(t *pTerm, v *view) *termLists {
	key := termUnit{t, v}
	if tl, ok := e.listCache[key]; ok {
		return tl
	}
	tl := &termLists{}
	var index map[string]int
	add := func(text string, l textList, weight float64, corrected bool) {
		i := -1
		if index != nil {
			if j, ok := index[text]; ok {
				i = j
			}
		} else {
			for j := range tl.lists {
				if tl.lists[j].text == text {
					i = j
				}
			}
		}
		if i >= 0 {
			r := &tl.lists[i]
			r.weight = max(r.weight, weight)
			r.corrected = r.corrected && corrected
			return
		}
		tl.lists = append(tl.lists, listRef{text: text, l: l, weight: weight, corrected: corrected})
		if index == nil && len(tl.lists) > manyCursors {
			index = map[string]int{}
			for j, r := range tl.lists {
				index[r.text] = j
			}
		} else if index != nil {
			index[text] = len(tl.lists) - 1
		}
	}
	if t.text != "" {
		if t.useStem {
			tl.groupDF = v.r.stemAliases([]byte(t.stem), func(term []byte, l textList) { add(string(term), l, 1, false) })
			if t.selfStem {
				if l, ok := v.r.lookupText([]byte(t.stem)); ok {
					add(t.stem, l, 1, false)
				}
			}
		} else if l, ok := v.r.lookupText([]byte(t.text)); ok {
			add(t.text, l, 1, false)
		}
	}
	for _, vr := range t.variants {
		if l, ok := v.r.lookupText([]byte(vr.text)); ok {
			add(vr.text, l, vr.weight, vr.corrected)
		}
	}
	if e.listCache == nil {
		e.listCache = map[termUnit]*termLists{}
	}
	e.listCache[key] = tl
	return tl
}

// termCursors opens cursors on the lists a term matches in one unit.
func (e *executor) termCursors(t *pTerm, v *view) (cur []termCursor, groupDF uint32) {
	tl := e.lists(t, v)
	cur = make([]termCursor, len(tl.lists))
	for i, r := range tl.lists {
		cur[i] = termCursor{text: r.text, weight: r.weight, corrected: r.corrected}
		cur[i].c.reset(r.l.docs, r.l.pos, r.l.skips, v.limit, r.l.df)
	}
	return cur, tl.groupDF
}

// build makes the matcher of a plan node for one unit.
func (e *executor) build(n planNode, v *view, sc *fieldScorer) matcher {
	switch n := n.(type) {
	case *pTerm:
		cur, _ := e.termCursors(n, v)
		if len(cur) == 0 || n.df == 0 {
			return noneMatcher{}
		}
		if len(cur) > manyCursors {
			return newAccumMatcher(cur, n.mask, v.limit, n.idf, sc)
		}
		return newTermMatcher(cur, n.mask, n.idf, sc)
	case *pPhrase:
		cur := make([]textCursor, len(n.terms))
		for i, w := range n.terms {
			l, ok := v.r.lookupText([]byte(w))
			if !ok {
				return noneMatcher{}
			}
			cur[i].reset(l.docs, l.pos, l.skips, v.limit, l.df)
		}
		return newPhraseMatcher(cur, n.offs, n.mask, n.idf, sc)
	case *pAnd:
		var pos, neg []matcher
		for _, k := range n.pos {
			m := e.build(k, v, sc)
			if _, none := m.(noneMatcher); none {
				return noneMatcher{}
			}
			pos = append(pos, m)
		}
		for _, k := range n.neg {
			m := e.build(k, v, sc)
			if _, none := m.(noneMatcher); !none {
				neg = append(neg, m)
			}
		}
		if len(pos) == 0 {
			pos = append(pos, newAllMatcher(v.limit))
		}
		if len(pos) == 1 && len(neg) == 0 {
			return pos[0]
		}
		return newAndMatcher(pos, neg)
	case *pOr:
		var kids []matcher
		for _, k := range n.kids {
			m := e.build(k, v, sc)
			if _, none := m.(noneMatcher); !none {
				kids = append(kids, m)
			}
		}
		switch len(kids) {
		case 0:
			return noneMatcher{}
		case 1:
			return kids[0]
		}
		return newOrMatcher(kids)
	case pAll:
		return newAllMatcher(v.limit)
	case *pNone:
		return noneMatcher{}
	case *pKeyword:
		return e.keywordMatcher(n, v)
	case *pNumeric:
		return e.numericMatcher(n, v)
	case *pRegex:
		return e.regexMatcher(n, v)
	}
	e.err = fmt.Errorf("internal error: plan node %T", n)
	return noneMatcher{}
}

func newBits(limit uint32) []uint64 { return make([]uint64, (limit+63)/64) }

func setBit(b []uint64, d uint32) bool {
	if b[d>>6]&(1<<(d&63)) != 0 {
		return false
	}
	b[d>>6] |= 1 << (d & 63)
	return true
}

func (e *executor) keywordMatcher(n *pKeyword, v *view) matcher {
	bits := newBits(v.limit)
	count := 0
	var c kwCursor
	add := func(l kwList) {
		for c.reset(l.data, v.limit); c.doc != noDoc; c.next() {
			if setBit(bits, c.doc) {
				count++
			}
		}
	}
	if n.key != nil {
		if l, ok := v.r.lookupKeyword(n.key); ok {
			add(l)
		}
	} else {
		v.r.rangeKeyword(n.from, n.to, func(_ []byte, l kwList) bool { add(l); return true })
	}
	if count == 0 {
		return noneMatcher{}
	}
	return newBitsMatcher(bits, v.limit, count)
}

func (n *pNumeric) contains(x float64) bool {
	if x < n.min || (x == n.min && !n.minIncl) {
		return false
	}
	return x < n.max || (x == n.max && n.maxIncl)
}

func (e *executor) numericMatcher(n *pNumeric, v *view) matcher {
	bits := newBits(v.limit)
	count := 0
	v.r.numeric(n.field, func(doc uint32, x float64) {
		if doc < v.limit && n.contains(x) && setBit(bits, doc) {
			count++
		}
	})
	if count == 0 {
		return noneMatcher{}
	}
	return newBitsMatcher(bits, v.limit, count)
}

// regexMatcher verifies the unit's trigram candidates (every doc when the
// unit has no trigram index) against the pattern.
func (e *executor) regexMatcher(n *pRegex, v *view) matcher {
	bits := newBits(v.limit)
	count := 0
	verify := func(d uint32) bool {
		if d >= v.limit || v.dead.has(d) {
			return true
		}
		text, err := e.docText(v, d)
		if err != nil {
			e.err = err
			return false
		}
		if text != nil && n.match(text) {
			setBit(bits, d)
			count++
		}
		return true
	}
	tri, err := v.r.trigrams()
	if err != nil {
		e.err = err
		return noneMatcher{}
	}
	if tri != nil {
		it := tri.Candidates(n.tq).Iterator()
		for it.HasNext() && verify(it.Next()) {
		}
	} else {
		for d := uint32(0); d < v.limit && verify(d); d++ {
		}
	}
	if count == 0 || e.err != nil {
		return noneMatcher{}
	}
	return newBitsMatcher(bits, v.limit, count)
}

// docText returns a doc's raw text: from the head, or from TextSource for
// segment docs (nil when there is none).
func (e *executor) docText(v *view, d uint32) ([]byte, error) {
	if v.hd != nil {
		return v.hd.text(d), nil
	}
	if e.idx.opts.TextSource == nil {
		return nil, nil
	}
	meta, err := v.r.docMeta(d)
	if err != nil {
		return nil, err
	}
	t, err := e.idx.opts.TextSource(meta.key, meta.seq)
	if err != nil {
		return nil, fmt.Errorf("text of %s@%d: %w", meta.key, meta.seq, err)
	}
	return t, nil
}

// hitCorrections lists the corrected words a hit contains.
func (e *executor) hitCorrections(v *view, d uint32) []Correction {
	var out []Correction
	for _, t := range e.plan.terms {
		if !t.corrected {
			continue
		}
		var to []string
		cur, _ := e.termCursors(t, v)
		for _, tc := range cur {
			if !tc.corrected {
				continue
			}
			if tc.c.advance(d) == d && tc.c.mask&t.mask != 0 {
				to = append(to, tc.text)
			}
		}
		if len(to) > 0 {
			out = append(out, Correction{From: t.text, To: to})
		}
	}
	return out
}

// topK keeps the k best candidates in a min-heap (worst at the root).
type topK struct {
	k int
	h []scored
}

func (t *topK) push(s scored) {
	if len(t.h) < t.k {
		t.h = append(t.h, s)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !better(t.h[p], t.h[i]) {
				break
			}
			t.h[p], t.h[i] = t.h[i], t.h[p]
			i = p
		}
		return
	}
	if !better(s, t.h[0]) {
		return
	}
	t.h[0] = s
	for i := 0; ; {
		l, r, w := 2*i+1, 2*i+2, i
		if l < len(t.h) && better(t.h[w], t.h[l]) {
			w = l
		}
		if r < len(t.h) && better(t.h[w], t.h[r]) {
			w = r
		}
		if w == i {
			break
		}
		t.h[i], t.h[w] = t.h[w], t.h[i]
		i = w
	}
}

// sorted returns the kept candidates best first.
func (t *topK) sorted() []scored {
	out := slices.Clone(t.h)
	slices.SortFunc(out, func(a, b scored) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return out
}
