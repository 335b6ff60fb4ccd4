package search

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/internal/vfs"
)

// crashRun drives an index through random applies, flushes and merges on
// a MemFS until an injected crash (or the end), and returns the change log
// and the seq of the last flush that returned successfully.
type crashRun struct {
	log        []index.Change
	durableSeq uint64
	crashed    bool
}

func runCrashScenario(t *testing.T, seed uint64, mfs *vfs.MemFS, opts Options, texts *textStore) crashRun {
	rng := rand.New(rand.NewPCG(seed, 99))
	var run crashRun
	idx, err := Open(mfs, "/idx", opts)
	if errors.Is(err, vfs.ErrInjected) {
		run.crashed = true
		return run
	}
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	live := map[string]bool{}
	seq := uint64(0)
	for step := 0; step < 14; step++ {
		var batch []index.Change
		used := map[string]bool{}
		for range 1 + rng.IntN(12) {
			key := fmt.Sprintf("c/d%02d.md", rng.IntN(40))
			if used[key] {
				continue
			}
			used[key] = true
			seq++
			if live[key] && rng.IntN(4) == 0 {
				batch = append(batch, index.Change{Seq: seq, Key: key, Delete: true})
				live[key] = false
				continue
			}
			batch = append(batch, index.Change{Seq: seq, Key: key, Doc: synthDoc(rng, key)})
			live[key] = true
		}
		texts.record(batch)
		if err := idx.Apply(batch); err != nil {
			t.Fatalf("apply: %v", err)
		}
		run.log = append(run.log, batch...)
		var opErr error
		switch rng.IntN(3) {
		case 0:
			s := idx.Seq()
			if opErr = idx.Flush(); opErr == nil {
				run.durableSeq = s
			}
		case 1:
			for {
				did, err := idx.mergeOnce()
				if err != nil || !did {
					opErr = err
					break
				}
			}
		}
		if opErr != nil {
			if !errors.Is(opErr, vfs.ErrInjected) {
				t.Fatalf("step %d: unexpected error %v", step, opErr)
			}
			run.crashed = true
			break
		}
	}
	idx.Close() // fails after a crash; it must still release everything
	return run
}

// TestCrashRecovery crashes a random scenario at every kind of moment
// (inside flushes, merges, manifest writes), reopens the durable state,
// replays the log after Seq() and compares with the oracle.
func TestCrashRecovery(t *testing.T) {
	for seed := range uint64(6) {
		// A first run without faults counts the operations.
		clean := vfs.NewMem()
		texts := newTextStore()
		opts := Options{MergeFactor: 2, noWorker: true, MaxExpansions: 1 << 20, TextSource: texts.source}
		runCrashScenario(t, seed, clean, opts, texts)
		total := clean.Ops()
		rng := rand.New(rand.NewPCG(seed, 7))
		for trial := range 8 {
			crashAt := rng.IntN(total)
			t.Run(fmt.Sprintf("seed%d/crash%d", seed, crashAt), func(t *testing.T) {
				mfs := vfs.NewMem()
				mfs.SetInjector(vfs.CrashAfter(crashAt))
				run := runCrashScenario(t, seed, mfs, opts, texts)
				after := mfs.Crash()
				idx, err := Open(after, "/idx", opts)
				if err != nil {
					t.Fatalf("reopen after crash at op %d: %v", crashAt, err)
				}
				defer idx.Close()
				got := idx.Seq()
				last := uint64(0)
				if len(run.log) > 0 {
					last = run.log[len(run.log)-1].Seq
				}
				if got < run.durableSeq || got > last {
					t.Fatalf("recovered seq %d, want between the last flush's %d and %d", got, run.durableSeq, last)
				}
				i := sort.Search(len(run.log), func(i int) bool { return run.log[i].Seq > got })
				mustApply(t, idx, run.log[i:])
				o := newOracle()
				o.apply(run.log)
				mustCheck(t, idx)
				checkLiveSet(t, idx, o)
				s := &scenario{t: t, rng: rand.New(rand.NewPCG(seed, uint64(trial))), idx: idx, o: o}
				s.live = map[string]*index.Doc{}
				for k, d := range o.docs {
					s.live[k] = d.doc
					s.keys = append(s.keys, k)
				}
				slices.Sort(s.keys)
				s.queries(6)
			})
		}
	}
}

// checkLiveSet compares the live keys and their versions with the oracle.
func checkLiveSet(t *testing.T, idx *Index, o *oracle) {
	t.Helper()
	res := mustSearch(t, idx, All{}, SearchOptions{Limit: 1 << 20})
	if res.Total != len(o.docs) {
		t.Fatalf("%d live docs, oracle %d", res.Total, len(o.docs))
	}
	for _, h := range res.Hits {
		d, ok := o.docs[h.Key]
		if !ok || d.doc.Seq != h.Seq {
			t.Fatalf("live %s@%d, oracle has %v", h.Key, h.Seq, d)
		}
	}
}

// TestInjectedErrors fails single operations of flushes and merges: the
// operation reports the error, the index stays correct and usable, and a
// retry succeeds.
func TestInjectedErrors(t *testing.T) {
	for n := 1; n <= 40; n += 3 {
		t.Run(fmt.Sprint("op", n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(n), 5))
			mfs := vfs.NewMem()
			idx, err := Open(mfs, "/idx", Options{MergeFactor: 2, noWorker: true})
			if err != nil {
				t.Fatal(err)
			}
			o := newOracle()
			seq := uint64(0)
			var failed bool
			for round := range 4 {
				var batch []index.Change
				for i := range 5 {
					seq++
					key := fmt.Sprintf("c/r%d-%d.md", round, i)
					batch = append(batch, index.Change{Seq: seq, Key: key, Doc: synthDoc(rng, key)})
				}
				seq++
				batch = append(batch, index.Change{Seq: seq, Key: fmt.Sprintf("c/r0-%d.md", round), Delete: true})
				mustApply(t, idx, batch)
				o.apply(batch)
				if round == 2 {
					mfs.SetInjector(vfs.FailNth(n))
				}
				if err := idx.Flush(); err != nil {
					failed = true
					if !errors.Is(err, vfs.ErrInjected) {
						t.Fatalf("flush: %v", err)
					}
				}
				if _, err := idx.mergeOnce(); err != nil {
					failed = true
					if !errors.Is(err, vfs.ErrInjected) {
						t.Fatalf("merge: %v", err)
					}
				}
				checkLiveSet(t, idx, o)
			}
			mfs.SetInjector(nil)
			if err := idx.Flush(); err != nil {
				t.Fatalf("flush after the fault: %v", err)
			}
			mustCheck(t, idx)
			checkLiveSet(t, idx, o)
			if err := idx.Close(); err != nil {
				t.Fatal(err)
			}
			idx, err = Open(mfs, "/idx", Options{noWorker: true})
			if err != nil {
				t.Fatalf("reopen (fault injected: %v): %v", failed, err)
			}
			defer idx.Close()
			mustCheck(t, idx)
			checkLiveSet(t, idx, o)
		})
	}
}
