package search

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/kotadb/kotadb/index"
)

// TestHeadTextFromSource: with a TextSource the head keeps no texts (nor
// counts them in its budget) and reads them from the source for regex and
// substring verification, snippets and the catalog, with the results of a
// head that keeps them, before and after a flush.
func TestHeadTextFromSource(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var docsIn []*index.Doc
	for i := range 120 {
		docsIn = append(docsIn, synthDoc(rng, fmt.Sprintf("c/t%03d.md", i)))
	}
	changes := puts(1, docsIn...)
	texts := newTextStore()
	texts.record(changes)
	var reads atomic.Int64
	source := func(key string, seq uint64) ([]byte, error) {
		reads.Add(1)
		return texts.source(key, seq)
	}
	kept, _ := memIndex(t, Options{noWorker: true})
	defer kept.Close()
	fetched, _ := memIndex(t, Options{noWorker: true, TextSource: source})
	defer fetched.Close()
	mustApply(t, kept, changes)
	mustApply(t, fetched, changes)

	textBytes := 0
	for _, c := range changes {
		textBytes += len(c.Doc.Text)
	}
	kh, fh := kept.active.h, fetched.active.h
	for i := range fh.docs {
		if fh.docs[i].text != nil {
			t.Fatalf("doc %d: the head keeps its text despite the TextSource", i)
		}
		if kh.docs[i].text == nil && len(changes[i].Doc.Text) > 0 {
			t.Fatalf("doc %d: the head without a TextSource lost its text", i)
		}
	}
	if kh.memBytes-fh.memBytes != textBytes {
		t.Fatalf("memBytes %d with texts, %d without: differ by %d, the texts are %d bytes", kh.memBytes, fh.memBytes, kh.memBytes-fh.memBytes, textBytes)
	}

	queries := []Query{
		Substring{Text: "Server"},
		Substring{Text: "collect", CaseInsensitive: true},
		Regex{Pattern: `pipelines?\s+\w+`},
		And{Term{Text: "trace"}, Substring{Text: "span"}},
		Term{Text: "running"},
	}
	so := SearchOptions{Snippets: true, Exact: true, Limit: 200}
	want := make([]*Results, len(queries))
	for i, q := range queries {
		want[i] = mustSearch(t, kept, q, so)
		if len(want[i].Hits) == 0 {
			t.Fatalf("query %d matches nothing: the test would prove nothing", i)
		}
	}
	check := func(stage string) {
		before := reads.Load()
		for i, q := range queries {
			got := mustSearch(t, fetched, q, so)
			if !reflect.DeepEqual(hitKeys(got), hitKeys(want[i])) || got.Total != want[i].Total {
				t.Fatalf("%s, query %d: %d hits %v, want %d %v", stage, i, got.Total, hitKeys(got), want[i].Total, hitKeys(want[i]))
			}
			for j, h := range got.Hits {
				// (Scores are compared by the oracle tests; a segment's
				// float sums may differ from the head's in the last bits.)
				if !reflect.DeepEqual(h.Snippet, want[i].Hits[j].Snippet) {
					t.Fatalf("%s, query %d, %s: snippet %+v, want %+v", stage, i, h.Key, h.Snippet, want[i].Hits[j].Snippet)
				}
			}
		}
		if reads.Load() == before {
			t.Fatalf("%s: the texts were not read from the TextSource", stage)
		}
	}
	check("head")
	if err := fetched.Flush(); err != nil {
		t.Fatal(err)
	}
	check("segment")
}
