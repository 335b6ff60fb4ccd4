package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// past is the mtime test files get: older than the racy window, so their
// stat is trusted on the next run (as for any file not written just now).
var past = time.Now().Add(-24 * time.Hour).Truncate(time.Second)

// writeFile writes a file (creating directories) with an mtime in the past;
// each call moves the mtime a millisecond forward so that a rewrite of the
// same size is still seen as a stat change.
func writeFile(tb testing.TB, dir, rel string, content []byte) {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		tb.Fatal(err)
	}
	past = past.Add(time.Millisecond)
	if err := os.Chtimes(p, past, past); err != nil {
		tb.Fatal(err)
	}
}

func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(filepath.Join(tb.TempDir(), "kota.db"), &store.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

func index(tb testing.TB, st *store.Store, dir string, opts Options) Summary {
	tb.Helper()
	sum, err := Index(context.Background(), st, dir, opts)
	if err != nil {
		tb.Fatalf("Index: %v", err)
	}
	return sum
}

// liveEntries returns the live entries of a collection by path.
func liveEntries(tb testing.TB, st *store.Store, collection string) map[string]store.Entry {
	tb.Helper()
	out := map[string]store.Entry{}
	err := st.Scan(collection+"/", func(v store.Version) error {
		e, err := st.Get(v.Key)
		if err != nil {
			return err
		}
		out[strings.TrimPrefix(v.Key, collection+"/")] = e
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// checkMatches compares the collection with the expected documents (path
// -> content) and checks that every document's metadata is its parsed
// Document and that every key has a file state with its hash.
func checkMatches(tb testing.TB, st *store.Store, collection string, want map[string][]byte) {
	tb.Helper()
	got := liveEntries(tb, st, collection)
	for p, content := range want {
		g, ok := got[p]
		switch {
		case !ok:
			tb.Errorf("%s: missing from the store", p)
		case !bytes.Equal(g.Value, content):
			tb.Errorf("%s: stored %q, file has %q", p, trunc(g.Value), trunc(content))
		}
	}
	states := map[string]store.FileState{}
	if err := st.FileStates(collection, func(key string, fs store.FileState) error {
		states[key] = fs
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	for p, e := range got {
		if _, ok := want[p]; !ok {
			tb.Errorf("%s: in the store but not expected", p)
			continue
		}
		if fs, ok := states[e.Key]; !ok || fs.Hash != e.Hash {
			tb.Errorf("%s: file state %+v does not carry the content hash", p, fs)
		}
		// The document is not stored but derives from the content and
		// the file's time the version records.
		if e.Doc.Kind != store.DocFile || e.Meta != nil || e.Doc.ModTime.IsZero() {
			tb.Errorf("%s: stored as %+v with %d bytes of metadata, want a file with its time and no metadata", p, e.Doc, len(e.Meta))
		} else if doc, err := parse.Parse(parse.FileInfo{Path: p, ModTime: e.Doc.ModTime, Birth: e.Doc.Birth}, e.Value); err != nil {
			tb.Errorf("%s: stored content does not parse: %v", p, err)
		} else if doc.Path != p || doc.Size != int64(len(e.Value)) {
			tb.Errorf("%s: document says path %q size %d", p, doc.Path, doc.Size)
		}
	}
	if len(states) != len(got) {
		tb.Errorf("%d file states for %d live documents", len(states), len(got))
	}
}

func trunc(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func isNotFound(err error) bool { return errors.Is(err, errs.ErrNotFound) }
