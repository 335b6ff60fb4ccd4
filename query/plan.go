package query

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/kotadb/kotadb/index/graph"
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

func keywordRange(field string, r KeyRange) func(context.Context, *Plan, *roaring.Bitmap) (*roaring.Bitmap, error) {
	return func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
		b, err := p.cat.KeywordRange(field, r)
		if err != nil {
			return nil, fmt.Errorf("query: %s range: %w", field, err)
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

// leaf plans a leaf expression.
func (p *Plan) leaf(e Expr) (*step, error) {
	s := &step{op: opLeaf, expr: e, label: ExprString(e)}
	switch x := e.(type) {
	case *Text:
		s.text = x
		s.est = p.cat.SearchCount(*x)
		s.run = func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
			res, err := p.cat.Search(ctx, SearchRequest{Query: *x, Within: within})
			if err != nil {
				return nil, fmt.Errorf("query: %s: %w", s.label, err)
			}
			return restrict(res.Matches, within), nil
		}
		if s.est == 0 {
			s.note = "no document matches " + s.label
		}
	case *Tag:
		terms := []string{x.Name}
		s.est = p.cat.KeywordCount("tag", x.Name)
		exact := keywordUnion("tag", terms)
		s.run = exact
		if !x.Exact {
			nested := PrefixRange(x.Name + "/")
			s.est += p.cat.KeywordRangeCount("tag", nested)
			s.label += " (and nested tags)"
			s.run = func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
				a, err := exact(ctx, p, within)
				if err != nil {
					return nil, err
				}
				b, err := keywordRange("tag", nested)(ctx, p, within)
				if err != nil {
					return nil, err
				}
				a.Or(b)
				return a, nil
			}
		}
		if s.est == 0 {
			s.note = fmt.Sprintf("tag %q does not exist", x.Name)
		}
	case *Path:
		var r KeyRange
		switch x.Op {
		case PathPrefix:
			r = PrefixRange(x.Value)
		case PathGlob:
			g, err := CompileGlob(x.Value)
			if err != nil {
				return nil, err
			}
			r = PrefixRange(g.Prefix)
			r.Match = g.Match
		case PathEq:
			r = KeyRange{Lo: x.Value, Hi: x.Value + "\x00"}
		case PathRange:
			r = KeyRange{Lo: x.Lo}
			if x.Hi != "" {
				r.Hi = x.Hi + "\x00" // inclusive upper end
			}
		}
		s.est = p.cat.KeywordRangeCount("path", r)
		s.run = keywordRange("path", r)
		if s.est == 0 {
			s.note = "no path matches " + s.label
		}
	case *Field:
		return p.fieldLeaf(s, x)
	case *Date:
		r, err := p.clock.DateRange(x.Cond)
		if err != nil {
			return nil, &Error{Msg: err.Error()}
		}
		s.label += " " + timeRangeString(r)
		s.est = p.cat.NumericCount(x.Field, r)
		s.run = numericRange(x.Field, r)
		if s.est == 0 {
			s.note = "no document has " + x.Field + " " + timeRangeString(r)
		}
	case *Collection:
		s.est = p.cat.KeywordCount("collection", x.Name)
		s.run = keywordUnion("collection", []string{x.Name})
		if s.est == 0 {
			s.note = fmt.Sprintf("collection %q does not exist", x.Name)
		}
	case *Lang:
		s.est = p.cat.KeywordCount("lang", x.Name)
		s.run = keywordUnion("lang", []string{x.Name})
		if s.est == 0 {
			s.note = fmt.Sprintf("no document is in language %q", x.Name)
		}
	default:
		if err := p.graphLeaf(s, e); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *Plan) fieldLeaf(s *step, x *Field) (*step, error) {
	field := "field." + x.Name
	exists := p.cat.ExistsCount(x.Name)
	switch x.Op {
	case CondExists:
		s.est = exists
		s.run = func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
			b, err := p.cat.Exists(x.Name)
			if err != nil {
				return nil, fmt.Errorf("query: has:%s: %w", x.Name, err)
			}
			return restrict(b, within), nil
		}
	case CondEq, CondIn:
		values := x.Values
		if x.Op == CondEq {
			values = []Value{x.Value}
		}
		var terms []string
		var ranges []NumRange
		for _, v := range values {
			if v.Kind == DateValue {
				r, err := p.clock.FieldRange(Cond{Op: CondEq, Value: v})
				if err != nil {
					return nil, &Error{Msg: err.Error()}
				}
				ranges = append(ranges, r)
				continue
			}
			for _, t := range v.Keyword() {
				if !slices.Contains(terms, t) {
					terms = append(terms, t)
				}
			}
		}
		for _, t := range terms {
			s.est += p.cat.KeywordCount(field, t)
		}
		for _, r := range ranges {
			s.est += p.cat.NumericCount(field, r)
			s.label += " " + timeRangeString(r)
		}
		s.est = min(s.est, exists)
		byTerm := keywordUnion(field, terms)
		s.run = func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
			out, err := byTerm(ctx, p, within)
			if err != nil {
				return nil, err
			}
			for _, r := range ranges {
				b, err := numericRange(field, r)(ctx, p, within)
				if err != nil {
					return nil, err
				}
				out.Or(b)
			}
			return out, nil
		}
	case CondRange:
		r, err := p.clock.FieldRange(x.Cond)
		if err != nil {
			return nil, &Error{Msg: err.Error()}
		}
		if x.Lo != nil && x.Lo.Value.Kind == DateValue || x.Hi != nil && x.Hi.Value.Kind == DateValue {
			s.label += " " + timeRangeString(r)
		}
		s.est = min(p.cat.NumericCount(field, r), exists)
		s.run = numericRange(field, r)
	}
	switch {
	case exists == 0:
		s.note = fmt.Sprintf("field %q does not exist", x.Name)
	case s.est == 0:
		s.note = "no document has " + s.label
	}
	return s, nil
}

// timeRangeString shows a resolved date range for Explain.
func timeRangeString(r NumRange) string {
	end := func(f float64) string {
		if math.IsInf(f, 0) {
			return "∞"
		}
		return NumberTime(f).Format("2006-01-02T15:04:05Z07:00")
	}
	lo, hi := "(", ")"
	if r.LoIncl {
		lo = "["
	}
	if r.HiIncl {
		hi = "]"
	}
	if math.IsInf(r.Lo, -1) {
		lo += "-"
	}
	return lo + end(r.Lo) + ", " + end(r.Hi) + hi
}

// graphLeaf plans a graph clause: it resolves the notes and computes the
// matches right away (graph lookups are cheap), so the estimate is exact.
func (p *Plan) graphLeaf(s *step, e Expr) error {
	g := p.cat.Graph()
	s.fixed = roaring.New()
	s.run = func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
		return restrict(s.fixed, within), nil
	}
	if g == nil {
		s.note = "there is no link graph"
		return nil
	}
	resolve := func(note string) []string {
		keys := g.Resolve(note)
		if len(keys) == 0 && s.note == "" {
			s.note = fmt.Sprintf("note %q does not exist", note)
		}
		return keys
	}
	add := func(key string) {
		if id, ok := p.cat.ID(key); ok {
			s.fixed.Add(id)
		}
	}
	switch x := e.(type) {
	case *LinksTo:
		for _, k := range resolve(x.Note) {
			for _, edge := range g.Backlinks(k) {
				if kindOK(edge.Kind, x.Kinds) {
					add(edge.From)
				}
			}
		}
	case *LinkedFrom:
		for _, k := range resolve(x.Note) {
			for _, edge := range g.Outgoing(k) {
				if edge.To != "" && kindOK(edge.Kind, x.Kinds) {
					add(edge.To)
				}
			}
		}
	case *Near:
		origins := resolve(x.Note)
		hops, err := g.Neighborhood(origins, graph.Traversal{Depth: max(x.Depth, 1), Kinds: x.Kinds, Direction: x.Direction})
		if err != nil {
			return &Error{Msg: err.Error()}
		}
		s.prox = map[DocID]float64{}
		for _, h := range hops {
			if id, ok := p.cat.ID(h.Key); ok {
				s.fixed.Add(id)
				s.prox[id] = 1 / float64(h.Depth) // closer notes rank higher
			}
		}
	case *Between:
		from, to := resolve(x.From), resolve(x.To)
		depth := x.Depth
		if depth == 0 {
			depth = graph.MaxDepth
		}
		path, err := g.ShortestPath(from, to, graph.Traversal{Depth: depth, Kinds: x.Kinds, Direction: x.Direction})
		if err != nil {
			return &Error{Msg: err.Error()}
		}
		if path == nil && s.note == "" {
			s.note = fmt.Sprintf("no path from %q to %q within %d links", x.From, x.To, depth)
		}
		s.prox = map[DocID]float64{}
		for i, k := range path {
			if id, ok := p.cat.ID(k); ok {
				s.fixed.Add(id)
				s.prox[id] = float64(len(path)-i) / float64(len(path)) // path order
			}
		}
	case *Orphan:
		for _, k := range g.Orphans() {
			add(k)
		}
	case *Unresolved:
		for _, u := range g.Unresolved() {
			for _, edge := range u.Links {
				add(edge.From)
			}
		}
	default:
		return &Error{Msg: fmt.Sprintf("query: cannot plan %T", e)}
	}
	s.est = int(s.fixed.GetCardinality())
	if s.est == 0 && s.note == "" {
		s.note = "no document matches " + strings.TrimSpace(s.label)
	}
	return nil
}

func kindOK(k, filter graph.Kind) bool { return filter == 0 || k&filter != 0 }
