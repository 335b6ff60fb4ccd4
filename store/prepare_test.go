package store

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/errs"
)

func TestApplyPreparedRefusesForeignWrites(t *testing.T) {
	a, b := openTest(t, nil), openTest(t, nil)
	p, err := a.Prepare(put("c/x.md", "some text"))
	if err != nil {
		t.Fatal(err)
	}
	for name, ws := range map[string][]PreparedWrite{
		"another store's": {p},
		"zero value":      {{}},
	} {
		if _, err := b.ApplyPrepared("test", ws); !errors.Is(err, errForeignPrepared) {
			t.Errorf("ApplyPrepared(%s) = %v, want %v", name, err, errForeignPrepared)
		}
	}
	if b.LastSeq() != 0 {
		t.Fatalf("a refused batch made versions: last seq %d", b.LastSeq())
	}
	if _, err := a.ApplyPrepared("test", []PreparedWrite{p}); err != nil {
		t.Fatalf("ApplyPrepared on the store that prepared it: %v", err)
	}
}

func TestPrepareValidates(t *testing.T) {
	s := openTest(t, nil)
	tests := []struct {
		w    Write
		want error
	}{
		{Write{Op: OpPut, Key: "nocollection", Value: []byte("x")}, errs.ErrInvalidKey},
		{Write{Op: OpMove, Key: "c/a", From: "c/a"}, errs.ErrInvalidKey},
		{Write{Op: OpPut, Key: "c/big", Meta: make([]byte, MaxValueSize+1)}, errs.ErrTooLarge},
	}
	for _, tt := range tests {
		if _, err := s.Prepare(tt.w); !errors.Is(err, tt.want) {
			t.Errorf("Prepare(%s) = %v, want %v", describe([]Write{tt.w}), err, tt.want)
		}
		if _, err := s.PrepareAll([]Write{put("c/ok", "fine"), tt.w}); !errors.Is(err, tt.want) || !bytes.Contains([]byte(err.Error()), []byte("write 2 of 2")) {
			t.Errorf("PrepareAll(ok, %s) = %v, want %v naming write 2 of 2", describe([]Write{tt.w}), err, tt.want)
		}
	}
	ro := openTest(t, nil)
	path := ro.Path()
	closeChecked(t, ro)
	r, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := r.Prepare(put("c/x", "text"))
	if err != nil {
		t.Fatalf("Prepare on a read-only store: %v", err)
	}
	if _, err := r.ApplyPrepared("test", []PreparedWrite{p}); !errors.Is(err, errs.ErrReadOnly) {
		t.Fatalf("ApplyPrepared on a read-only store = %v, want %v", err, errs.ErrReadOnly)
	}
}

// TestPrepareCompressesEachNewBlobOnce checks that blobs already stored are
// not compressed again, and that a batch carrying the same bytes twice
// compresses them once.
func TestPrepareCompressesEachNewBlobOnce(t *testing.T) {
	s := openTest(t, nil)
	text := bytes.Repeat([]byte("a note about queues and consumers\n"), 20)
	meta := []byte(`{"title":"a note about queues and consumers, repeated so that it compresses"}`)
	mustApply(t, s, Write{Op: OpPut, Key: "c/stored.md", Value: text})

	ps, err := s.PrepareAll([]Write{
		{Op: OpPut, Key: "c/a.md", Value: text, Meta: meta},
		{Op: OpPut, Key: "c/b.md", Value: append([]byte("x"), text...), Meta: meta},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].valueRec != nil {
		t.Errorf("a value already stored was compressed again (%d bytes)", len(ps[0].valueRec))
	}
	if ps[1].valueRec == nil || ps[0].metaRec == nil || ps[1].metaRec == nil {
		t.Fatalf("new blobs not compressed: value %d, meta %d and %d bytes", len(ps[1].valueRec), len(ps[0].metaRec), len(ps[1].metaRec))
	}
	if &ps[0].metaRec[0] != &ps[1].metaRec[0] {
		t.Error("the metadata both writes carry was compressed twice")
	}
	before, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyPrepared("test", ps); err != nil {
		t.Fatal(err)
	}
	after, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if got := after.Blobs - before.Blobs; got != 2 {
		t.Errorf("%d blobs stored, want 2 (the new value and the shared metadata)", got)
	}
	for _, key := range []string{"c/a.md", "c/b.md"} {
		e, err := s.Get(key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Meta, meta) || !bytes.HasSuffix(e.Value, text) {
			t.Errorf("%s: read back value %q meta %q", key, e.Value, e.Meta)
		}
	}
}

// TestPreparedAcrossTraining prepares writes before a dictionary exists
// and applies them after: their blobs keep the codec they were packed
// with, and later writes use the dictionary.
func TestPreparedAcrossTraining(t *testing.T) {
	s := openTest(t, nil)
	notes := syntheticNotes(200, 3)
	early, err := s.Prepare(Write{Op: OpPut, Key: "notes/early.md", Value: notes[0]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrainDictionary("notes", notes[1:]); err != nil {
		t.Fatal(err)
	}
	late, err := s.Prepare(Write{Op: OpPut, Key: "notes/late.md", Value: notes[1]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyPrepared("test", []PreparedWrite{early, late}); err != nil {
		t.Fatal(err)
	}
	for key, wantCodec := range map[string]byte{"notes/early.md": codecZstd, "notes/late.md": codecZstdDict} {
		if codec, _ := blobCodec(t, s, key); codec != wantCodec {
			t.Errorf("%s: codec %d, want %d", key, codec, wantCodec)
		}
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentPrepare prepares from many goroutines while one applies,
// as ingest's workers and committer do (run with -race).
func TestConcurrentPrepare(t *testing.T) {
	s := openTest(t, nil)
	notes := syntheticNotes(64, 9)
	if _, err := s.TrainDictionary("n", notes); err != nil {
		t.Fatal(err)
	}
	prepared := make(chan PreparedWrite)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(notes); i += 4 {
				p, err := s.Prepare(Write{Op: OpPut, Key: fmt.Sprintf("n/%03d.md", i), Value: notes[i], Meta: notes[(i+1)%len(notes)]})
				if err != nil {
					t.Error(err)
					return
				}
				prepared <- p
			}
		})
	}
	go func() { wg.Wait(); close(prepared) }()
	var batch []PreparedWrite
	for p := range prepared {
		if batch = append(batch, p); len(batch) == 10 {
			if _, err := s.ApplyPrepared("test", batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := s.ApplyPrepared("test", batch); err != nil {
		t.Fatal(err)
	}
	for i, want := range notes {
		e, err := s.Get(fmt.Sprintf("n/%03d.md", i))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Value, want) || !bytes.Equal(e.Meta, notes[(i+1)%len(notes)]) {
			t.Fatalf("n/%03d.md read back differently", i)
		}
	}
}

func TestForEachStopsAtTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	for _, workers := range []int{1, 3} {
		var mu sync.Mutex
		calls := 0
		err := forEach(1000, workers, func(i int) error {
			mu.Lock()
			calls++
			mu.Unlock()
			if i == 10 {
				return boom
			}
			return nil
		})
		if !errors.Is(err, boom) {
			t.Errorf("%d workers: forEach = %v, want %v", workers, err, boom)
		}
		if calls >= 1000 {
			t.Errorf("%d workers: %d calls after an error at call 11", workers, calls)
		}
		seen := make([]bool, 100)
		if err := forEach(100, workers, func(i int) error { seen[i] = true; return nil }); err != nil {
			t.Fatal(err)
		}
		for i, ok := range seen {
			if !ok {
				t.Fatalf("%d workers: index %d never visited", workers, i)
			}
		}
	}
}

// TestBulkLoadPacksTheBlobIndex: a batch that makes most of the blob index
// leaves its pages full; one that adds a little to a big index leaves
// bbolt's default split (see fillHashed).
func TestBulkLoadPacksTheBlobIndex(t *testing.T) {
	s := openTest(t, nil)
	fill := func() float64 {
		var st bolt.BucketStats
		if err := s.view("test", func(tx *bolt.Tx) error { st = tx.Bucket(bucketBlobs).Stats(); return nil }); err != nil {
			t.Fatal(err)
		}
		return float64(st.LeafInuse) / float64(st.LeafAlloc)
	}
	batch := func(from, n int) []Write {
		var ws []Write
		for i := from; i < from+n; i++ {
			ws = append(ws, put(fmt.Sprintf("c/%05d.md", i), fmt.Sprintf("note %d", i)))
		}
		return ws
	}
	mustApply(t, s, batch(0, 3000)...)
	if f := fill(); f < 0.9 {
		t.Errorf("after a bulk load the blob index is %.2f full, want at least 0.9", f)
	}
	mustApply(t, s, batch(3000, 500)...)
	if f := fill(); f > 0.8 {
		t.Errorf("after a batch adding a sixth to the index it is %.2f full: want bbolt's default split, about 0.5 for the leaves rewritten", f)
	}
}
