package query_test

import (
	"context"
	"encoding/json"
	"fmt"

	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph"
	"github.com/kotadb/kotadb/index/graph/graphtest"
	"github.com/kotadb/kotadb/query"
	"github.com/kotadb/kotadb/query/memcat"
)

// TestRandomQueriesVsOracle builds random queries of every kind from what
// a corpus contains (and some things it does not) and checks that planning
// and executing them gives exactly what the brute-force oracle gives. Each
// query also goes through JSON and KQL and must come back the same.
func TestRandomQueriesVsOracle(t *testing.T) {
	t.Run("generated", func(t *testing.T) { checkRandom(t, generatedDocs(rand.New(rand.NewPCG(1, 2)), 300), 400, 7) })
	t.Run("dwarves-brain", func(t *testing.T) { checkRandom(t, graphtest.Load(t, "dwarves-brain"), 300, 11) })
}

func checkRandom(t *testing.T, docs []index.Doc, n int, seed uint64) {
	c, err := memcat.New(docs)
	if err != nil {
		t.Fatal(err)
	}
	g := newQueryGen(rand.New(rand.NewPCG(seed, 3)), docs)
	kinds := map[string]int{}
	nonEmpty := 0
	for i := range n {
		q := g.query()
		countKinds(q.Where, kinds)
		got, explain := execute(t, c, q)
		want, err := c.Evaluate(q, testOpts)
		if err != nil {
			t.Fatalf("oracle on %s: %v", q, err)
		}
		if want.Total > 0 {
			nonEmpty++
		}
		if d := diffResults(q, want, got); d != "" {
			js, _ := json.Marshal(q)
			t.Fatalf("query %d: %s\n%s\nplanner differs from the oracle (-oracle +planner):\n%s\n%s", i, q, js, d, explain)
		}
		// The JSON form round-trips exactly.
		js, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		back, err := query.DecodeJSON(js)
		if err != nil {
			t.Fatalf("query %s: its JSON %s does not decode: %v", q, js, err)
		}
		if !reflect.DeepEqual(back, q) {
			t.Fatalf("JSON round trip changed %s:\n%s", q, js)
		}
		// KQL says the same thing, if not always in the same words.
		kq, err := query.ParseKQL(q.String())
		if err != nil {
			t.Fatalf("query %s: printed KQL does not parse: %v", q, err)
		}
		again, err := c.Evaluate(kq, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffResults(q, want, again); d != "" {
			t.Fatalf("query %s means something else as KQL %s:\n%s", js, kq, d)
		}
	}
	t.Logf("%d queries, %d with hits; leaves: %v", n, nonEmpty, kinds)
	if nonEmpty < n/4 {
		t.Errorf("only %d of %d random queries matched anything; the generator is too far off the corpus", nonEmpty, n)
	}
}

func execute(t *testing.T, c query.Catalog, q *query.Query) (*query.Result, string) {
	t.Helper()
	p, err := query.NewPlan(q, c, testOpts)
	if err != nil {
		t.Fatalf("NewPlan(%s): %v", q, err)
	}
	res, err := p.Execute(context.Background())
	if err != nil {
		t.Fatalf("Execute(%s): %v", q, err)
	}
	return res, p.Explain()
}

func diffResults(q *query.Query, want, got *query.Result) string {
	scored := slices.Contains(q.Select, "score") || len(q.Sort) == 0 || slices.ContainsFunc(q.Sort, func(k query.SortKey) bool { return k.Field == "score" })
	opts := []cmp.Option{
		cmpopts.EquateApprox(1e-9, 1e-9),
		cmp.Comparer(func(a, b time.Time) bool { return a.Sub(b).Abs() < time.Millisecond }),
		cmpopts.EquateEmpty(),
	}
	if !scored {
		opts = append(opts, cmpopts.IgnoreFields(query.Hit{}, "Score"))
	}
	return cmp.Diff(want, got, opts...)
}

func countKinds(e query.Expr, kinds map[string]int) {
	switch n := e.(type) {
	case *query.And:
		for _, c := range n.Exprs {
			countKinds(c, kinds)
		}
	case *query.Or:
		for _, c := range n.Exprs {
			countKinds(c, kinds)
		}
	case *query.Not:
		countKinds(n.Expr, kinds)
	case nil:
	default:
		kinds[strings.TrimPrefix(fmt.Sprintf("%T", e), "*query.")]++
	}
}

// generatedDocs is a synthetic vault with every kind of value the model
// knows: numbers, strings, booleans, dates, lists, nested tags, links of
// every kind (some dangling), aliases, several collections and languages.
func generatedDocs(r *rand.Rand, n int) []index.Doc {
	words := strings.Fields("rust go error handling plan roadmap kota graph query index search vault note link tag date " +
		"planner cost estimate bitmap phrase prefix fuzzy trigram segment merge compaction agent memory")
	folders := []string{"", "notes/", "notes/daily/", "projects/kota/", "projects/lima/", "archive/", "UX Research/"}
	statuses := []any{"active", "Active", "paused", "done", int64(2), true, []any{"active", "review"}}
	var docs []index.Doc
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s %d", words[r.IntN(len(words))], i)
	}
	for i := range n {
		coll := []string{"v", "v", "v", "w"}[r.IntN(4)]
		path := folders[r.IntN(len(folders))] + names[i] + ".md"
		lang := "markdown"
		if r.IntN(10) == 0 {
			path, lang = strings.TrimSuffix(path, ".md")+".go", "go"
		}
		var body []string
		for range 5 + r.IntN(40) {
			body = append(body, words[r.IntN(len(words))])
		}
		d := index.Doc{Key: coll + "/" + path, Collection: coll, Path: path, Lang: lang,
			Title:   names[i],
			Created: testNow.Add(-time.Duration(r.IntN(800*24)) * time.Hour),
			Fields:  map[string]any{}}
		d.Updated = d.Created.Add(time.Duration(r.IntN(200*24)) * time.Hour)
		if r.IntN(3) > 0 {
			d.Fields["status"] = statuses[r.IntN(len(statuses))]
		}
		if r.IntN(2) == 0 {
			d.Fields["priority"] = []any{int64(r.IntN(5)), float64(r.IntN(10)) / 2, fmt.Sprint(r.IntN(5))}[r.IntN(3)]
		}
		if r.IntN(3) == 0 {
			d.Fields["due"] = []any{testNow.AddDate(0, 0, r.IntN(60)-30), testNow.AddDate(0, 0, r.IntN(60)-30).Format(time.DateOnly)}[r.IntN(2)]
		}
		if r.IntN(4) == 0 {
			d.Fields["draft"] = r.IntN(2) == 0
		}
		for range r.IntN(3) {
			d.Tags = append(d.Tags, []string{"project", "project/kota", "project/lima", "lang/rust", "lang/go", "archive", "daily"}[r.IntN(7)])
		}
		slices.Sort(d.Tags)
		d.Tags = slices.Compact(d.Tags)
		if r.IntN(8) == 0 {
			d.Aliases = []string{"alias " + names[i]}
		}
		for j := range r.IntN(4) {
			target := names[r.IntN(n)]
			kind := []string{"wikilink", "wikilink", "embed", "markdown", "frontmatter"}[r.IntN(5)]
			switch {
			case r.IntN(10) == 0:
				target = "missing " + target
			case kind == "markdown":
				target = strings.ReplaceAll(target, " ", "%20") + ".md"
			}
			d.Links = append(d.Links, index.Link{Kind: kind, Target: target, Line: j + 1})
			body = append(body, "[["+target+"]]")
		}
		d.Headings = []index.Heading{{Level: 2, Text: words[r.IntN(len(words))] + " " + words[r.IntN(len(words))], Line: 2}}
		text := "# " + d.Title + "\n## " + d.Headings[0].Text + "\n" + strings.Join(body, " ") + "\n"
		d.Text = []byte(text)
		docs = append(docs, d)
	}
	return docs
}

// queryGen draws queries from what a corpus contains.
type queryGen struct {
	r       *rand.Rand
	words   []string
	phrases []string
	tags    []string
	paths   []string
	folders []string
	fields  map[string][]any
	names   []string // field names, sorted
	notes   []string
	colls   []string
	texts   []string
}

func newQueryGen(r *rand.Rand, docs []index.Doc) *queryGen {
	g := &queryGen{r: r, fields: map[string][]any{}}
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
		toks := strings.FieldsFunc(string(d.Text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for i, tok := range toks {
			if i%7 == 0 {
				add(&g.words, strings.ToLower(tok))
			}
			if i%23 == 0 && i+1 < len(toks) {
				add(&g.phrases, strings.ToLower(tok+" "+toks[i+1]))
			}
		}
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
		}
		for _, l := range d.Links {
			add(&g.notes, l.Target)
		}
		add(&g.notes, d.Path)
		add(&g.colls, d.Collection)
		if len(d.Text) > 40 {
			add(&g.texts, string(d.Text))
		}
	}
	for name := range g.fields {
		g.names = append(g.names, name)
	}
	sort.Strings(g.names)
	g.words = append(g.words, "absentword")
	g.tags = append(g.tags, "no/such/tag")
	return g
}

func (g *queryGen) pick(list []string) string {
	if len(list) == 0 {
		return "x"
	}
	return list[g.r.IntN(len(list))]
}

func (g *queryGen) query() *query.Query {
	q := &query.Query{Version: query.Version, Where: g.expr(0)}
	if g.r.IntN(6) == 0 {
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
		q.Select = []string{"path", "score"}
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

func (g *queryGen) expr(depth int) query.Expr {
	if depth < 3 && g.r.IntN(3) == 0 {
		var list []query.Expr
		for range 2 + g.r.IntN(2) {
			list = append(list, g.expr(depth+1))
		}
		switch g.r.IntN(3) {
		case 0:
			return &query.Or{Exprs: list}
		case 1:
			return &query.Not{Expr: list[0]}
		}
		return &query.And{Exprs: list}
	}
	return g.leaf()
}

func (g *queryGen) leaf() query.Expr {
	r := g.r
	switch r.IntN(17) {
	case 0, 1:
		t := &query.Text{Value: g.pick(g.words)}
		switch r.IntN(5) {
		case 0:
			t.Fuzzy = 1 + r.IntN(2)
		case 1:
			t.Field = query.TextFields[r.IntN(3)]
		case 2:
			t.Exact = true
			t.Value = strings.ToUpper(t.Value[:1]) + t.Value[1:]
		}
		return t
	case 2:
		return &query.Text{Kind: query.Phrase, Value: g.pick(g.phrases), Field: []string{"", "", "body"}[r.IntN(3)]}
	case 3:
		w := g.pick(g.words)
		return &query.Text{Kind: query.Prefix, Value: w[:min(len(w), 1+r.IntN(4))]}
	case 4:
		text := []rune(g.pick(g.texts))
		i := r.IntN(max(len(text)-8, 1))
		if r.IntN(2) == 0 {
			return &query.Text{Kind: query.Substring, Value: string(text[i:min(i+3+r.IntN(6), len(text))])}
		}
		return &query.Text{Kind: query.Regex, Value: "(?i)" + g.pick(g.words) + "|" + g.pick(g.words)}
	case 5, 6:
		return &query.Tag{Name: g.pick(g.tags), Exact: r.IntN(3) == 0}
	case 7:
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
	case 8, 9, 10:
		return g.field()
	case 11:
		d := &query.Date{Field: []string{"created", "updated"}[r.IntN(2)]}
		date := func() query.Value {
			return query.DateOf([]string{"2024", "2024-06", "2025-02-14", "today", "yesterday", "this-week", "last-week", "last-month",
				"this-year", "-7d", "-30d", "-1y", "2024-03-01T10:00"}[r.IntN(13)])
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
	case 12:
		if r.IntN(2) == 0 {
			return &query.Collection{Name: g.pick(append(g.colls, "nope"))}
		}
		return &query.Lang{Name: []string{"markdown", "go", "python"}[r.IntN(3)]}
	case 13:
		kinds := graph.Kind(0)
		if r.IntN(3) == 0 {
			kinds = graph.Kind(1 + r.IntN(int(graph.AllKinds)))
		}
		if r.IntN(2) == 0 {
			return &query.LinksTo{Note: g.pick(g.notes), Kinds: kinds}
		}
		return &query.LinkedFrom{Note: g.pick(g.notes), Kinds: kinds}
	case 14:
		return &query.Near{Note: g.pick(g.notes), Depth: r.IntN(4), Kinds: graph.Kind(r.IntN(int(graph.AllKinds) + 1)), Direction: graph.Direction(r.IntN(3))}
	case 15:
		return &query.Between{From: g.pick(g.notes), To: g.pick(g.notes), Depth: r.IntN(6), Direction: graph.Direction(r.IntN(3))}
	}
	if r.IntN(2) == 0 {
		return &query.Orphan{}
	}
	return &query.Unresolved{}
}

// field draws a condition on a frontmatter field from its real values.
func (g *queryGen) field() query.Expr {
	r := g.r
	if len(g.names) == 0 {
		return &query.Field{Name: "status", Cond: query.Cond{Op: query.CondExists}}
	}
	name := g.pick(g.names)
	if r.IntN(10) == 0 {
		name = "nosuchfield"
	}
	values := g.fields[name]
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
