package query_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph/graphtest"
	"github.com/kotadb/kotadb/query"
	"github.com/kotadb/kotadb/query/memcat"
	"github.com/kotadb/kotadb/query/querytest"
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
	texts := querytest.Texts(rand.New(rand.NewPCG(seed, 4)), docs, 400)
	g := querytest.New(rand.New(rand.NewPCG(seed, 3)), docs, texts)
	kinds := map[string]int{}
	nonEmpty := 0
	for i := range n {
		q := g.Query(true)
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
