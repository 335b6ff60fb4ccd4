package search

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kotadb/kotadb/index"
)

// tableTestIndex is an index of synthetic docs flushed to one segment,
// with one more doc in the head (which the test changes to change the
// averages).
func tableTestIndex(t *testing.T) (*Index, *segment) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	idx, _ := memIndex(t, Options{noWorker: true})
	t.Cleanup(func() { idx.Close() })
	var docs []*index.Doc
	for i := range 300 {
		docs = append(docs, synthDoc(rng, fmt.Sprintf("c/d%03d.md", i)))
	}
	mustApply(t, idx, puts(1, docs...))
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(idx.segs) != 1 {
		t.Fatalf("%d segments, want 1", len(idx.segs))
	}
	return idx, idx.segs[0].seg
}

// TestBM25TableSameScores: after the averages change, searches compute a
// segment's factors themselves until they have computed half a table's
// worth, then the table is built and read (see useTable). Every search
// must score alike, to the bit.
func TestBM25TableSameScores(t *testing.T) {
	idx, seg := tableTestIndex(t)
	queries := []Query{
		Term{Text: "kubernetes"},
		Term{Text: "collector"}, // a stem group
		Term{Text: "the"},       // most docs
		Phrase{Terms: []string{"metrics", "trace"}},
		And{Term{Text: "span"}, Term{Text: "data"}},
		Or{Term{Text: "pipeline"}, Term{Text: "goroutine"}, Term{Text: "database"}},
		Prefix{Text: "instr"},
		Term{Text: "kubernets", Fuzzy: true},
	}
	seq := uint64(1000)
	rng := rand.New(rand.NewPCG(5, 6))
	pendingAfterFirst := 0
	for i, q := range queries {
		// A write changes the averages: the segment's table is stale.
		seq++
		mustApply(t, idx, puts(seq, synthDoc(rng, fmt.Sprintf("c/new%d.md", i))))
		so := SearchOptions{Limit: 1000}
		first := mustSearch(t, idx, q, so)
		if len(first.Hits) == 0 {
			t.Fatalf("%v: no hits", q)
		}
		if tab := seg.normTab.Load(); tab != nil && tab.inv == nil {
			pendingAfterFirst++
		}
		// Search until the table is built, and once more.
		runs := []*Results{}
		for n := 0; n < int(seg.numDocs)*numTextFields; n++ {
			runs = append(runs, mustSearch(t, idx, q, so))
			if tab := seg.normTab.Load(); tab != nil && tab.inv != nil {
				break
			}
		}
		if tab := seg.normTab.Load(); tab == nil || tab.inv == nil {
			t.Fatalf("%v: %d searches did not build the table", q, len(runs))
		}
		runs = append(runs, mustSearch(t, idx, q, so))
		for _, other := range runs {
			if len(other.Hits) != len(first.Hits) || other.Total != first.Total {
				t.Fatalf("%v: %d hits (total %d), then %d (total %d)", q, len(first.Hits), first.Total, len(other.Hits), other.Total)
			}
			for j, h := range other.Hits {
				if f := first.Hits[j]; h.Key != f.Key || h.Score != f.Score {
					t.Fatalf("%v: hit %d is %s %v, %s %v at first", q, j, h.Key, h.Score, f.Key, f.Score)
				}
			}
		}
	}
	if pendingAfterFirst == 0 {
		t.Fatal("every first search built the table: the direct factors were not tested")
	}
}

// TestFieldScorerSwitchesToTable: a scorer that computes factors itself
// builds the table once it has computed half as many, and the factors and
// tf~ it gives are the same, to the bit, before and after the switch and
// from a scorer that used the table from the start.
func TestFieldScorerSwitchesToTable(t *testing.T) {
	_, seg := tableTestIndex(t)
	p := &DefaultBM25
	avg := [numTextFields]float64{2.5, 3, 1.25, 4, 117}
	seg.normTab.Store(nil)
	var direct, table fieldScorer
	direct.init(p, avg, seg.norms())
	direct.useTable(seg, p, avg)
	if direct.inv != nil || direct.pending == nil {
		t.Fatal("the first scorer uses a table")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type sample struct {
		doc    uint32
		f      int
		factor float64
		tf     [numTextFields]float64
		tfn    float64
	}
	var got []sample
	switched := -1
	for i := 0; i < int(seg.numDocs)*numTextFields; i++ {
		s := sample{doc: uint32(rng.IntN(int(seg.numDocs))), f: rng.IntN(numTextFields)}
		for f := range s.tf {
			if rng.IntN(2) == 0 {
				s.tf[f] = float64(rng.IntN(5))
			}
		}
		s.factor = direct.factorAt(s.doc, s.f)
		s.tfn = direct.tfNorm(s.doc, &s.tf)
		if switched < 0 && direct.inv != nil {
			switched = i
		}
		got = append(got, s)
	}
	if switched < 0 {
		t.Fatal("the scorer never built the table")
	}
	if switched == 0 {
		t.Fatal("the scorer built the table at once")
	}
	table.init(p, avg, seg.norms())
	table.useTable(seg, p, avg)
	if table.inv == nil {
		t.Fatal("the second scorer does not use the table the first built")
	}
	for i, s := range got {
		if f := table.factorAt(s.doc, s.f); f != s.factor {
			t.Fatalf("sample %d (switch at %d): factor %v from the table, %v", i, switched, f, s.factor)
		}
		if tfn := table.tfNorm(s.doc, &s.tf); tfn != s.tfn {
			t.Fatalf("sample %d (switch at %d): tf~ %v from the table, %v", i, switched, tfn, s.tfn)
		}
	}
}
