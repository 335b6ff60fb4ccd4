package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/errs"
)

// incompressible returns n random bytes, which are stored raw, so blob
// records have predictable sizes.
func incompressible(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestPackRecordsSpanPieces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kotadb.db")
	s, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 9))
	ps := int(s.pieceSize)
	sizes := []int{1, ps - 2, 1, 2, ps, 3 * ps, 100, ps + 1, 5000, 70000} // lands on, before and across piece ends
	want := map[string][]byte{}
	for i, n := range sizes {
		key := fmt.Sprintf("bin/%02d", i)
		want[key] = incompressible(rng, n)
		// One write per batch, so the open piece is reloaded each time.
		mustApply(t, s, Write{Op: OpPut, Key: key, Value: want[key]})
	}
	var total uint64
	for _, n := range sizes {
		total += uint64(n) + 1 // one codec byte per raw record
	}
	var pieces int
	_ = s.view("test", func(tx *bolt.Tx) error { pieces = tx.Bucket(bucketPack).Stats().KeyN; return nil })
	if wantPieces := int((total + s.pieceSize - 1) / s.pieceSize); pieces != wantPieces {
		t.Errorf("pack has %d pieces for %d bytes, want %d", pieces, total, wantPieces)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeChecked(t, s)
	for key, v := range want {
		e, err := s.Get(key)
		if err != nil || !bytes.Equal(e.Value, v) {
			t.Fatalf("Get(%s) = %d bytes, %v; want %d bytes", key, len(e.Value), err, len(v))
		}
	}
}

func TestMissingPackPieceIsReported(t *testing.T) {
	s := openTest(t, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 6 {
		mustApply(t, s, Write{Op: OpPut, Key: fmt.Sprintf("bin/%d", i), Value: incompressible(rng, 3000)})
	}
	// Damage the data behind the store's back: drop the second piece.
	err := s.update("test", func(tx *bolt.Tx) error { return tx.Bucket(bucketPack).Delete(be64(1)) })
	if err != nil {
		t.Fatal(err)
	}
	var problems []Problem
	if _, err := s.Verify(func(p Problem) { problems = append(problems, p) }); err != nil {
		t.Fatal(err)
	}
	if len(problems) == 0 || problems[0].Kind != ProblemBlob {
		t.Fatalf("Verify = %v, want blob problems", problems)
	}
	broken := 0
	for i := range 6 {
		if _, err := s.Get(fmt.Sprintf("bin/%d", i)); errors.Is(err, errs.ErrCorrupt) {
			broken++
		} else if err != nil {
			t.Fatalf("Get: %v, want nil or ErrCorrupt", err)
		}
	}
	if broken == 0 || broken == 6 {
		t.Fatalf("%d of 6 keys unreadable; want those with bytes in piece 1 only", broken)
	}
	// Close now, so the Cleanup check does not report the damage made on
	// purpose.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
