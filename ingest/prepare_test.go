package ingest

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/kotadb/kotadb/store"
)

// TestWorkersPrepareOnceTrainingIsOver: a worker compresses a file's blobs
// only once the dictionary is settled (else the blobs would miss it); the
// committer prepares the files read before, and commits them all.
func TestWorkersPrepareOnceTrainingIsOver(t *testing.T) {
	dir := t.TempDir()
	want := map[string][]byte{
		"early.md": []byte("---\ntitle: Early\n---\n# Early\n\nRead while the dictionary was trained.\n"),
		"late.md":  []byte("# Late\n\nRead once it was ready, [[early]].\n"),
	}
	for rel, content := range want {
		writeFile(t, dir, rel, content)
	}
	st := openStore(t)
	settled := false
	proc := &processor{collection: "v", prior: map[string]store.FileState{}, maxSize: DefaultMaxSize,
		racyFrom: math.MaxInt64, parse: true, st: st, ready: func() bool { return settled }}
	early := proc.process(fileEntry{rel: "early.md", abs: filepath.Join(dir, "early.md")})
	settled = true
	late := proc.process(fileEntry{rel: "late.md", abs: filepath.Join(dir, "late.md")})
	if early.outcome != outAdded || late.outcome != outAdded {
		t.Fatalf("outcomes %d and %d, want both added", early.outcome, late.outcome)
	}
	if early.prepared != nil {
		t.Error("a file read during training was prepared without the dictionary")
	}
	if late.prepared == nil {
		t.Error("a file read after training was not prepared by its worker")
	} else if late.prepared.Key() != "v/late.md" {
		t.Errorf("prepared write for %q, want v/late.md", late.prepared.Key())
	}

	trained := make(chan struct{})
	close(trained)
	sum := Summary{Collection: "v"}
	c := newCommitter(st, Options{}.withDefaults(store.Source{}), map[string]store.FileState{}, &sum, trained)
	for _, r := range []result{early, late} {
		if err := c.handle(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	if sum.Added != 2 {
		t.Errorf("summary: %s, want 2 added", &sum)
	}
	checkMatches(t, st, "v", want)
}
