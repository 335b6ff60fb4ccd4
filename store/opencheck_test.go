package store

import (
	"errors"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/errs"
)

// TestPageCycleFoundBeforeFirstRead: Open walks only the trees it reads
// itself (see checkPageShape); a cycle in another bucket's tree, which
// would crash bbolt beyond any recover, must be reported by the first
// transaction instead, before bbolt walks it, and by every one after.
func TestPageCycleFoundBeforeFirstRead(t *testing.T) {
	path, _, _ := buildDamageable(t)
	s, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var root uint64
	var pageSize int
	err = s.view("test", func(tx *bolt.Tx) error {
		pageSize = tx.DB().Info().PageSize
		root = uint64(tx.Bucket(bucketLog).Root())
		return nil
	})
	closeChecked(t, s)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := data[root*uint64(pageSize):]
	if root == 0 || native.Uint16(page[8:]) != pageBranch {
		t.Fatalf("the log bucket's root (page %d) is not a branch page: make the store bigger", root)
	}
	// The first child of the root becomes the root itself.
	native.PutUint64(page[pageHeaderSize+8:], root)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatalf("Open walked the log bucket: %v", err)
	}
	for range 2 {
		_, err := s.History("notes/010.md")
		if !errors.Is(err, errs.ErrCorrupt) || !strings.Contains(err.Error(), "reached twice") {
			t.Fatalf("History = %v, want the cycle reported as corruption", err)
		}
	}
	if _, err := s.Apply("t", []Write{put("notes/new.md", "after damage")}); !errors.Is(err, errs.ErrCorrupt) {
		t.Fatalf("Apply = %v, want the cycle reported as corruption", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
