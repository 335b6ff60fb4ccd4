package search

import (
	"path"
	"slices"
	"testing"

	"github.com/kotadb/kotadb/internal/vfs"
)

// straysIndex makes an index of two docs in one segment (id 1, next file
// 2), closed, and puts beside it what a crash can leave: the segment and
// tombstones a flush wrote before its manifest, a manifest's temporary
// file, plus a file that is not the index's.
func straysIndex(t *testing.T) *vfs.MemFS {
	t.Helper()
	mfs := vfs.NewMem()
	idx, err := Open(mfs, "/idx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, idx, puts(1, textDoc("c/a.md", "alpha", "first doc"), textDoc("c/b.md", "beta", "second doc")))
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{segmentFile(2), segmentFile(7), tombstoneFile(1, 1), manifestTmp, "notes.txt"} {
		f, err := mfs.Create(path.Join("/idx", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("left over by a crash")); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return mfs
}

func listIdx(t *testing.T, mfs *vfs.MemFS) []string {
	t.Helper()
	names, err := mfs.ReadDir("/idx")
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestStraysSweptBeforeFirstWrite: an index with a worker leaves the
// leftovers of a crash to its first write, which must not lose what it
// writes where a leftover was (the next segment id), or to Close.
func TestStraysSweptBeforeFirstWrite(t *testing.T) {
	mfs := straysIndex(t)
	idx, err := Open(mfs, "/idx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustSearch(t, idx, Term{Text: "doc"}, SearchOptions{}); got.Total != 2 {
		t.Fatalf("before the first write: %d hits, want 2", got.Total)
	}
	mustApply(t, idx, deletes(3, "c/a.md"))
	mustApply(t, idx, puts(4, textDoc("c/c.md", "gamma", "third doc")))
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	// The flush wrote segment 2 (over the leftover) and a tombstone
	// generation of segment 1 (over the leftover) after the sweep.
	if got := listIdx(t, mfs); !slices.Equal(got, []string{"000001-1.del", "000001.seg", "000002.seg", manifestName, "notes.txt"}) {
		t.Fatalf("after the first flush: %q", got)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	idx, err = Open(mfs, "/idx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, idx)
	if got := hitKeys(mustSearch(t, idx, Term{Text: "doc"}, SearchOptions{})); !slices.Equal(slices.Sorted(slices.Values(got)), []string{"c/b.md", "c/c.md"}) {
		t.Fatalf("after reopening: hits %q", got)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}

	// A session that only searches sweeps at Close. (Close's merge of the
	// tail may rewrite the segments: only the leftovers are checked.)
	mfs = straysIndex(t)
	idx, err = Open(mfs, "/idx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustSearch(t, idx, Term{Text: "doc"}, SearchOptions{})
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range listIdx(t, mfs) {
		if name == segmentFile(7) || name == tombstoneFile(1, 1) || name == manifestTmp || name == segmentFile(2) {
			t.Fatalf("after a search-only session: leftover %s is still there (%q)", name, listIdx(t, mfs))
		}
	}

	// Without a worker (tests that run merges themselves), Open sweeps.
	mfs = straysIndex(t)
	idx, err = Open(mfs, "/idx", Options{noWorker: true})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if got := listIdx(t, mfs); !slices.Equal(got, []string{"000001.seg", manifestName, "notes.txt"}) {
		t.Fatalf("after Open without a worker: %q", got)
	}
}
