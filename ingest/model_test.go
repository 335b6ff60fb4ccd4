package ingest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kotadb/kotadb/store"
)

var modelSeed = flag.Uint64("model.seed", 0, "seed for TestIndexAgainstModel (0: time-based)")

// TestIndexAgainstModel applies random file operations to a folder and to
// an in-memory model (path -> content of what must be indexed), indexes
// after every few steps, sometimes cancelling a run half-way, and checks the
// store against the model each time.
func TestIndexAgainstModel(t *testing.T) {
	seed := *modelSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -model.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	writeFile(t, dir, ".gitignore", []byte("*.tmp\nignored/\n"))
	model := map[string][]byte{}
	st := openStore(t)
	dirs := []string{"", "a/", "a/b/", "c/", "ignored/"}
	randomPath := func() string {
		return fmt.Sprintf("%sf%d.md", dirs[rng.IntN(len(dirs))], rng.IntN(12))
	}
	indexed := func(rel string) bool {
		return !strings.HasPrefix(rel, "ignored/") && filepath.Ext(rel) != ".tmp"
	}
	// Contents come from a small set so that renames and copies collide.
	randomContent := func() []byte {
		return fmt.Appendf(nil, "# note %d\n\n%s\n", rng.IntN(6), "text")
	}
	existing := func() (string, bool) {
		files := keysOf(onDisk(t, dir))
		if len(files) == 0 {
			return "", false
		}
		return files[rng.IntN(len(files))], true
	}
	rounds := 60
	if testing.Short() {
		rounds = 15
	}
	var total Summary
	for round := range rounds {
		for range 1 + rng.IntN(6) {
			switch op := rng.IntN(10); {
			case op < 4: // create or overwrite
				p, c := randomPath(), randomContent()
				writeFile(t, dir, p, c)
				if indexed(p) {
					model[p] = c
				}
			case op < 5: // touch
				if p, ok := existing(); ok {
					past = past.Add(time.Millisecond)
					if err := os.Chtimes(filepath.Join(dir, p), past, past); err != nil {
						t.Fatal(err)
					}
				}
			case op < 7: // rename
				if p, ok := existing(); ok {
					to := randomPath()
					if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, to)), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.Rename(filepath.Join(dir, p), filepath.Join(dir, to)); err != nil {
						t.Fatal(err)
					}
					content, err := os.ReadFile(filepath.Join(dir, to))
					if err != nil {
						t.Fatal(err)
					}
					delete(model, p)
					if indexed(to) {
						model[to] = content
					}
				}
			case op < 9: // delete
				if p, ok := existing(); ok {
					if err := os.Remove(filepath.Join(dir, p)); err != nil {
						t.Fatal(err)
					}
					delete(model, p)
				}
			default: // a file never indexed
				writeFile(t, dir, fmt.Sprintf("%sx%d.tmp", dirs[rng.IntN(len(dirs))], rng.IntN(3)), []byte("tmp"))
			}
		}
		opts := Options{BatchDocs: 1 + rng.IntN(8), Name: "m"}
		if rng.IntN(4) == 0 {
			ctx, cancel := context.WithCancel(context.Background())
			opts.OnBatch = func([]store.Version) { cancel() }
			_, err := Index(ctx, st, dir, opts)
			cancel()
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Fatalf("round %d: cancelled run: %v", round, err)
			}
			opts.OnBatch = nil
		}
		sum := index(t, st, dir, opts)
		total.Added += sum.Added
		total.Changed += sum.Changed
		total.Moved += sum.Moved
		total.Deleted += sum.Deleted
		if got := sum.Added + sum.Changed + sum.Moved + sum.Unchanged + sum.SkippedTotal(); got != sum.Seen {
			t.Fatalf("round %d: outcomes add up to %d, seen %d: %s", round, got, sum.Seen, sum)
		}
		checkMatches(t, st, "m", model)
		if t.Failed() {
			t.Fatalf("round %d (seed %d): store differs from the model", round, seed)
		}
		seq := st.LastSeq()
		if again := index(t, st, dir, opts); again.Read != 0 || st.LastSeq() != seq {
			t.Fatalf("round %d: a second run read %d files and made %d versions", round, again.Read, st.LastSeq()-seq)
		}
	}
	t.Logf("over %d rounds: %d added, %d changed, %d moved, %d deleted", rounds, total.Added, total.Changed, total.Moved, total.Deleted)
	if !testing.Short() && (total.Added == 0 || total.Changed == 0 || total.Moved == 0 || total.Deleted == 0) {
		t.Errorf("the random operations did not exercise every kind of change")
	}
}

// onDisk lists the regular files under dir that tests may pick, by
// relative slash path (hidden ones excluded).
func onDisk(t *testing.T, dir string) map[string]bool {
	out := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type().IsRegular() && filepath.Base(rel)[0] != '.' {
			out[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
