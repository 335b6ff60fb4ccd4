package search

import (
	"math"
	"testing"

	"github.com/kotadb/kotadb/index"
)

// TestLazyHeadQueries: an Index's head allocates its tables with its first
// document; before that, and after a flush empties it again, every kind of
// query reads it as empty.
func TestLazyHeadQueries(t *testing.T) {
	queries := []Query{
		Term{Text: "doc"}, Term{Text: "dco", Fuzzy: true}, Prefix{Text: "do"},
		Phrase{Terms: []string{"first", "doc"}}, All{},
		KeywordTerm{Field: "collection", Value: "c"}, KeywordPrefix{Field: "path", Prefix: "a"},
		NumericRange{Field: "field.priority", Min: math.Inf(-1), Max: math.Inf(1)},
		Regex{Pattern: "fi.st"}, Substring{Text: "irst d"},
		And{Term{Text: "doc"}, Not{Query: Term{Text: "second"}}},
	}
	texts := newTextStore()
	idx, _ := memIndex(t, Options{noWorker: true, TextSource: texts.source})
	apply := func(cs []index.Change) {
		t.Helper()
		texts.record(cs)
		mustApply(t, idx, cs)
	}
	defer idx.Close()
	if idx.active.h.tri != nil {
		t.Fatal("a new index allocated its head's tables")
	}
	for _, q := range queries {
		if res := mustSearch(t, idx, q, SearchOptions{}); res.Total != 0 {
			t.Fatalf("%v on an empty index: %d hits", q, res.Total)
		}
	}
	if st := idx.Stats(); st.HeadDocs != 0 || st.LiveDocs != 0 {
		t.Fatalf("stats of an empty index: %+v", st)
	}
	d := textDoc("c/a.md", "alpha", "first doc")
	d.Fields = map[string]any{"priority": int64(3)}
	apply(puts(1, d))
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	if idx.active.h.tri != nil {
		t.Fatal("the head after a flush allocated its tables")
	}
	for _, q := range queries {
		if res := mustSearch(t, idx, q, SearchOptions{}); res.Total != 1 {
			t.Fatalf("%v after a flush: %d hits, want 1", q, res.Total)
		}
	}
	apply(puts(2, textDoc("c/b.md", "beta", "second doc")))
	if res := mustSearch(t, idx, Term{Text: "doc"}, SearchOptions{}); res.Total != 2 {
		t.Fatalf("after a second doc: %d hits, want 2", res.Total)
	}
	mustCheck(t, idx)
}
