// Package querytest draws random queries for the tests that check the
// planner and the catalogs against memcat's brute-force oracle. It is test
// support: nothing in kotadb imports it.
package querytest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph"
	"github.com/kotadb/kotadb/query"
)

// Gen draws random queries of every kind from what a set of documents
// contains (and some things it does not): tags, paths, folders, frontmatter
// fields (nested ones too), link targets and collections. Text clauses come
// from a pool the caller gives (see Texts), so that a test can keep to the
// clauses its catalog and the oracle define the same way.
type Gen struct {
	r       *rand.Rand
	texts   []query.Text
	tags    []string
	paths   []string
	folders []string
	fields  map[string][]any
	names   []string // field names, sorted
	notes   []string
	colls   []string
}

// New returns a generator over docs that draws text clauses from texts.
func New(r *rand.Rand, docs []index.Doc, texts []query.Text) *Gen {
	g := &Gen{r: r, texts: texts, fields: map[string][]any{}}
	seen := map[*[]string]map[string]bool{}
	add := func(list *[]string, s string) {
		if seen[list] == nil {
			seen[list] = map[string]bool{}
		}
		if s != "" && !seen[list][s] {
			seen[list][s] = true
			*list = append(*list, s)
		}
	}
	for _, d := range docs {
		for _, t := range d.Tags {
			add(&g.tags, t)
			if i := strings.IndexByte(t, '/'); i > 0 {
				add(&g.tags, t[:i])
			}
		}
		add(&g.paths, d.Path)
		if i := strings.LastIndexByte(d.Path, '/'); i > 0 {
			add(&g.folders, d.Path[:i+1])
		}
		for name, v := range d.Fields {
			if len(g.fields[name]) < 30 {
				g.fields[name] = append(g.fields[name], v)
			}
			if m, ok := v.(map[string]any); ok {
				for k, e := range m {
					if nested := name + "." + k; len(g.fields[nested]) < 30 {
						g.fields[nested] = append(g.fields[nested], e)
					}
				}
			}
		}
		for _, l := range d.Links {
			add(&g.notes, l.Target)
		}
		add(&g.notes, d.Path)
		add(&g.colls, d.Collection)
	}
	for name := range g.fields {
		g.names = append(g.names, name)
	}
	sort.Strings(g.names)
	g.tags = append(g.tags, "no/such/tag")
	return g
}

func (g *Gen) pick(list []string) string {
	if len(list) == 0 {
		return "x"
	}
	return list[g.r.IntN(len(list))]
}

// Query draws a query. withText says whether text clauses may appear;
// without them (or without a pool) a tag takes their place.
func (g *Gen) Query(withText bool) *query.Query {
	q := &query.Query{Version: query.Version, Where: g.expr(0, withText)}
	if g.r.IntN(8) == 0 {
		q.Where = nil
	}
	sortKeys := []string{"score", "created", "updated", "path", "title", "key"}
	for _, name := range g.names {
		sortKeys = append(sortKeys, "field."+name)
	}
	for range g.r.IntN(3) {
		q.Sort = append(q.Sort, query.SortKey{Field: g.pick(sortKeys), Desc: g.r.IntN(2) == 0})
	}
	q.Limit = []int{0, 1, 3, 10, 50}[g.r.IntN(5)]
	q.Offset = []int{0, 0, 0, 2, 15}[g.r.IntN(5)]
	if g.r.IntN(3) == 0 {
		q.Select = []string{"path", "score", "title", "tags", "links", "created", "lang", "folder", "collection"}[:2+g.r.IntN(7)]
		if len(g.names) > 0 {
			q.Select = append(q.Select, "field."+g.pick(g.names))
		}
	}
	if g.r.IntN(4) == 0 {
		groups := []string{"", "tag", "folder", "collection", "lang"}
		if len(g.names) > 0 {
			groups = append(groups, "field."+g.pick(g.names))
		}
		a := &query.Aggregate{GroupBy: groups[g.r.IntN(len(groups))]}
		for range g.r.IntN(3) {
			field := []string{"created", "updated", "field.priority", "field.due"}[g.r.IntN(4)]
			a.Metrics = append(a.Metrics, query.Metric{Op: query.MetricOps[g.r.IntN(4)], Field: field})
		}
		q.Aggregate = a
	}
	return q
}

func (g *Gen) expr(depth int, withText bool) query.Expr {
	if depth < 3 && g.r.IntN(3) == 0 {
		var list []query.Expr
		for range 2 + g.r.IntN(2) {
			list = append(list, g.expr(depth+1, withText))
		}
		switch g.r.IntN(3) {
		case 0:
			return &query.Or{Exprs: list}
		case 1:
			return &query.Not{Expr: list[0]}
		}
		return &query.And{Exprs: list}
	}
	return g.leaf(withText)
}

func (g *Gen) leaf(withText bool) query.Expr {
	r := g.r
	switch r.IntN(16) {
	case 0, 1, 2:
		if withText && len(g.texts) > 0 {
			t := g.texts[r.IntN(len(g.texts))]
			return &t
		}
		return &query.Tag{Name: g.pick(g.tags)}
	case 3, 4:
		return &query.Tag{Name: g.pick(g.tags), Exact: r.IntN(3) == 0}
	case 5:
		switch r.IntN(4) {
		case 0:
			return &query.Path{Op: query.PathPrefix, Value: g.pick(g.folders)}
		case 1:
			return &query.Path{Op: query.PathGlob, Value: g.pick(g.folders) + []string{"*", "**", "*.md", "**/*.go"}[r.IntN(4)]}
		case 2:
			return &query.Path{Op: query.PathEq, Value: g.pick(g.paths)}
		}
		lo, hi := g.pick(g.paths), g.pick(g.paths)
		if lo > hi {
			lo, hi = hi, lo
		}
		return &query.Path{Op: query.PathRange, Lo: lo, Hi: hi}
	case 6, 7, 8:
		return g.field()
	case 9:
		d := &query.Date{Field: []string{"created", "updated"}[r.IntN(2)]}
		date := func() query.Value {
			return query.DateOf([]string{"2024", "2024-06", "2024-08-09", "2025-02-14", "today", "yesterday", "this-week", "last-week", "last-month",
				"this-year", "-7d", "-30d", "-1y", "2024-03-01T10:00"}[r.IntN(14)])
		}
		if r.IntN(2) == 0 {
			d.Cond = query.Cond{Op: query.CondEq, Value: date()}
		} else {
			d.Cond = query.Cond{Op: query.CondRange, Lo: &query.Bound{Value: date(), Inclusive: r.IntN(2) == 0}}
			if r.IntN(2) == 0 {
				d.Cond.Hi = &query.Bound{Value: date(), Inclusive: r.IntN(2) == 0}
			}
		}
		return d
	case 10:
		if r.IntN(2) == 0 {
			return &query.Collection{Name: g.pick(append(slices.Clone(g.colls), "nope"))}
		}
		return &query.Lang{Name: []string{"markdown", "go", "python"}[r.IntN(3)]}
	case 11:
		kinds := graph.Kind(0)
		if r.IntN(3) == 0 {
			kinds = graph.Kind(1 + r.IntN(int(graph.AllKinds)))
		}
		if r.IntN(2) == 0 {
			return &query.LinksTo{Note: g.pick(g.notes), Kinds: kinds}
		}
		return &query.LinkedFrom{Note: g.pick(g.notes), Kinds: kinds}
	case 12:
		return &query.Near{Note: g.pick(g.notes), Depth: r.IntN(4), Kinds: graph.Kind(r.IntN(int(graph.AllKinds) + 1)), Direction: graph.Direction(r.IntN(3))}
	case 13:
		return &query.Between{From: g.pick(g.notes), To: g.pick(g.notes), Depth: r.IntN(6), Direction: graph.Direction(r.IntN(3))}
	case 14:
		return &query.Field{Name: g.pick(g.names), Cond: query.Cond{Op: query.CondExists}}
	}
	if r.IntN(2) == 0 {
		return &query.Orphan{}
	}
	return &query.Unresolved{}
}

// field draws a condition on a frontmatter field from its real values.
func (g *Gen) field() query.Expr {
	r := g.r
	if len(g.names) == 0 {
		return &query.Field{Name: "status", Cond: query.Cond{Op: query.CondExists}}
	}
	name := g.pick(g.names)
	if r.IntN(10) == 0 {
		name = "nosuchfield"
	}
	if r.IntN(4) == 0 {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	values := g.fields[strings.ToLower(name)]
	if values == nil {
		values = g.fields[name]
	}
	value := func() query.Value {
		if len(values) == 0 {
			return query.Str("x")
		}
		switch v := values[r.IntN(len(values))].(type) {
		case string:
			if r.IntN(2) == 0 {
				return query.Str(strings.ToUpper(v))
			}
			return query.Str(v)
		case int64:
			return query.Num(float64(v))
		case int:
			return query.Num(float64(v))
		case float64:
			return query.Num(v)
		case bool:
			return query.Bool(v)
		case time.Time:
			return query.DateOf(v.Format(time.DateOnly))
		case []any:
			if len(v) > 0 {
				return query.Literal(fmt.Sprint(v[0]))
			}
		}
		return query.Str("x")
	}
	num := func() query.Value {
		if r.IntN(3) == 0 {
			return query.DateOf([]string{"2024-01-01", "today", "-30d", "2025-03"}[r.IntN(4)])
		}
		return query.Num(float64(r.IntN(12)) / 2)
	}
	c := query.Cond{}
	switch r.IntN(5) {
	case 0:
		c.Op = query.CondExists
	case 1:
		c.Op = query.CondIn
		c.Values = []query.Value{value(), value()}
	case 2:
		c.Op = query.CondRange
		c.Lo = &query.Bound{Value: num(), Inclusive: r.IntN(2) == 0}
		if r.IntN(2) == 0 {
			c.Hi = &query.Bound{Value: num(), Inclusive: r.IntN(2) == 0}
			if c.Lo.Value.Kind == query.NumberValue && c.Hi.Value.Kind == query.NumberValue && c.Lo.Value.Num > c.Hi.Value.Num {
				c.Lo, c.Hi = &query.Bound{Value: c.Hi.Value, Inclusive: c.Lo.Inclusive}, &query.Bound{Value: c.Lo.Value, Inclusive: c.Hi.Inclusive}
			}
		}
	default:
		c.Op = query.CondEq
		c.Value = value()
	}
	return &query.Field{Name: name, Cond: c}
}

// Texts draws n text clauses of every kind from the words of docs (and a
// word no document has): terms (fuzzy, in one field, or exact with a
// capital), phrases, prefixes, substrings and regexes.
func Texts(r *rand.Rand, docs []index.Doc, n int) []query.Text {
	var words, phrases, texts []string
	seen := map[string]bool{}
	add := func(list *[]string, s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			*list = append(*list, s)
		}
	}
	for _, d := range docs {
		toks := strings.FieldsFunc(string(d.Text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for i, tok := range toks {
			if i%7 == 0 {
				add(&words, strings.ToLower(tok))
			}
			if i%23 == 0 && i+1 < len(toks) {
				add(&phrases, strings.ToLower(tok+" "+toks[i+1]))
			}
		}
		if len(d.Text) > 40 {
			add(&texts, string(d.Text))
		}
	}
	words = append(words, "absentword")
	pick := func(list []string) string {
		if len(list) == 0 {
			return "x"
		}
		return list[r.IntN(len(list))]
	}
	out := make([]query.Text, 0, n)
	for range n {
		var t query.Text
		switch r.IntN(5) {
		case 0, 1:
			t = query.Text{Value: pick(words)}
			switch r.IntN(5) {
			case 0:
				t.Fuzzy = 1 + r.IntN(2)
			case 1:
				t.Field = query.TextFields[r.IntN(3)]
			case 2:
				t.Exact = true
				t.Value = strings.ToUpper(t.Value[:1]) + t.Value[1:]
			}
		case 2:
			t = query.Text{Kind: query.Phrase, Value: pick(phrases), Field: []string{"", "", "body"}[r.IntN(3)]}
		case 3:
			w := pick(words)
			t = query.Text{Kind: query.Prefix, Value: w[:min(len(w), 1+r.IntN(4))]}
		default:
			text := []rune(pick(texts))
			i := r.IntN(max(len(text)-8, 1))
			if r.IntN(2) == 0 {
				t = query.Text{Kind: query.Substring, Value: string(text[i:min(i+3+r.IntN(6), len(text))])}
			} else {
				t = query.Text{Kind: query.Regex, Value: "(?i)" + pick(words) + "|" + pick(words)}
			}
		}
		out = append(out, t)
	}
	return out
}
