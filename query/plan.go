package query

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// Plan is a query prepared against a Catalog: a tree of steps, each with a
// cardinality estimate, ordered so that the most selective index is read
// first and every later step only looks at the survivors. Execute runs it;
// Explain shows it, with actual counts once it ran.
//
// How a plan runs:
//
//  1. Filter: And children run in order of estimate (exclusions last), each
//     on the candidates left by the ones before, and stop as soon as none
//     are left; Or unions, Not subtracts. Text clauses only compute their
//     matches here.
//  2. Score: only when the order or the projection needs scores, text
//     clauses rank the final candidates (not the whole index); a lone text
//     clause asks the catalog for the top offset+limit only.
//  3. Order: by score with a bounded heap; by an indexed field, walk the
//     catalog's order and stop after offset+limit; else a full sort.
//     Ties are always broken by key.
//  4. Page, project, aggregate.
type Plan struct {
	q      *Query
	cat    Catalog
	clock  Clock
	root   *step // nil: every document
	docs   int   // documents in the catalog when planned
	sort   []SortKey
	limit  int
	offset int

	needScore bool
	scoring   []*step // steps whose scores the ranking needs
	topK      int     // >0: the lone text clause may return only this many scores

	// Filled by Execute, shown by Explain.
	executed bool
	order    string // how the hits were ordered
	scored   string // what was ranked
	total    int
}

type stepOp uint8

const (
	opLeaf stepOp = iota
	opAnd
	opOr
	opNot
)

// step is a node of the plan tree.
type step struct {
	op       stepOp
	expr     Expr
	label    string
	children []*step // in execution order
	// orig is children in the order of the expression; scores are summed
	// in this order so that they do not depend on planning.
	orig []*step
	est  int
	note string // why it matches nothing, when it is known at plan time
	// run computes the matches of a leaf among within (nil: all documents).
	run func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error)
	// fixed holds a leaf's matches when planning already computed them
	// (graph clauses), so the estimate is exact.
	fixed *roaring.Bitmap
	text  *Text             // text leaves
	prox  map[DocID]float64 // graph proximity scores (near, between)
	// Execution results.
	ran     bool
	skipped bool
	on      int // candidates it ran on; -1: all documents
	result  *roaring.Bitmap
	scores  map[DocID]float64 // text leaves: relevance of the final candidates
}

// NewPlan validates q and plans it against cat. opts may be nil.
func NewPlan(q *Query, cat Catalog, opts *Options) (*Plan, error) {
	if q == nil {
		q = &Query{}
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	p := &Plan{q: q, cat: cat, clock: opts.Clock(), docs: int(cat.Docs().GetCardinality()),
		sort: q.Sort, limit: q.Limit, offset: q.Offset}
	if p.limit == 0 {
		p.limit = DefaultLimit
	}
	if len(p.sort) == 0 {
		p.sort = []SortKey{{Field: "score", Desc: true}}
	}
	if q.Where != nil {
		root, err := p.build(q.Where)
		if err != nil {
			return nil, err
		}
		p.root = root
	}
	p.needScore = slices.ContainsFunc(p.sort, func(k SortKey) bool { return k.Field == "score" }) || slices.Contains(q.Select, "score")
	if p.needScore && p.root != nil {
		p.collectScoring(p.root, true)
		if len(p.scoring) == 1 && p.scoring[0].text != nil && len(p.sort) == 1 && p.sort[0] == (SortKey{"score", true}) && p.conjunctive(p.scoring[0]) {
			p.topK = p.offset + p.limit
		}
	}
	return p, nil
}

// collectScoring finds the steps that contribute to scores: text and
// proximity clauses that are not under a Not.
func (p *Plan) collectScoring(s *step, positive bool) {
	switch s.op {
	case opNot:
		return
	case opLeaf:
		if positive && (s.text != nil || s.prox != nil) {
			p.scoring = append(p.scoring, s)
		}
	}
	for _, c := range s.children {
		p.collectScoring(c, positive)
	}
}

// conjunctive reports whether every final candidate matches target, so its
// score is the document's whole score: it hangs from the root through Ands.
func (p *Plan) conjunctive(target *step) bool {
	for s := p.root; ; {
		if s == target {
			return true
		}
		if s.op != opAnd {
			return false
		}
		next := (*step)(nil)
		for _, c := range s.children {
			if c == target || c.contains(target) {
				next = c
			}
		}
		if next == nil {
			return false
		}
		s = next
	}
}

func (s *step) contains(t *step) bool {
	for _, c := range s.children {
		if c == t || c.contains(t) {
			return true
		}
	}
	return false
}

// build turns an expression into a step with its estimate.
func (p *Plan) build(e Expr) (*step, error) {
	n := float64(p.docs)
	switch x := e.(type) {
	case *And, *Or:
		var list []Expr
		op := opAnd
		if a, ok := x.(*And); ok {
			list = a.Exprs
		} else {
			list, op = x.(*Or).Exprs, opOr
		}
		s := &step{op: op, expr: e}
		for _, c := range list {
			cs, err := p.build(c)
			if err != nil {
				return nil, err
			}
			s.children = append(s.children, cs)
		}
		s.orig = slices.Clone(s.children)
		if op == opAnd {
			// Most selective first; exclusions after, since they subtract
			// from what is left.
			slices.SortStableFunc(s.children, func(a, b *step) int {
				return cmp.Or(cmp.Compare(b2i(a.op == opNot), b2i(b.op == opNot)), cmp.Compare(a.est, b.est))
			})
			frac := 1.0
			for _, c := range s.children {
				frac *= float64(c.est) / max(n, 1)
			}
			s.est = int(math.Ceil(frac * n))
			if slices.ContainsFunc(s.children, func(c *step) bool { return c.est == 0 }) {
				s.est = 0
			}
			s.label = "and"
		} else {
			for _, c := range s.children {
				s.est += c.est
			}
			s.est = min(s.est, p.docs)
			s.label = "or"
		}
		return s, nil
	case *Not:
		c, err := p.build(x.Expr)
		if err != nil {
			return nil, err
		}
		return &step{op: opNot, expr: e, label: "not", children: []*step{c}, est: max(p.docs-c.est, 0)}, nil
	}
	return p.leaf(e)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// keywordUnion is a leaf matching any of several keyword terms of a field.
func keywordUnion(field string, terms []string) func(context.Context, *Plan, *roaring.Bitmap) (*roaring.Bitmap, error) {
	return func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
		out := roaring.New()
		for _, t := range terms {
			b, err := p.cat.Keyword(field, t)
			if err != nil {
				return nil, fmt.Errorf("query: %s %q: %w", field, t, err)
			}
			if b != nil {
				out.Or(b)
			}
		}
		return restrict(out, within), nil
	}
}

func keywordPrefix(field, prefix string) func(context.Context, *Plan, *roaring.Bitmap) (*roaring.Bitmap, error) {
	return func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
		b, err := p.cat.KeywordPrefix(field, prefix)
		if err != nil {
			return nil, fmt.Errorf("query: %s prefix %q: %w", field, prefix, err)
		}
		return restrict(b, within), nil
	}
}

func numericRange(field string, r NumRange) func(context.Context, *Plan, *roaring.Bitmap) (*roaring.Bitmap, error) {
	return func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
		if r.Empty() {
			return roaring.New(), nil
		}
		b, err := p.cat.Numeric(field, r)
		if err != nil {
			return nil, fmt.Errorf("query: %s range: %w", field, err)
		}
		return restrict(b, within), nil
	}
}

// restrict returns b ∩ within as a new bitmap (b itself belongs to the
// catalog).
func restrict(b, within *roaring.Bitmap) *roaring.Bitmap {
	if b == nil {
		return roaring.New()
	}
	if within == nil {
		return b.Clone()
	}
	return roaring.And(b, within)
}
