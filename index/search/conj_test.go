package search

import (
	"math/rand/v2"
	"testing"
)

// TestManyDocsAndAgainstOracle: ANDs with scoring terms, evaluated a window
// of docs at a time (collectAnd), over units of several windows with dead
// docs in each, answer like the oracle: words alone, with phrases,
// identifiers, ORs and exclusions beside them, stem groups, corrections,
// one field, paging.
func TestManyDocsAndAgainstOracle(t *testing.T) {
	n := 2*termWindow + 321
	if raceEnabled {
		n = termWindow + 99
	}
	s := flushedScenario(t, n, rand.New(rand.NewPCG(7, 11)))
	idx := s.idx
	defer idx.Close()
	s.step(300) // updates and deletes across the windows, in the head
	queries := []Query{
		And{Term{Text: "collector"}, Term{Text: "spans"}},
		And{Term{Text: "the"}, Term{Text: "of"}, Term{Text: "a"}, Term{Text: "kubernetes"}},
		And{Term{Text: "running"}, Term{Text: "pipeline"}, Term{Text: "traces", Exact: true}},
		And{Term{Text: "exporter"}, Phrase{Terms: []string{"the", "data"}}},
		And{Term{Text: "instrumentation"}, Term{Text: "zero-code"}},
		And{Term{Text: "metrics"}, Or{Term{Text: "café"}, Term{Text: "k8s"}}},
		And{Term{Text: "collectors"}, Not{Term{Text: "sampling"}}},
		And{Term{Text: "span"}, Not{Phrase{Terms: []string{"of", "the"}}}, Term{Text: "database"}},
		And{Term{Text: "useState"}, Term{Text: "goroutine", Field: "title"}},
		And{Term{Text: "colector"}, Term{Text: "trace"}}, // corrected, with an exact word
		And{Term{Text: "pipelnes", Fuzzy: true}, Term{Text: "data"}},
		And{Term{Text: "the"}, Prefix{Text: "pip"}},
		And{Term{Text: "可观测性"}, Term{Text: "トレース"}},
		And{Term{Text: "nothingsuch"}, Term{Text: "the"}},
	}
	for _, q := range queries {
		// Only the last query matches nothing: the comparisons are not
		// of empty answers.
		if res := mustSearch(t, idx, q, SearchOptions{}); (res.Total == 0) != (q.(And)[0] == Term{Text: "nothingsuch"}) {
			t.Errorf("%s: %d hits", describeQuery(q), res.Total)
		}
		for _, so := range []SearchOptions{{Limit: 10}, {Limit: 3, Offset: 7}, {Limit: 25, Exact: true}} {
			compareWithOracle(t, idx, s.o, q, so)
		}
	}
	mustCheck(t, idx)
}
