package search

import (
	"context"
	"fmt"
	"slices"
	"sync"
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

	e := getExecutor(idx, snap, &so, ctx, snapshotStats(snap))
	defer putExecutor(e)
	res, err := e.run(q, false)
	if err == nil && !so.Exact && res.Total < so.Offset+so.Limit && e.plan.misspelled() {
		e2 := getExecutor(idx, snap, &so, ctx, e.stats)
		defer putExecutor(e2)
		res2, err2 := e2.run(q, true)
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

// executor runs one plan over a snapshot. Search takes executors from a
// pool, so that the scratch below is reused from search to search; other
// users make their own (the zero scratch works).
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

	heap    topK
	cursors []termCursor  // arena for termCursors
	scorers []fieldScorer // one per view
	bitsets [][]uint64    // handed out by bitset, reused by the next search
	nbits   int           // bitsets in use
	floats  [][]float64   // handed out by floatBuf, likewise
	nfloats int
	acc     *termAcc // collectTerm's window
	conj    *conjScratch
}

var executorPool = sync.Pool{New: func() any { return new(executor) }}

func getExecutor(idx *Index, snap *snapshot, so *SearchOptions, ctx context.Context, stats collectionStats) *executor {
	e := executorPool.Get().(*executor)
	e.idx, e.snap, e.so, e.ctx, e.stats = idx, snap, so, ctx, stats
	return e
}

// putExecutor returns an executor to the pool once its results are built
// (hits hold no reference to its scratch).
func putExecutor(e *executor) {
	if e.plan != nil {
		e.plan.release()
	}
	clear(e.cursors) // drop references to segment memory and norm tables
	clear(e.scorers)
	*e = executor{
		hits: e.hits[:0], heap: topK{h: e.heap.h[:0]}, cursors: e.cursors[:0], scorers: e.scorers[:0],
		bitsets: e.bitsets, floats: e.floats, acc: e.acc, conj: e.conj,
	}
	executorPool.Put(e)
}

// bitset returns a cleared bitset for docs below limit, valid until the
// executor goes back to the pool.
func (e *executor) bitset(limit uint32) []uint64 {
	return reuseBuf(&e.bitsets, &e.nbits, int(limit+63)/64)
}

// floatBuf returns a zeroed []float64 of length n, like bitset.
func (e *executor) floatBuf(n int) []float64 { return reuseBuf(&e.floats, &e.nfloats, n) }

// reuseBuf returns a zeroed slice of length n: the next of bufs (*used of
// them are in use) if it is large enough, else a new one that replaces it.
func reuseBuf[T any](bufs *[][]T, used *int, n int) []T {
	i := *used
	*used++
	if i < len(*bufs) && cap((*bufs)[i]) >= n {
		b := (*bufs)[i][:n]
		clear(b)
		return b
	}
	b := make([]T, n)
	if i < len(*bufs) {
		(*bufs)[i] = b
	} else {
		*bufs = append(*bufs, b)
	}
	return b
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
	// A query that is one term counts its documents while collecting
	// them (collectTerm): counting first would read its lists twice.
	single, _ := root.(*pTerm)
	e.computeDFExcept(single)
	res := &Results{Seq: e.snap.seq}
	// Without corrected words every match is exact: skip asking.
	corrected := false
	for _, t := range e.plan.terms {
		corrected = corrected || t.corrected
	}
	h := &e.heap
	h.reset(e.so.Offset + e.so.Limit)
	for vi := range e.snap.views {
		v := &e.snap.views[vi]
		if v.limit == 0 {
			continue
		}
		var n int
		if single != nil {
			n, err = e.collectTerm(single, v, corrected)
		} else if and, ok := root.(*pAnd); ok && windowed(and) {
			n, err = e.collectAnd(and, v, corrected)
		} else {
			m := e.build(root, v, e.scorer(v))
			if e.err != nil {
				return nil, e.err
			}
			if _, none := m.(noneMatcher); none {
				continue
			}
			n, err = e.collect(m, v, corrected)
		}
		res.Total += n
		if err != nil {
			return nil, err
		}
	}
	if single != nil {
		// The heap ranked tf~ (the score grows with it); now the df is
		// known, turn each into the score.
		single.df = float64(res.Total)
		single.idf = idf(e.stats.n, single.df)
		sc := fieldScorer{k1: e.idx.opts.BM25.K1}
		for i := range h.h {
			h.h[i].score = sc.saturate(single.idf, h.h[i].score)
		}
	}
	e.hits = h.sorted(e.hits[:0])
	if e.so.Offset < len(e.hits) {
		e.hits = e.hits[e.so.Offset:]
	} else {
		e.hits = e.hits[:0]
	}
	if len(e.hits) > 0 {
		res.Hits = make([]Hit, 0, len(e.hits))
	}
	for _, s := range e.hits {
		v := &e.snap.views[s.view]
		meta, err := v.r.docMeta(s.doc)
		if err != nil {
			return nil, err
		}
		hit := Hit{Key: meta.key, Title: meta.title, Seq: meta.seq, Score: s.score, Exact: s.exact}
		if corrected {
			hit.Corrected = e.hitCorrections(v, s.doc)
		}
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

// scorer returns the view's BM25F scorer (kept in the executor).
func (e *executor) scorer(v *view) *fieldScorer {
	if len(e.scorers) != len(e.snap.views) {
		e.scorers = make([]fieldScorer, len(e.snap.views))
	}
	sc := &e.scorers[v.pos]
	sc.init(e.idx.opts.BM25, e.stats.avg, v.r.norms())
	if v.seg != nil {
		sc.useTable(v.seg, e.idx.opts.BM25, e.stats.avg)
	}
	return sc
}

// build makes the matcher of a plan node for one unit.
func (e *executor) build(n planNode, v *view, sc *fieldScorer) matcher {
	switch n := n.(type) {
	case *pTerm:
		if n.df == 0 || len(e.lists(n, v).lists) == 0 {
			return noneMatcher{}
		}
		cur := e.termCursors(n, v)
		if len(cur) > manyCursors {
			return e.newAccumMatcher(cur, n.mask, v.limit, n.idf, sc)
		}
		return newTermMatcher(cur, n.mask, n.idf, sc)
	case *pPhrase:
		cur := make([]textCursor, len(n.terms))
		for i, w := range n.terms {
			l, ok := v.r.lookupText([]byte(w))
			if !ok {
				return noneMatcher{}
			}
			cur[i].reset(&l, v.limit)
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

func setBit(b []uint64, d uint32) bool {
	if b[d>>6]&(1<<(d&63)) != 0 {
		return false
	}
	b[d>>6] |= 1 << (d & 63)
	return true
}

// topK keeps the k best candidates in a min-heap (worst at the root).
type topK struct {
	k int
	h []scored
}

func (t *topK) reset(k int) {
	t.k = k
	t.h = t.h[:0]
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
	if better(s, t.h[0]) {
		t.replaceWorst(s)
	}
}

// replaceWorst puts s in place of the worst candidate (the heap is full
// and s is better).
func (t *topK) replaceWorst(s scored) {
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

// sorted appends the kept candidates to out, best first.
func (t *topK) sorted(out []scored) []scored {
	out = append(out, t.h...)
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
