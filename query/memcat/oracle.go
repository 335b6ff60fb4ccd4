package memcat

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kotadb/kotadb/index/graph"
	"github.com/kotadb/kotadb/query"
)

// Evaluate is the oracle: it answers q by checking every document against
// the query's definition, one at a time, then sorting everything and
// slicing the page — no estimates, no candidate sets, no early stops. A
// plan run over this catalog must return exactly the same Result.
func (c *Catalog) Evaluate(q *query.Query, opts *query.Options) (*query.Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	o := &oracle{c: c, clock: opts.Clock()}
	type match struct {
		id    query.DocID
		score float64
	}
	var matches []match
	for i := range c.docs {
		id := query.DocID(i)
		ok, score := true, 0.0
		if q.Where != nil {
			var err error
			if ok, score, err = o.eval(q.Where, id); err != nil {
				return nil, err
			}
		}
		if ok {
			matches = append(matches, match{id, score})
		}
	}
	sortKeys := q.Sort
	if len(sortKeys) == 0 {
		sortKeys = []query.SortKey{{Field: "score", Desc: true}}
	}
	value := func(m match, k query.SortKey) query.SortValue {
		if k.Field == "score" {
			return query.SortValue{Numeric: true, Num: m.score}
		}
		v, ok := c.Value(m.id, k.Field)
		return query.SortValueOf(k.Field, v, ok)
	}
	slices.SortFunc(matches, func(a, b match) int {
		for _, k := range sortKeys {
			va, vb := value(a, k), value(b, k)
			if va.Missing != vb.Missing {
				if va.Missing {
					return 1
				}
				return -1
			}
			if va.Missing {
				continue
			}
			r := query.CompareSortValues(va, vb)
			if k.Desc {
				r = -r
			}
			if r != 0 {
				return r
			}
		}
		return strings.Compare(c.docs[a.id].Key, c.docs[b.id].Key)
	})
	limit := q.Limit
	if limit == 0 {
		limit = query.DefaultLimit
	}
	res := &query.Result{Total: len(matches), Hits: []query.Hit{}}
	for _, m := range matches[min(q.Offset, len(matches)):min(q.Offset+limit, len(matches))] {
		h := query.Hit{ID: m.id, Key: c.docs[m.id].Key, Score: m.score}
		if len(q.Select) > 0 {
			h.Fields = map[string]any{}
			for _, name := range q.Select {
				if name == "score" {
					h.Fields[name] = m.score
				} else if v, ok := c.Value(m.id, name); ok {
					h.Fields[name] = v
				}
			}
		}
		res.Hits = append(res.Hits, h)
	}
	if q.Aggregate != nil {
		ids := make([]query.DocID, len(matches))
		for i, m := range matches {
			ids[i] = m.id
		}
		res.Groups = c.groups(q.Aggregate, ids)
	}
	return res, nil
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

type oracle struct {
	c     *Catalog
	clock query.Clock
	near  map[*query.Near]map[string]int
}

// eval reports whether document id matches e and the score it earns: the
// sum of the text and proximity clauses it matches outside any Not.
func (o *oracle) eval(e query.Expr, id query.DocID) (bool, float64, error) {
	d := o.c.docs[id]
	switch n := e.(type) {
	case *query.And:
		sum := 0.0
		for _, x := range n.Exprs {
			ok, s, err := o.eval(x, id)
			if err != nil || !ok {
				return false, 0, err
			}
			sum += s
		}
		return true, sum, nil
	case *query.Or:
		any, sum := false, 0.0
		for _, x := range n.Exprs {
			ok, s, err := o.eval(x, id)
			if err != nil {
				return false, 0, err
			}
			if ok {
				any, sum = true, sum+s
			}
		}
		return any, sum, nil
	case *query.Not:
		ok, _, err := o.eval(n.Expr, id)
		return !ok, 0, err
	case *query.Text:
		ok, err := o.c.Matches(*n, id)
		if err != nil || !ok {
			return false, 0, err
		}
		s, err := o.c.Score(*n, id)
		return true, s, err
	case *query.Tag:
		name := lower(n.Name)
		return slices.ContainsFunc(d.Tags, func(t string) bool {
			t = lower(t)
			return t == name || !n.Exact && strings.HasPrefix(t, name+"/")
		}), 0, nil
	case *query.Path:
		path := lower(d.Path)
		switch n.Op {
		case query.PathPrefix:
			return strings.HasPrefix(path, lower(n.Value)), 0, nil
		case query.PathGlob:
			g, err := query.CompileGlob(lower(n.Value))
			if err != nil {
				return false, 0, err
			}
			return g.Match(path), 0, nil
		case query.PathEq:
			return path == lower(n.Value), 0, nil
		}
		return path >= lower(n.Lo) && (n.Hi == "" || path <= lower(n.Hi)), 0, nil
	case *query.Field:
		ok, err := o.field(n, query.FieldValue(d.Fields, n.Name))
		return ok, 0, err
	case *query.Date:
		t := d.Created
		if n.Field == "updated" {
			t = d.Updated
		}
		r, err := o.clock.DateRange(n.Cond)
		if err != nil {
			return false, 0, err
		}
		return inRange(query.Numbers(t), r), 0, nil
	case *query.Collection:
		return lower(d.Collection) == lower(n.Name), 0, nil
	case *query.Lang:
		return lower(d.Lang) == lower(n.Name), 0, nil
	}
	return o.graph(e, d.Key)
}

func (o *oracle) field(n *query.Field, v any) (bool, error) {
	if v == nil {
		return false, nil
	}
	switch n.Op {
	case query.CondExists:
		return true, nil
	case query.CondRange:
		r, err := o.clock.FieldRange(n.Cond)
		if err != nil {
			return false, err
		}
		return inRange(query.Numbers(v), r), nil
	}
	values := n.Values
	if n.Op == query.CondEq {
		values = []query.Value{n.Value}
	}
	have := query.Keywords(v)
	for _, want := range values {
		if want.Kind == query.DateValue {
			r, err := o.clock.FieldRange(query.Cond{Op: query.CondEq, Value: want})
			if err != nil {
				return false, err
			}
			if inRange(query.Numbers(v), r) {
				return true, nil
			}
			continue
		}
		for _, k := range want.Keyword() {
			if slices.Contains(have, k) {
				return true, nil
			}
		}
	}
	return false, nil
}

// graph answers graph clauses from edges, independently of the planner's
// use of the graph: links are checked from the other end and neighbourhoods
// are a breadth-first search of its own.
func (o *oracle) graph(e query.Expr, key string) (bool, float64, error) {
	g := o.c.g
	kindOK := func(k, filter graph.Kind) bool { return filter == 0 || k&filter != 0 }
	switch n := e.(type) {
	case *query.LinksTo:
		targets := g.Resolve(n.Note)
		for _, edge := range g.Outgoing(key) {
			if edge.To != "" && slices.Contains(targets, edge.To) && kindOK(edge.Kind, n.Kinds) {
				return true, 0, nil
			}
		}
		return false, 0, nil
	case *query.LinkedFrom:
		sources := g.Resolve(n.Note)
		for _, edge := range g.Backlinks(key) {
			if slices.Contains(sources, edge.From) && kindOK(edge.Kind, n.Kinds) {
				return true, 0, nil
			}
		}
		return false, 0, nil
	case *query.Near:
		dist := o.bfs(n)
		if d, ok := dist[key]; ok && d > 0 {
			return true, 1 / float64(d), nil
		}
		return false, 0, nil
	case *query.Between:
		depth := n.Depth
		if depth == 0 {
			depth = graph.MaxDepth
		}
		path, err := g.ShortestPath(g.Resolve(n.From), g.Resolve(n.To), graph.Traversal{Depth: depth, Kinds: n.Kinds, Direction: n.Direction})
		if err != nil {
			return false, 0, err
		}
		if i := slices.Index(path, key); i >= 0 {
			return true, float64(len(path)-i) / float64(len(path)), nil
		}
		return false, 0, nil
	case *query.Orphan:
		return g.IsOrphan(key), 0, nil
	case *query.Unresolved:
		return g.HasUnresolved(key), 0, nil
	}
	return false, 0, fmt.Errorf("memcat: unknown expression %T", e)
}

// bfs computes, once per Near clause, every note's distance from its note.
func (o *oracle) bfs(n *query.Near) map[string]int {
	if d, ok := o.near[n]; ok {
		return d
	}
	g := o.c.g
	depth := max(n.Depth, 1)
	adj := map[string][]string{}
	for _, d := range o.c.docs {
		for _, e := range g.Outgoing(d.Key) {
			if e.To == "" || e.To == d.Key || n.Kinds != 0 && e.Kind&n.Kinds == 0 {
				continue
			}
			if n.Direction != graph.In {
				adj[d.Key] = append(adj[d.Key], e.To)
			}
			if n.Direction != graph.Out {
				adj[e.To] = append(adj[e.To], d.Key)
			}
		}
	}
	dist := map[string]int{}
	var frontier []string
	for _, k := range g.Resolve(n.Note) {
		dist[k] = 0
		frontier = append(frontier, k)
	}
	for level := 1; level <= depth; level++ {
		var next []string
		for _, k := range frontier {
			for _, nb := range adj[k] {
				if _, seen := dist[nb]; !seen {
					dist[nb] = level
					next = append(next, nb)
				}
			}
		}
		frontier = next
	}
	if o.near == nil {
		o.near = map[*query.Near]map[string]int{}
	}
	o.near[n] = dist
	return dist
}

// groups aggregates the matches plainly: a map from group key to the
// documents in it.
func (c *Catalog) groups(a *query.Aggregate, ids []query.DocID) []query.Group {
	members := map[string][]query.DocID{}
	var missing []query.DocID
	for _, id := range ids {
		var keys []string
		switch a.GroupBy {
		case "":
			keys = []string{""}
		case "tag":
			keys = query.Keywords(c.docs[id].Tags)
		case "folder", "collection", "lang":
			v, _ := c.Value(id, a.GroupBy)
			keys = []string{v.(string)}
			if a.GroupBy == "lang" && keys[0] == "" {
				keys = nil
			}
		default:
			v, _ := c.Value(id, a.GroupBy)
			keys = query.Keywords(v)
		}
		seen := map[string]bool{}
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				members[k] = append(members[k], id)
			}
		}
		if len(keys) == 0 {
			missing = append(missing, id)
		}
	}
	group := func(key string, isMissing bool, docs []query.DocID) query.Group {
		g := query.Group{Key: key, Missing: isMissing, Count: len(docs)}
		for _, m := range a.Metrics {
			var nums []float64
			dates := false
			for _, id := range docs {
				v, ok := c.Value(id, m.Field)
				if !ok {
					continue
				}
				if f, ok := query.Numeric(v); ok {
					nums = append(nums, f)
					_, isTime := v.(time.Time)
					dates = dates || isTime
				}
			}
			r := query.MetricResult{Metric: m.String(), Count: len(nums)}
			if len(nums) > 0 {
				var f float64
				switch m.Op {
				case "min":
					f = slices.Min(nums)
				case "max":
					f = slices.Max(nums)
				case "sum", "avg":
					for _, x := range nums {
						f += x
					}
					if m.Op == "avg" {
						f /= float64(len(nums))
					}
				}
				r.Value = f
				if dates && m.Op != "sum" {
					r.Value = query.NumberTime(f)
				}
				if math.IsNaN(f) {
					r.Value = nil
				}
			}
			g.Metrics = append(g.Metrics, r)
		}
		return g
	}
	var out []query.Group
	for k, docs := range members {
		out = append(out, group(k, false, docs))
	}
	slices.SortFunc(out, func(x, y query.Group) int { return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Key, y.Key)) })
	if len(missing) > 0 {
		out = append(out, group("", true, missing))
	}
	return out
}
