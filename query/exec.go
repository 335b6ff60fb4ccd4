package query

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/RoaringBitmap/roaring/v2"
)

// Result is what a query returns.
type Result struct {
	// Total is the number of matching documents (before Offset and Limit).
	Total int   `json:"total"`
	Hits  []Hit `json:"hits"`
	// Groups holds the aggregate, when the query asked for one.
	Groups []Group `json:"groups,omitempty"`
}

// Hit is one returned document.
type Hit struct {
	ID    DocID   `json:"-"`
	Key   string  `json:"key"`
	Score float64 `json:"score"`
	// Fields holds the selected values (Query.Select); absent values are
	// left out.
	Fields map[string]any `json:"fields,omitempty"`
}

// ErrExecuted is returned when a Plan is executed a second time; plan the
// query again instead (the catalog may have changed).
var ErrExecuted = errors.New("query: plan already executed")

// Execute runs the plan.
func (p *Plan) Execute(ctx context.Context) (*Result, error) {
	if p.executed {
		return nil, ErrExecuted
	}
	p.executed = true
	final := p.cat.Docs().Clone()
	if p.root != nil {
		var err error
		if final, err = p.eval(ctx, p.root, nil); err != nil {
			return nil, err
		}
	}
	p.total = int(final.GetCardinality())
	res := &Result{Total: p.total, Hits: []Hit{}}
	scores, err := p.score(ctx, final)
	if err != nil {
		return nil, err
	}
	page, err := p.page(ctx, final, scores)
	if err != nil {
		return nil, err
	}
	for _, id := range page {
		h := Hit{ID: id, Key: p.key(id), Score: scores[id]}
		if math.IsInf(h.Score, -1) {
			h.Score = 0
		}
		if len(p.q.Select) > 0 {
			h.Fields = map[string]any{}
			for _, name := range p.q.Select {
				if name == "score" {
					h.Fields[name] = h.Score
				} else if v, ok := p.cat.Value(id, name); ok {
					h.Fields[name] = v
				}
			}
		}
		res.Hits = append(res.Hits, h)
	}
	if p.q.Aggregate != nil {
		res.Groups = p.aggregate(final)
	}
	return res, nil
}

func (p *Plan) key(id DocID) string {
	if v, ok := p.cat.Value(id, "key"); ok {
		if s, ok := v.(string); ok {
			return s
		}
	}
	return fmt.Sprintf("#%d", id)
}

// eval computes the matches of s among within (nil: all documents).
func (p *Plan) eval(ctx context.Context, s *step, within *roaring.Bitmap) (*roaring.Bitmap, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.ran = true
	s.on = -1
	if within != nil {
		s.on = int(within.GetCardinality())
	}
	var out *roaring.Bitmap
	switch s.op {
	case opAnd:
		cur := within
		for i, c := range s.children {
			if cur != nil && cur.IsEmpty() {
				for _, rest := range s.children[i:] {
					rest.skip()
				}
				break
			}
			next, err := p.eval(ctx, c, cur)
			if err != nil {
				return nil, err
			}
			cur = next
		}
		out = cur
	case opOr:
		out = roaring.New()
		for _, c := range s.children {
			b, err := p.eval(ctx, c, within)
			if err != nil {
				return nil, err
			}
			out.Or(b)
		}
	case opNot:
		b, err := p.eval(ctx, s.children[0], within)
		if err != nil {
			return nil, err
		}
		if within == nil {
			within = p.cat.Docs()
		}
		out = roaring.AndNot(within, b)
	default:
		var err error
		if out, err = s.run(ctx, p, within); err != nil {
			return nil, err
		}
	}
	s.result = out
	return out, nil
}

func (s *step) skip() {
	s.skipped = true
	for _, c := range s.children {
		c.skip()
	}
}

// score computes the relevance of the final candidates, when the order or
// the projection needs it. A document's score is the sum of the scores of
// the text and proximity clauses it matched outside any Not.
func (p *Plan) score(ctx context.Context, final *roaring.Bitmap) (map[DocID]float64, error) {
	if !p.needScore || len(p.scoring) == 0 || final.IsEmpty() {
		return map[DocID]float64{}, nil
	}
	var ranked uint64
	for _, s := range p.scoring {
		// A clause skipped because its And ran out of candidates matched
		// no final candidate.
		if s.text == nil || s.result == nil {
			continue
		}
		need := roaring.And(final, s.result)
		ranked += need.GetCardinality()
		res, err := p.cat.Search(ctx, SearchRequest{Query: *s.text, Within: need, Score: true, TopK: p.topK})
		if err != nil {
			return nil, fmt.Errorf("query: ranking %s: %w", s.label, err)
		}
		s.scores = res.Scores
	}
	if n := countText(p.scoring); n > 0 {
		p.scored = fmt.Sprintf("%d text clause(s) ranked %d candidate(s)", n, ranked)
		if p.topK > 0 {
			p.scored += fmt.Sprintf(", top %d asked of the index", p.topK)
		}
	}
	if n := len(p.scoring) - countText(p.scoring); n > 0 {
		if p.scored != "" {
			p.scored += "; "
		}
		p.scored += fmt.Sprintf("link distance from %d graph clause(s)", n)
	}
	scores := make(map[DocID]float64, final.GetCardinality())
	it := final.Iterator()
	for it.HasNext() {
		id := it.Next()
		scores[id] = p.docScore(p.root, id)
	}
	return scores, nil
}

func countText(steps []*step) int {
	n := 0
	for _, s := range steps {
		if s.text != nil {
			n++
		}
	}
	return n
}

// docScore is the score of a final candidate under s. With a top-k ranked
// text clause a document the catalog left out scores -Inf: it is not among
// the best and sorts last.
func (p *Plan) docScore(s *step, id DocID) float64 {
	switch s.op {
	case opNot:
		return 0
	case opAnd:
		sum := 0.0
		for _, c := range s.orig {
			sum += p.docScore(c, id)
		}
		return sum
	case opOr:
		sum := 0.0
		for _, c := range s.orig {
			if c.result != nil && c.result.Contains(id) {
				sum += p.docScore(c, id)
			}
		}
		return sum
	}
	if s.text != nil {
		v, ok := s.scores[id]
		if !ok && p.topK > 0 {
			return math.Inf(-1)
		}
		return v
	}
	return s.prox[id]
}
