package search

import (
	"slices"
	"testing"

	"github.com/kotadb/kotadb/index"
)

func TestSearchBasics(t *testing.T) {
	idx, _ := memIndex(t, Options{})
	defer idx.Close()
	mustApply(t, idx, puts(1,
		textDoc("c/a.md", "Running collectors", "The collector runs exporters.\n\nSet maintenance_work_mem and call useState()."),
		textDoc("c/b.md", "Other", "A collector of stamps. 可观测性 matters."),
		textDoc("c/c.md", "Nothing", "Unrelated words only."),
	))
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
