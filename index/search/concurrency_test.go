package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kotadb/kotadb/index"
)

// TestConcurrentSearchesDuringWrites runs searches while a writer applies
// changes and the background worker flushes (small thresholds) and merges.
// Every search must see a consistent snapshot: no key twice, totals that
// add up, no errors. At the end the index must equal the oracle.
func TestConcurrentSearchesDuringWrites(t *testing.T) {
	texts := newTextStore()
	idx, _ := memIndex(t, Options{FlushDocs: 25, MergeFactor: 2, MaxExpansions: 1 << 20, TextSource: texts.source})
	o := newOracle()
	var stop atomic.Bool
	var wg sync.WaitGroup
	var searches atomic.Int64
	queries := []Query{
		Term{Text: "collector"}, Term{Text: "maintenance_work_mem"}, Phrase{Terms: []string{"the", "data"}},
		Prefix{Text: "exp"}, And{Term{Text: "trace"}, Not{Term{Text: "span"}}}, All{}, Term{Text: "kuberentes"},
		Substring{Text: "data the"}, Regex{Pattern: `k8s\s+\w+`},
	}
	for r := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 1))
			for !stop.Load() {
				q := queries[rng.IntN(len(queries))]
				res, err := idx.Search(context.Background(), q, SearchOptions{Limit: 50, Snippets: rng.IntN(2) == 0})
				if err != nil {
					t.Errorf("search: %v", err)
					return
				}
				seen := map[string]bool{}
				for _, h := range res.Hits {
					if seen[h.Key] {
						t.Errorf("%v: key %s twice in one result", q, h.Key)
						return
					}
					seen[h.Key] = true
				}
				if res.Total < len(res.Hits) {
					t.Errorf("total %d < %d hits", res.Total, len(res.Hits))
					return
				}
				searches.Add(1)
			}
		}()
	}
	rng := rand.New(rand.NewPCG(3, 3))
	seq := uint64(0)
	for round := range 40 {
		var batch []index.Change
		used := map[string]bool{}
		for range 1 + rng.IntN(10) {
			key := fmt.Sprintf("c/k%03d.md", rng.IntN(120))
			if used[key] {
				continue
			}
			used[key] = true
			seq++
			if rng.IntN(5) == 0 {
				batch = append(batch, index.Change{Seq: seq, Key: key, Delete: true})
			} else {
				batch = append(batch, index.Change{Seq: seq, Key: key, Doc: synthDoc(rng, key)})
			}
		}
		texts.record(batch)
		mustApply(t, idx, batch)
		o.apply(batch)
		if round%10 == 9 {
			if err := idx.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	if searches.Load() == 0 {
		t.Fatal("no search ran")
	}
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	for {
		did, err := idx.mergeOnce()
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			break
		}
	}
	mustCheck(t, idx)
	checkLiveSet(t, idx, o)
	s := &scenario{t: t, rng: rng, idx: idx, o: o, live: map[string]*index.Doc{}}
	for k, d := range o.docs {
		s.live[k] = d.doc
		s.keys = append(s.keys, k)
	}
	slices.Sort(s.keys)
	s.queries(20)
	st := idx.Stats()
	if st.BackgroundErr != nil {
		t.Fatalf("background error: %v", st.BackgroundErr)
	}
	if st.Flushes < 4 || st.Merges == 0 {
		t.Fatalf("stats %+v: expected several flushes and some merges", st)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
}
