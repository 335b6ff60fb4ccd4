package query_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kotadb/kotadb/query"
	"github.com/kotadb/kotadb/query/memcat"
)

func run(t *testing.T, c query.Catalog, kql string) (*query.Result, *query.Plan) {
	t.Helper()
	q, err := query.ParseKQL(kql)
	if err != nil {
		t.Fatalf("ParseKQL(%q): %v", kql, err)
	}
	p, err := query.NewPlan(q, c, testOpts)
	if err != nil {
		t.Fatalf("NewPlan(%q): %v", kql, err)
	}
	res, err := p.Execute(context.Background())
	if err != nil {
		t.Fatalf("Execute(%q): %v", kql, err)
	}
	return res, p
}

func keys(res *query.Result) string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, strings.TrimPrefix(h.Key, "v/"))
	}
	return strings.Join(out, " ")
}

// TestQueries checks answers worked out by hand on the fixture (testNow is
// 2025-03-12).
func TestQueries(t *testing.T) {
	c := fixtureCatalog(t)
	tests := []struct {
		kql  string
		want string // hit paths in order
	}{
		{`tag:project/kota sort:path`, "archive/old-kota.md projects/kota/Plan.md projects/kota/README.md"},
		{`tag:project sort:path`, "archive/old-kota.md projects/kota/Plan.md projects/kota/README.md"},
		{`tag:=project`, ""},
		{`#lang sort:path`, "notes/go.md notes/rust.md"},
		{`tag:project/kota -tag:archive sort:path`, "projects/kota/Plan.md projects/kota/README.md"},
		{`status:active sort:path`, "Roadmap.md UX Research/Persona.md notes/go.md projects/kota/README.md"},
		{`status:active,paused sort:path`, "Roadmap.md UX Research/Persona.md notes/go.md projects/kota/Plan.md projects/kota/README.md"},
		{`priority:>=2 sort:-field.priority`, "Roadmap.md projects/kota/README.md UX Research/Persona.md projects/kota/Plan.md"},
		{`priority:1 sort:path`, "archive/old-kota.md notes/rust.md"},
		{`priority:1..2 sort:path`, "UX Research/Persona.md archive/old-kota.md projects/kota/Plan.md"}, // "1" is a string
		{`owner:bo`, "projects/kota/README.md"},
		{`draft:false`, "notes/go.md"},
		{`has:draft -draft:true`, "notes/go.md"},
		{`due:<2025-05-01`, "projects/kota/Plan.md"},
		{`due:2025-06-30`, "Roadmap.md"},
		{`nosuchfield:x`, ""},
		{`created:2025-02 sort:created`, "notes/rust.md notes/go.md"},
		{`updated:yesterday`, "Roadmap.md notes/daily/2025-03-11.md"},
		{`updated:>=-2d sort:-updated`, "notes/rust.md Roadmap.md notes/daily/2025-03-11.md"},
		{`created:<2024 sort:created`, "archive/old-kota.md"},
		{`updated:last-week sort:updated`, "projects/kota/README.md Roadmap.md notes/daily/2025-03-11.md notes/rust.md"},
		{`path:notes/ sort:path`, "notes/daily/2025-03-11.md notes/go.md notes/lonely.md notes/rust.md"},
		{`path:notes/* sort:path`, "notes/go.md notes/lonely.md notes/rust.md"},
		{`path:**/*.go`, "scripts/build.go"},
		{`path:"UX Research/"`, "UX Research/Persona.md"},
		{`path:=Roadmap.md`, "Roadmap.md"},
		{`path:n..p sort:path`, "notes/daily/2025-03-11.md notes/go.md notes/lonely.md notes/rust.md"},
		{`lang:go`, "scripts/build.go"},
		{`in:v tag:ux`, "UX Research/Persona.md"},
		{`in:w`, ""},
		{`links:[[Roadmap]] sort:path`, "notes/daily/2025-03-11.md notes/rust.md projects/kota/Plan.md projects/kota/README.md"},
		{`links:[[Roadmap]] edges:wikilink sort:path`, "notes/daily/2025-03-11.md projects/kota/Plan.md projects/kota/README.md"},
		{`backlinks:[[Roadmap]]`, "projects/kota/README.md"},
		{`backlinks:RM`, "projects/kota/README.md"},
		{`links:Kota`, ""}, // a title is not a note name: [[Kota]] dangles
		{`links:[[projects/kota/README]]`, "Roadmap.md"},
		{`links:"v/projects/kota/README.md"`, "Roadmap.md"},
		{`near:[[Plan]]`, "Roadmap.md projects/kota/README.md"},
		{`near:[[Plan]] depth:2 sort:path`, "Roadmap.md notes/daily/2025-03-11.md notes/rust.md projects/kota/README.md"},
		{`near:[[Plan]] depth:2`, "Roadmap.md projects/kota/README.md notes/daily/2025-03-11.md notes/rust.md"},
		{`near:[[Plan]] depth:2 edges:wikilink`, "Roadmap.md notes/daily/2025-03-11.md projects/kota/README.md"},
		{`near:[[Plan]] dir:in`, "projects/kota/README.md"},
		{`between:[[notes/go.md]]..[[Plan]]`, "notes/go.md notes/rust.md Roadmap.md projects/kota/Plan.md"},
		{`between:[[notes/go.md]]..[[Plan]] dir:out`, "notes/go.md notes/rust.md Roadmap.md projects/kota/README.md projects/kota/Plan.md"},
		{`between:[[notes/go.md]]..[[Plan]] dir:out depth:3`, ""},
		{`between:[[notes/go.md]]..[[old-kota]]`, ""},
		{`is:orphan sort:path`, "UX Research/Persona.md archive/old-kota.md notes/lonely.md scripts/build.go"},
		{`is:unresolved sort:path`, "Roadmap.md UX Research/Persona.md archive/old-kota.md notes/daily/2025-03-11.md notes/rust.md"},
		{`rust`, "notes/rust.md archive/old-kota.md projects/kota/README.md projects/kota/Plan.md"},
		{`title:rust`, "notes/rust.md"},
		{`heading:goals`, "projects/kota/README.md"},
		{`"error handling" sort:path`, "archive/old-kota.md notes/rust.md projects/kota/Plan.md projects/kota/README.md"},
		{`"handling error"`, ""},
		{`gorout*`, "notes/go.md"},
		{`rusty~1 sort:path`, "archive/old-kota.md notes/rust.md projects/kota/Plan.md projects/kota/README.md"},
		{`exact:Rust sort:path`, "archive/old-kota.md notes/rust.md projects/kota/Plan.md projects/kota/README.md"},
		{`exact:sub:Rust sort:path`, "archive/old-kota.md notes/rust.md projects/kota/README.md"},
		{`path:ux*`, ""}, // * stays within a folder
		{`path:ux**`, "UX Research/Persona.md"},
		{`path:=roadmap.MD`, "Roadmap.md"},
		{`in:V tag:UX lang:MARKDOWN`, "UX Research/Persona.md"},
		{`sub:"? operator"`, "notes/rust.md"},
		{`/[Gg]oroutines?/`, "notes/go.md"},
		{`/ROADMAP/i sort:path`, "Roadmap.md notes/daily/2025-03-11.md projects/kota/README.md"},
		{`rust -tag:archive OR persona sort:path`, "UX Research/Persona.md notes/rust.md projects/kota/Plan.md projects/kota/README.md"},
		{`(rust OR go) -path:notes/ sort:path`, "archive/old-kota.md projects/kota/Plan.md projects/kota/README.md"},
		{`sort:path limit:3 offset:2`, "archive/old-kota.md notes/daily/2025-03-11.md notes/go.md"},
		{`sort:-title limit:2`, "notes/rust.md Roadmap.md"},
		{`sort:title limit:2`, "notes/daily/2025-03-11.md notes/go.md"},
		{`sort:-created limit:1 offset:20`, ""},
	}
	for _, tt := range tests {
		res, _ := run(t, c, tt.kql)
		if got := keys(res); got != tt.want {
			t.Errorf("%s\n got  %s\n want %s", tt.kql, got, tt.want)
		}
	}
}

// The scores: a note matching more text ranks higher, proximity ranks near
// notes by distance, and a path comes back in path order.
func TestScores(t *testing.T) {
	c := fixtureCatalog(t)
	res, _ := run(t, c, `near:[[Plan]] depth:2 select:score`)
	for _, h := range res.Hits {
		want := 0.5
		if strings.HasSuffix(h.Key, "Roadmap.md") || strings.HasSuffix(h.Key, "README.md") {
			want = 1
		}
		if h.Score != want || h.Fields["score"] != want {
			t.Errorf("%s: score %v, want %v", h.Key, h.Score, want)
		}
	}
	res, _ = run(t, c, `rust`)
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i-1].Score < res.Hits[i].Score || res.Hits[i].Score <= 0 {
			t.Errorf("scores not descending and positive: %+v", res.Hits)
		}
	}
	res, _ = run(t, c, `tag:planning`)
	for _, h := range res.Hits {
		if h.Score != 0 {
			t.Errorf("a filter-only query scored %s %v", h.Key, h.Score)
		}
	}
}

func TestProjectionAndAggregates(t *testing.T) {
	c := fixtureCatalog(t)
	res, _ := run(t, c, `tag:project/kota sort:path select:path,title,tags,field.status,field.nope,folder limit:1`)
	want := map[string]any{"path": "archive/old-kota.md", "title": "Old Kota", "tags": []string{"archive", "project/kota"},
		"field.status": "done", "folder": "archive"}
	if res.Total != 3 || len(res.Hits) != 1 {
		t.Fatalf("total %d, hits %d", res.Total, len(res.Hits))
	}
	if diff := cmp.Diff(want, res.Hits[0].Fields); diff != "" {
		t.Errorf("projection (-want +got):\n%s", diff)
	}
	res, _ = run(t, c, `has:status group:field.status agg:avg(field.priority),max(field.due),min(created),sum(field.priority) limit:0`)
	got := fmt.Sprint(res.Groups)
	wantGroups := "[{active false 4 [{avg(field.priority) 3.3333333333333335 3} {max(field.due) 2025-06-30 00:00:00 +0000 UTC 1} {min(created) 2024-06-01 00:00:00 +0000 UTC 4} {sum(field.priority) 10 3}]} " +
		"{done false 1 [{avg(field.priority) 1 1} {max(field.due) <nil> 0} {min(created) 2023-05-01 00:00:00 +0000 UTC 1} {sum(field.priority) 1 1}]} " +
		"{paused false 1 [{avg(field.priority) 2 1} {max(field.due) 2025-04-01 00:00:00 +0000 UTC 1} {min(created) 2025-01-06 00:00:00 +0000 UTC 1} {sum(field.priority) 2 1}]}]"
	if got != wantGroups {
		t.Errorf("groups\n got  %s\n want %s", got, wantGroups)
	}
	res, _ = run(t, c, `path:notes/ group:tag`)
	if got := fmt.Sprint(res.Groups); got != "[{daily false 1 []} {lang/go false 1 []} {lang/rust false 1 []} { true 1 []}]" {
		t.Errorf("group by tag: %s", got)
	}
	res, _ = run(t, c, `agg:count`)
	if got := fmt.Sprint(res.Groups); got != "[{ false 10 []}]" {
		t.Errorf("count: %s", got)
	}
}

// TestExplain pins the explain output: estimated and actual candidates per
// step, how ranking and ordering went, and why something matched nothing.
func TestExplain(t *testing.T) {
	c := fixtureCatalog(t)
	cases := []struct{ name, kql string }{
		{"text_and_filters", `rust "error handling" tag:project/kota -tag:archive status:active`},
		{"unknown_tag", `tag:foo rust`},
		{"unknown_field", `nosuch:x`},
		{"unknown_value", `status:nope`},
		{"unknown_note", `links:[[Missing]] OR near:[[Nowhere]]`},
		{"ordered_scan", `-tag:archive sort:-updated limit:2`},
		{"top_k", `rust limit:1`},
		{"or_of_text", `(rust OR goroutines) path:notes/`},
		{"graph", `near:[[Plan]] depth:2 is:unresolved`},
		{"dates", `created:2025 updated:>=last-week due:<2025-05-01`},
		{"everything", ``},
		{"aggregate", `has:status group:folder agg:avg(field.priority) limit:0`},
	}
	for _, tc := range cases {
		q := query.MustParseKQL(tc.kql)
		p, err := query.NewPlan(q, c, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		before := p.Explain()
		if _, err := p.Execute(context.Background()); err != nil {
			t.Fatal(err)
		}
		golden(t, "explain/"+tc.name+".golden", "before execution:\n"+before+"\nafter execution:\n"+p.Explain())
	}
}

// A selective filter runs first, so text is matched and ranked only on its
// survivors; a lone text clause asks for the top hits only.
func TestPlanReadsLittle(t *testing.T) {
	c := fixtureCatalog(t)
	_, p := run(t, c, `error tag:archive`)
	if c.Counts.Scored != 1 {
		t.Errorf("scored %d documents, want only the 1 survivor of tag:archive\n%s", c.Counts.Scored, p.Explain())
	}
	if ex := p.Explain(); !strings.Contains(ex, "├─ tag:archive (and nested tags)         1         1  all\n  └─ error (ranked)                        4         1  1") {
		t.Errorf("explain does not show the tag first and text on 1 candidate:\n%s", ex)
	}

	c = fixtureCatalog(t)
	_, p = run(t, c, `tag:nothing "error handling" rust`)
	if c.Counts.Search != 0 {
		t.Errorf("an empty filter still ran %d text searches\n%s", c.Counts.Search, p.Explain())
	}

	c = fixtureCatalog(t)
	_, p = run(t, c, `rust limit:1`)
	if !strings.Contains(p.Explain(), "top 1 asked of the index") {
		t.Errorf("lone text clause did not ask for the top hit only:\n%s", p.Explain())
	}

	c = fixtureCatalog(t)
	_, p = run(t, c, `sort:created limit:2`)
	if ex := p.Explain(); !strings.Contains(ex, "ordered scan of created asc, key asc, stopped after 2 of 10") || c.Counts.Ordered != 1 {
		t.Errorf("sort by an indexed field did not stop early:\n%s", ex)
	}

	c = fixtureCatalog(t)
	res, p := run(t, c, `tag:planning sort:path`)
	if c.Counts.Search != 0 || res.Total != 2 {
		t.Errorf("a filter sorted by path ran %d searches", c.Counts.Search)
	}
	if ex := p.Explain(); strings.Contains(ex, "ranking:") {
		t.Errorf("scores computed though nothing needs them:\n%s", ex)
	}
}

// Ties in an ordered scan are read through, so the tie-break by key is the
// same as a full sort's.
func TestOrderedScanTies(t *testing.T) {
	docs := fixture()
	for i := range docs {
		docs[i].Updated = day("2025-01-01")
	}
	docs[3].Updated = day("2025-02-01")
	c, err := memcat.New(docs)
	if err != nil {
		t.Fatal(err)
	}
	for limit := 1; limit <= 11; limit++ {
		kql := fmt.Sprintf("sort:-updated limit:%d", limit)
		res, p := run(t, c, kql)
		want, err := c.Evaluate(query.MustParseKQL(kql), testOpts)
		if err != nil {
			t.Fatal(err)
		}
		if keys(res) != keys(want) {
			t.Errorf("%s: %s, want %s\n%s", kql, keys(res), keys(want), p.Explain())
		}
	}
}

func TestExecuteOnce(t *testing.T) {
	c := fixtureCatalog(t)
	p, err := query.NewPlan(query.MustParseKQL("rust"), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Execute(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Execute(context.Background()); !errors.Is(err, query.ErrExecuted) {
		t.Errorf("second Execute: %v", err)
	}
}

func TestExecuteCanceled(t *testing.T) {
	c := fixtureCatalog(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, err := query.NewPlan(query.MustParseKQL("rust tag:project"), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Execute(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Execute on a canceled context: %v", err)
	}
}

func TestNewPlanRejectsInvalid(t *testing.T) {
	c := fixtureCatalog(t)
	_, err := query.NewPlan(&query.Query{Where: &query.Near{Note: "x", Depth: 8}}, c, nil)
	var qe *query.Error
	if !errors.As(err, &qe) || qe.Path != "where.near.depth" {
		t.Errorf("NewPlan with depth 8: %v", err)
	}
	if _, err := query.NewPlan(nil, c, nil); err != nil {
		t.Errorf("NewPlan(nil) = %v, want the match-all query", err)
	}
}

// Relative dates resolve at the plan's clock.
func TestPlanClock(t *testing.T) {
	c := fixtureCatalog(t)
	q := query.MustParseKQL("updated:today")
	for now, want := range map[time.Time]int{testNow: 1, day("2025-03-11").Add(time.Hour): 2, day("2030-01-01"): 0} {
		p, err := query.NewPlan(q, c, &query.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Execute(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != want {
			t.Errorf("updated:today at %v: %d hits, want %d", now, res.Total, want)
		}
	}
}
