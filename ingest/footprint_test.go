package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/internal/testcorpus"
	"github.com/kotadb/kotadb/store"
)

// TestIngestFootprint ingests each shared corpus into a fresh store, as
// `kotadb index` does, and checks the database file stays under 0.6x the
// corpus bytes (issue 2's target). With -v it logs where the bytes go, per
// bbolt bucket: what to look at before trying to make the file smaller.
func TestIngestFootprint(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests both corpora")
	}
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		t.Run(name, func(t *testing.T) {
			dir := testcorpus.Dir(t, name)
			_, raw := folderSize(t, dir)
			path := filepath.Join(t.TempDir(), "kotadb.db")
			st, err := store.Open(path, &store.Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Index(context.Background(), st, dir, Options{}); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			ratio := float64(fi.Size()) / float64(raw)
			t.Logf("%s: corpus %d B, database %d B = %.3fx", name, raw, fi.Size(), ratio)
			logBuckets(t, path)
			if ratio >= 0.6 {
				t.Errorf("database is %.3fx the corpus bytes, want < 0.6x", ratio)
			}
		})
	}
}

// logBuckets logs each bucket's keys, key and value bytes and the pages it
// holds (with how full its leaves are), then the file's pages outside any
// bucket (meta pages, freelist, growth slack).
func logBuckets(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		inBuckets := 0
		err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			s := b.Stats()
			var kb, vb int
			if err := b.ForEach(func(k, v []byte) error { kb += len(k); vb += len(v); return nil }); err != nil {
				return err
			}
			pages := s.BranchAlloc + s.LeafAlloc
			inBuckets += pages
			t.Logf("  %-8s %5d keys, %8d B keys, %8d B values, %8d B of pages (leaves %.0f%% full)",
				name, s.KeyN, kb, vb, pages, 100*float64(s.LeafInuse)/float64(max(1, s.LeafAlloc)))
			return nil
		})
		fi, serr := os.Stat(path)
		if err == nil && serr == nil {
			t.Logf("  other pages %d B, unused file tail %d B", tx.Size()-int64(inBuckets), fi.Size()-tx.Size())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
