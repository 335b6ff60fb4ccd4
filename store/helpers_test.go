package store

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/internal/testcorpus"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// childEnv makes the test binary act as a helper process (see children_test.go)
// instead of running tests.
const childEnv = "KOTADB_STORE_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(runChild(mode))
	}
	os.Exit(m.Run())
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 10, 2, 3, 0, time.UTC)}
}

// openTest opens a fresh store in a temp dir; Cleanup verifies and closes it.
func openTest(t testing.TB, opts *Options) *Store {
	t.Helper()
	if opts == nil {
		opts = &Options{NoSync: true}
	}
	s, err := Open(filepath.Join(t.TempDir(), "kotadb.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeChecked(t, s) })
	return s
}

// closeChecked runs Check (like bbolt's tests after every scenario) and
// closes s; a store already closed by the test is left alone.
func closeChecked(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Check(); err != nil && !errors.Is(err, errs.ErrClosed) {
		t.Errorf("Check after test: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// mustApply applies writes and fails the test on error.
func mustApply(t testing.TB, s *Store, writes ...Write) []Version {
	t.Helper()
	vs, err := s.Apply("test", writes)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return vs
}

func put(key, value string) Write {
	return Write{Op: OpPut, Key: key, Value: []byte(value)}
}

// corpusFiles returns the markdown files of a shared test corpus, sorted by
// path, or skips the test when the corpus is not on this machine.
func corpusFiles(t testing.TB, name string) (paths []string, data [][]byte) {
	t.Helper()
	dir := testcorpus.Dir(t, name)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".md" {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		paths = append(paths, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b)
	}
	if len(paths) == 0 {
		t.Skipf("corpus %s at %s has no markdown files", name, dir)
	}
	return paths, data
}

// childModes are the helper-process modes, by name; each gets the database
// path from KOTADB_DB. The platform-specific test files register them.
var childModes = map[string]func(db string) error{}

// runChild runs a helper-process mode.
func runChild(mode string) int {
	err := fmt.Errorf("unknown child mode %q", mode)
	if fn := childModes[mode]; fn != nil {
		err = fn(os.Getenv("KOTADB_DB"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

func appendVarintForTest(b []byte, n int64) []byte { return binary.AppendVarint(b, n) }
