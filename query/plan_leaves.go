package query

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/kotadb/kotadb/index/graph"
)

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
		name := normalizeKeyword(x.Name)
		s.est = p.cat.KeywordCount("tag", name)
		exact := keywordUnion("tag", []string{name})
		s.run = exact
		if !x.Exact {
			s.est += p.cat.KeywordPrefixCount("tag", name+"/")
			s.label += " (and nested tags)"
			nested := keywordPrefix("tag", name+"/")
			s.run = func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
				a, err := exact(ctx, p, within)
				if err != nil {
					return nil, err
				}
				b, err := nested(ctx, p, within)
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
		if err := p.pathLeaf(s, x); err != nil {
			return nil, err
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
		name := normalizeKeyword(x.Name)
		s.est = p.cat.KeywordCount("collection", name)
		s.run = keywordUnion("collection", []string{name})
		if s.est == 0 {
			s.note = fmt.Sprintf("collection %q does not exist", x.Name)
		}
	case *Lang:
		name := normalizeKeyword(x.Name)
		s.est = p.cat.KeywordCount("lang", name)
		s.run = keywordUnion("lang", []string{name})
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

// pathLeaf plans a path condition. Paths compare case-insensitively. A
// prefix or an exact path is one index lookup; a glob or a range reads the
// documents under their longest literal prefix and checks each path.
func (p *Plan) pathLeaf(s *step, x *Path) error {
	var prefix string
	var check func(path string) bool
	switch x.Op {
	case PathPrefix:
		prefix = normalizePath(x.Value)
	case PathEq:
		v := normalizePath(x.Value)
		s.est = p.cat.KeywordCount("path", v)
		s.run = keywordUnion("path", []string{v})
		if s.est == 0 {
			s.note = fmt.Sprintf("no document has path %q", x.Value)
		}
		return nil
	case PathGlob:
		g, err := CompileGlob(normalizePath(x.Value))
		if err != nil {
			return &Error{Msg: err.Error()}
		}
		prefix, check = g.Prefix, g.Match
	case PathRange:
		lo, hi := normalizePath(x.Lo), normalizePath(x.Hi)
		prefix = commonPrefix(lo, hi)
		if hi == "" {
			prefix = ""
		}
		check = func(path string) bool { return path >= lo && (hi == "" || path <= hi) }
	}
	s.est = p.cat.KeywordPrefixCount("path", prefix)
	byPrefix := keywordPrefix("path", prefix)
	s.run = byPrefix
	if check != nil {
		s.run = func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
			b, err := byPrefix(ctx, p, within)
			if err != nil {
				return nil, err
			}
			out := roaring.New()
			it := b.Iterator()
			for it.HasNext() {
				id := it.Next()
				if v, ok := p.cat.Value(id, "path"); ok {
					if path, isString := v.(string); isString && check(normalizePath(path)) {
						out.Add(id)
					}
				}
			}
			return out, nil
		}
	}
	if s.est == 0 {
		s.note = "no path matches " + s.label
	}
	return nil
}

// normalizePath is a path as the "path" keyword holds it.
func normalizePath(p string) string { return normalizeKeyword(p) }

func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

func (p *Plan) fieldLeaf(s *step, x *Field) (*step, error) {
	name := strings.ToLower(x.Name)
	field := "field." + name
	exists := p.cat.ExistsCount(name)
	switch x.Op {
	case CondExists:
		s.est = exists
		s.run = func(ctx context.Context, p *Plan, within *roaring.Bitmap) (*roaring.Bitmap, error) {
			b, err := p.cat.Exists(name)
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
