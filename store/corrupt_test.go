package store

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/errs"
)

// buildDamageable makes a closed store with compressible and incompressible
// documents and returns its path and the stored blob record of each key.
func buildDamageable(t *testing.T) (path string, records map[string][]byte, used int) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "kotadb.db")
	s, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 6000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var ws []Write
	for i := range 300 {
		ws = append(ws, put(fmt.Sprintf("notes/%03d.md", i), fmt.Sprintf("# Note %d\n\n%s", i, strings.Repeat("some markdown text. ", 20+i%50))))
	}
	ws = append(ws, Write{Op: OpPut, Key: "bin/random", Value: random})
	mustApply(t, s, ws...)
	mustApply(t, s, Write{Op: OpDelete, Key: "notes/007.md"})
	records = map[string][]byte{}
	err = s.view("test", func(tx *bolt.Tx) error {
		used = int(tx.Size())
		for _, key := range []string{"bin/random", "notes/123.md"} {
			h, _, err := s.head(tx, key)
			if err != nil {
				return err
			}
			rec, err := s.blobRecord(tx, h.Hash)
			records[key] = append([]byte(nil), rec...)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	closeChecked(t, s)
	return path, records, used
}

func TestFlippedBlobBytesAreReported(t *testing.T) {
	pristinePath, records, _ := buildDamageable(t)
	pristine, err := os.ReadFile(pristinePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"bin/random", "notes/123.md"} {
		t.Run(key, func(t *testing.T) {
			rec := records[key]
			if key == "bin/random" && rec[0] != codecRaw || key != "bin/random" && rec[0] != codecZstd {
				t.Fatalf("%s stored with codec %d, the test expects raw for random data and zstd for text", key, rec[0])
			}
			// The record may span pack pieces, which need not be adjacent
			// in the file: look for a window of it that is, and flip a
			// byte in every copy (bbolt's copy-on-write may leave stale
			// copies in free pages).
			damaged := bytes.Clone(pristine)
			n := 0
			w := min(256, len(rec))
			for start := 0; start+w <= len(rec) && n == 0; start += w {
				window := rec[start : start+w]
				for off := 0; ; {
					i := bytes.Index(damaged[off:], window)
					if i < 0 {
						break
					}
					damaged[off+i+w/2] ^= 0x5a
					off += i + w
					n++
				}
			}
			if n == 0 {
				t.Fatal("record not found in the file")
			}
			path := filepath.Join(t.TempDir(), "kotadb.db")
			if err := os.WriteFile(path, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path, &Options{NoSync: true})
			if err != nil {
				t.Fatalf("Open: %v (blob damage must not stop Open)", err)
			}
			defer s.Close()
			_, err = s.Get(key)
			var ce *errs.CorruptionError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), "kotadb verify") {
				t.Fatalf("Get(%s) = %v, want a CorruptionError pointing at kotadb verify", key, err)
			}
			if _, err := s.Get("notes/001.md"); err != nil {
				t.Fatalf("an undamaged key fails too: %v", err)
			}
			var problems []Problem
			res, err := s.Verify(func(p Problem) { problems = append(problems, p) })
			if err != nil {
				t.Fatal(err)
			}
			if res.Problems != 1 || len(problems) != 1 || problems[0].Kind != ProblemBlob {
				t.Fatalf("Verify found %d problems %v, want exactly the one blob", res.Problems, problems)
			}
			if err := s.Check(); !errors.Is(err, errs.ErrCorrupt) {
				t.Fatalf("Check = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestTruncatedFileIsCorrupt(t *testing.T) {
	pristinePath, _, used := buildDamageable(t)
	pristine, err := os.ReadFile(pristinePath)
	if err != nil {
		t.Fatal(err)
	}
	// The file may be longer than its pages (bbolt grows it ahead); only
	// cutting into the used pages loses data.
	size := used
	for _, n := range []int{1, 100, 4096, 2*4096 + 7, 3 * 4096, size / 2, size - 4096, size - 1} {
		for _, ro := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d-bytes-readonly-%v", n, ro), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "kotadb.db")
				if err := os.WriteFile(path, pristine[:n], 0o644); err != nil {
					t.Fatal(err)
				}
				s, err := Open(path, &Options{ReadOnly: ro, NoSync: true})
				if err == nil {
					s.Close()
					t.Fatalf("Open of a file truncated to %d of %d bytes succeeded", n, size)
				}
				if !errors.Is(err, errs.ErrCorrupt) || !strings.Contains(err.Error(), "kotadb verify") {
					t.Fatalf("Open = %v, want ErrCorrupt pointing at kotadb verify", err)
				}
				// A failed Open must release the file lock.
				if s, err := Open(path, &Options{ReadOnly: ro, Timeout: 10 * 1e6}); errors.Is(err, errs.ErrLocked) {
					t.Fatalf("second Open = %v: the failed Open kept the lock", err)
				} else if err == nil {
					s.Close()
				}
			})
		}
	}
}

func TestNotAStore(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("someone else's")); return err })
	_ = db.Close()
	newer := filepath.Join(dir, "newer.db")
	s, err := Open(newer, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.update("test", func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaFormat, []byte{FormatVersion + 1}) })
	_ = s.Close()

	tests := []struct {
		path string
		want error
	}{
		{garbage, errs.ErrCorrupt},
		{other, errs.ErrCorrupt},
		{newer, errs.ErrFormatVersion},
	}
	for _, tt := range tests {
		if _, err := Open(tt.path, nil); !errors.Is(err, tt.want) {
			t.Errorf("Open(%s) = %v, want %v", filepath.Base(tt.path), err, tt.want)
		}
	}
}

var (
	damageRounds = flag.Int("damage-rounds", 60, "damaged copies TestRandomDamageNeverPanics tries")
	damageSeed   = flag.Uint64("damage-seed", 3, "random seed of TestRandomDamageNeverPanics")
)

// TestRandomDamageNeverPanics flips random bytes of the file's used pages
// and runs every read path: the only allowed outcomes are success and
// errors (damage detected, or keys that now look absent), never a panic or a
// crash.
func TestRandomDamageNeverPanics(t *testing.T) {
	pristinePath, _, _ := buildDamageable(t)
	pristine, err := os.ReadFile(pristinePath)
	if err != nil {
		t.Fatal(err)
	}
	rounds := *damageRounds
	if testing.Short() {
		rounds = min(rounds, 15)
	}
	rng := rand.New(rand.NewPCG(*damageSeed, 4))
	detected := 0
	for round := range rounds {
		damaged := bytes.Clone(pristine)
		for range 1 + rng.IntN(8) {
			damaged[2*4096+rng.IntN(len(damaged)-2*4096)] ^= byte(1 + rng.IntN(255))
		}
		path := filepath.Join(t.TempDir(), "kotadb.db")
		if err := os.WriteFile(path, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, &Options{NoSync: true, Timeout: 1e8})
		if err != nil {
			if !errors.Is(err, errs.ErrCorrupt) {
				t.Fatalf("round %d: Open = %v, want ErrCorrupt", round, err)
			}
			detected++
			continue
		}
		res, err := s.Verify(nil)
		if err != nil {
			t.Fatalf("round %d: Verify: %v", round, err)
		}
		if res.Problems > 0 {
			detected++
		}
		for i := range 300 {
			_, _ = s.Get(fmt.Sprintf("notes/%03d.md", i))
		}
		_, _ = s.History("notes/010.md")
		_, _ = s.GetAtSeq("notes/010.md", 1)
		_ = s.Scan("", func(Version) error { return nil })
		_ = s.Changes(0, func(Version) error { return nil })
		_, _ = s.Stats()
		_, _ = s.Apply("t", []Write{put("notes/new.md", "after damage")})
		if err := s.Close(); err != nil {
			t.Fatalf("round %d: Close: %v", round, err)
		}
	}
	t.Logf("%d of %d damaged copies were reported by Open or Verify", detected, rounds)
}
