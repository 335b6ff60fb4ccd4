package search

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index"
)

func TestSearchBasics(t *testing.T) {
	texts := map[string][]byte{}
	idx, _ := memIndex(t, Options{TextSource: func(key string, _ uint64) ([]byte, error) { return texts[key], nil }})
	defer idx.Close()
	docs := []*index.Doc{
		textDoc("c/a.md", "Running collectors", "The collector runs exporters.\n\nSet maintenance_work_mem and call useState()."),
		textDoc("c/b.md", "Other", "A collector of stamps. 可观测性 matters."),
		textDoc("c/c.md", "Nothing", "Unrelated words only."),
	}
	for _, d := range docs {
		texts[d.Key] = d.Text
	}
	mustApply(t, idx, puts(1, docs...))
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"stem group", Term{Text: "collectors"}, []string{"c/a.md", "c/b.md"}},
		{"exact form", Term{Text: "collectors", Exact: true}, []string{"c/a.md"}},
		{"identifier whole", Term{Text: "maintenance_work_mem"}, []string{"c/a.md"}},
		{"camel", Term{Text: "useState"}, []string{"c/a.md"}},
		{"cjk", Term{Text: "可观测性"}, []string{"c/b.md"}},
		{"phrase", Phrase{Terms: []string{"collector", "of", "stamps"}}, []string{"c/b.md"}},
		{"phrase miss", Phrase{Terms: []string{"stamps", "of"}}, nil},
		{"and not", And{Term{Text: "collector"}, Not{Term{Text: "stamps"}}}, []string{"c/a.md"}},
		{"or", Or{Term{Text: "unrelated"}, Term{Text: "stamps"}}, []string{"c/b.md", "c/c.md"}},
		{"prefix", Prefix{Text: "expo"}, []string{"c/a.md"}},
		{"title field", Term{Field: "title", Text: "collector"}, []string{"c/a.md"}},
		{"keyword path", KeywordTerm{Field: "path", Value: "b.md"}, []string{"c/b.md"}},
		{"substring", Substring{Text: "work_mem and"}, []string{"c/a.md"}},
		{"substring case", Substring{Text: "UNRELATED", CaseInsensitive: true}, []string{"c/c.md"}},
		{"substring case-sensitive miss", Substring{Text: "UNRELATED"}, nil},
		{"regex", Regex{Pattern: `use[A-Z]\w+\(`}, []string{"c/a.md"}},
		{"regex cjk", Regex{Pattern: `可观.性`}, []string{"c/b.md"}},
		{"not alone", Not{Term{Text: "collector"}}, []string{"c/c.md"}},
	}
	check := func(t *testing.T) {
		for _, tt := range tests {
			res := mustSearch(t, idx, tt.q, SearchOptions{Exact: true})
			got := hitKeys(res)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
			if res.Total != len(tt.want) {
				t.Errorf("%s: total %d, want %d", tt.name, res.Total, len(tt.want))
			}
		}
		mustCheck(t, idx)
	}
	t.Run("head", check)
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Run("segment", check)
	mustApply(t, idx, []index.Change{{Seq: 10, Key: "c/c.md", Delete: true}})
	for i := range tests {
		tests[i].want = slices.DeleteFunc(tests[i].want, func(k string) bool { return k == "c/c.md" })
	}
	t.Run("after delete", check)
}

func TestLifecycle(t *testing.T) {
	idx, mfs := memIndex(t, Options{})
	mustApply(t, idx, puts(1, textDoc("c/a.md", "A", "alpha"), textDoc("c/b.md", "B", "beta")))
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); !errors.Is(err, errs.ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := idx.Search(context.Background(), All{}, SearchOptions{}); !errors.Is(err, errs.ErrClosed) {
		t.Fatalf("Search after Close: %v", err)
	}
	if err := idx.Apply(puts(3, textDoc("c/c.md", "C", "gamma"))); !errors.Is(err, errs.ErrClosed) {
		t.Fatalf("Apply after Close: %v", err)
	}
	idx, err := Open(mfs, "/idx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if idx.Seq() != 2 {
		t.Fatalf("Seq after reopen = %d, want 2", idx.Seq())
	}
	// Replaying from the start is harmless: seqs <= Seq() are skipped.
	mustApply(t, idx, puts(1, textDoc("c/a.md", "A", "alpha"), textDoc("c/b.md", "B", "beta"), textDoc("c/c.md", "C", "gamma")))
	if res := mustSearch(t, idx, All{}, SearchOptions{}); res.Total != 3 {
		t.Fatalf("%d docs after replay, want 3", res.Total)
	}
	for _, bad := range [][]index.Change{
		{{Seq: 9, Key: ""}},
		{{Seq: 9, Key: "c/x.md"}},
		{{Seq: 9, Key: "c/x.md", Doc: textDoc("c/y.md", "", "")}},
		{{Seq: 9, Key: "c/x.md", Delete: true}, {Seq: 8, Key: "c/y.md", Delete: true}},
	} {
		if err := idx.Apply(bad); err == nil {
			t.Errorf("Apply(%+v) accepted", bad)
		}
	}
	mustCheck(t, idx)
}

func TestSnippetAndExplain(t *testing.T) {
	idx, _ := memIndex(t, Options{})
	defer idx.Close()
	body := "---\ntitle: x\n---\n# Intro\n\nNothing here.\n\n## Setup\n\nConfigure the collector.\nThe collector exports traces to the backend.\n"
	mustApply(t, idx, puts(1, textDoc("c/a.md", "Guide", body)))
	res := mustSearch(t, idx, And{Term{Text: "collector"}, Term{Text: "traces"}}, SearchOptions{Snippets: true, Explain: true})
	if len(res.Hits) != 1 || res.Hits[0].Snippet == nil {
		t.Fatalf("hits %+v", res.Hits)
	}
	sn := res.Hits[0].Snippet
	if sn.Line != 10 || sn.Heading != "Setup" {
		t.Errorf("snippet at line %d under %q, want line 10 under Setup", sn.Line, sn.Heading)
	}
	if got := sn.Marked("**", "**"); !strings.Contains(got, "**collector**") || !strings.Contains(got, "**traces**") {
		t.Errorf("marked snippet %q", got)
	}
	x := res.Explain
	if x == nil || len(x.Terms) != 2 || x.Terms[0].DF != 1 || len(x.Steps) == 0 {
		t.Fatalf("explain %+v", x)
	}
	// An empty result says which step lost the candidates.
	res = mustSearch(t, idx, And{Term{Text: "collector"}, Term{Text: "zebra"}}, SearchOptions{Explain: true, Exact: true})
	last := res.Explain.Steps[len(res.Explain.Steps)-1]
	if res.Total != 0 || last.Candidates != 0 || !strings.Contains(res.Explain.String(), `term "zebra": df 0`) {
		t.Fatalf("explain of an empty result:\n%s", res.Explain)
	}
}

func TestPrefixCapIsExplained(t *testing.T) {
	idx, _ := memIndex(t, Options{MaxExpansions: 2})
	defer idx.Close()
	mustApply(t, idx, puts(1, textDoc("c/a.md", "", "export exporter exporters exported")))
	res := mustSearch(t, idx, Prefix{Text: "expo"}, SearchOptions{Explain: true})
	term := res.Explain.Terms[0]
	if !term.Capped || len(term.Expanded) != 2 || term.Expanded[0] != "export" {
		t.Fatalf("explain term %+v, want 2 expansions and Capped", term)
	}
	if !strings.Contains(res.Explain.String(), "(capped)") {
		t.Fatalf("explanation does not mention the cap:\n%s", res.Explain)
	}
}
