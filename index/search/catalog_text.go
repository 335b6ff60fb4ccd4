package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kotadb/kotadb/query"
)

// Text queries run through the engine's own planner, matchers and BM25F
// scorer, so a document's score is the one Index.Search gives it. A text
// clause is planned once per catalog (analysis, stem groups, prefix
// expansion, corrections, live document frequencies) and that plan serves
// the estimate, the match run and the ranking the query planner ask for.
//
// Typo tolerance follows Search: when a correctable word matches no live
// document the clause is planned again with corrections, whatever the
// candidates (Search does so when the hits do not fill the page, so the
// two agree for any page larger than the matches).

// textPlan is one text clause planned over the catalog's snapshot.
type textPlan struct {
	plan *planner // its terms keep their posting lists per unit
	root planNode
	est  int
	err  error
}

// engineQuery maps a query-model text clause onto the engine's AST.
func engineQuery(t query.Text) (Query, error) {
	switch t.Kind {
	case query.Term:
		return Term{Field: t.Field, Text: t.Value, Exact: t.Exact, Fuzzy: t.Fuzzy > 0}, nil
	case query.Phrase:
		return Phrase{Field: t.Field, Terms: []string{t.Value}}, nil
	case query.Prefix:
		return prefixQuery(t), nil
	case query.Substring:
		return Substring{Text: t.Value, CaseInsensitive: !t.Exact}, nil
	case query.Regex:
		return Regex{Pattern: t.Value}, nil
	}
	return nil, fmt.Errorf("unknown text kind %v", t.Kind)
}

// prefixQuery reads a prefix the way the query model defines it: the
// last word is a prefix when the value ends in a letter or digit ("foo-*"
// is the word foo followed by anything), the words before it a phrase.
// The engine has no phrase ending in a prefix, so "error han*" becomes the
// phrase "error" and the prefix han, not necessarily adjacent.
func prefixQuery(t query.Text) Query {
	words := strings.FieldsFunc(t.Value, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	last := []rune(t.Value)
	endsInWord := len(last) > 0 && (unicode.IsLetter(last[len(last)-1]) || unicode.IsDigit(last[len(last)-1]))
	switch {
	case len(words) == 0:
		return Prefix{Field: t.Field}
	case !endsInWord:
		return Phrase{Field: t.Field, Terms: words}
	case len(words) == 1:
		return Prefix{Field: t.Field, Text: words[0]}
	}
	n := len(words) - 1
	return And{Phrase{Field: t.Field, Terms: words[:n]}, Prefix{Field: t.Field, Text: words[n]}}
}

// textPlan returns the plan of a text clause, planning it on first use.
func (c *QueryCatalog) textPlan(t query.Text) *textPlan {
	if tp, ok := c.texts[t]; ok {
		return tp
	}
	tp := &textPlan{}
	c.texts[t] = tp
	q, err := engineQuery(t)
	if err != nil {
		tp.err = err
		return tp
	}
	c.read(func() {
		plan, root, err := c.compileText(q, false)
		if err == nil && plan.misspelled() {
			if plan2, root2, err2 := c.compileText(q, true); err2 == nil && slices.ContainsFunc(plan2.terms, func(t *pTerm) bool { return t.corrected }) {
				plan, root = plan2, root2
			}
		}
		if err != nil {
			tp.err = err
			return
		}
		tp.plan, tp.root = plan, root
		tp.est = c.estimate(root)
	})
	return tp
}

// executor returns an executor of the engine's pool for one run of a plan;
// give it back with putExecutor after detaching the plan (which the
// catalog keeps).
func (c *QueryCatalog) executor(ctx context.Context, plan *planner, root planNode) *executor {
	e := getExecutor(c.idx, c.snap, &SearchOptions{}, ctx, c.stats)
	e.plan, e.root = plan, root
	return e
}

func (c *QueryCatalog) putExecutor(e *executor) {
	e.plan = nil
	putExecutor(e)
}

// compileText plans q as Search would and counts its live document
// frequencies.
func (c *QueryCatalog) compileText(q Query, corrections bool) (*planner, planNode, error) {
	plan := &planner{snap: c.snap, opts: &c.idx.opts, corrections: corrections}
	// The stemmer is only needed while compiling.
	defer plan.release()
	root, err := plan.compile(q, false)
	if err != nil {
		return nil, nil, err
	}
	e := c.executor(context.Background(), plan, root)
	defer c.putExecutor(e)
	e.computeDF()
	return plan, root, nil
}

// estimate bounds the live documents a plan node matches from what
// planning counted; it is 0 only when nothing can match.
func (c *QueryCatalog) estimate(n planNode) int {
	all := int(c.live.GetCardinality())
	switch n := n.(type) {
	case *pTerm:
		return int(n.df)
	case *pPhrase:
		est := all
		for _, df := range n.dfs {
			est = min(est, int(df))
		}
		return est
	case *pAnd:
		est := all
		for _, k := range n.pos {
			est = min(est, c.estimate(k))
		}
		return est
	case *pOr:
		est := 0
		for _, k := range n.kids {
			est += c.estimate(k)
		}
		return min(est, all)
	case *pNone:
		return 0
	case *pRegex:
		est := 0
		for vi := range c.snap.views {
			v := &c.snap.views[vi]
			tri, err := v.r.trigrams()
			switch {
			case err != nil:
				c.noteErr(fmt.Errorf("search catalog: %w", err))
				est += int(v.limit)
			case tri == nil:
				est += int(v.limit)
			case v.limit > 0:
				est += int(tri.Candidates(n.tq).Rank(v.limit - 1))
			}
		}
		return min(est, all)
	}
	return all
}

// SearchCount implements query.Catalog: the clause's live document
// frequency for a term, the rarest word's for a phrase, the trigram
// candidates for a substring or regex.
func (c *QueryCatalog) SearchCount(t query.Text) int {
	if !c.begin() {
		return 0
	}
	defer c.end()
	return c.textPlan(t).est
}

// docScore is a match and its score.
type docScore struct {
	id    query.DocID
	score float64
}

// Search implements query.Catalog. Scores are BM25F as Index.Search
// computes them over the same snapshot; with TopK only the scores at least
// as good as the TopK-th best are returned.
func (c *QueryCatalog) Search(ctx context.Context, req query.SearchRequest) (*query.SearchResult, error) {
	if !c.begin() {
		return nil, errReleased
	}
	defer c.end()
	tp := c.textPlan(req.Query)
	if tp.err != nil {
		return nil, fmt.Errorf("search catalog: %s: %w", req.Query.Kind, tp.err)
	}
	res := &query.SearchResult{Matches: roaring.New()}
	var scored []docScore
	var err error
	c.read(func() {
		e := c.executor(ctx, tp.plan, tp.root)
		defer c.putExecutor(e)
		err = c.runText(ctx, e, req, res.Matches, &scored)
	})
	if err == nil {
		err = c.corruption()
	}
	if err != nil {
		return nil, fmt.Errorf("search catalog: %w", err)
	}
	if !req.Score {
		return res, nil
	}
	if req.TopK > 0 && len(scored) > req.TopK {
		all := make([]float64, len(scored))
		for i, s := range scored {
			all[i] = s.score
		}
		slices.Sort(all)
		kth := all[len(all)-req.TopK]
		scored = slices.DeleteFunc(scored, func(s docScore) bool { return s.score < kth })
	}
	res.Scores = make(map[query.DocID]float64, len(scored))
	for _, s := range scored {
		res.Scores[s.id] = s.score
	}
	return res, nil
}

// runText runs a planned clause over every unit, restricted to
// req.Within. When the candidates of a unit are fewer than the matcher's
// documents, the matcher skips to each candidate; otherwise it is walked
// and the candidates checked.
func (c *QueryCatalog) runText(ctx context.Context, e *executor, req query.SearchRequest, matches *roaring.Bitmap, scored *[]docScore) error {
	steps := 0
	for vi := range c.snap.views {
		v := &c.snap.views[vi]
		base := c.bases[vi]
		if v.limit == 0 {
			continue
		}
		inUnit := int(v.limit)
		if req.Within != nil {
			inUnit = int(req.Within.Rank(base + v.limit - 1))
			if base > 0 {
				inUnit -= int(req.Within.Rank(base - 1))
			}
			if inUnit == 0 {
				continue
			}
		}
		m := e.build(e.root, v, e.scorer(v))
		if e.err != nil {
			return e.err
		}
		hit := func(d uint32) {
			if v.dead.has(d) {
				return
			}
			matches.Add(base + d)
			if req.Score {
				*scored = append(*scored, docScore{base + d, m.score()})
			}
		}
		if req.Within != nil && inUnit < m.cost() {
			it := req.Within.Iterator()
			it.AdvanceIfNeeded(base)
			for it.HasNext() {
				id := it.Next()
				if id >= base+v.limit {
					break
				}
				d := id - base
				got := m.advance(d)
				if got == noDoc {
					break
				}
				if got == d {
					hit(d)
				}
				if steps++; steps&4095 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
			}
			continue
		}
		for d := m.doc(); d != noDoc; d = m.next() {
			if req.Within == nil || req.Within.Contains(base+d) {
				hit(d)
			}
			if steps++; steps&4095 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	return ctx.Err()
}
