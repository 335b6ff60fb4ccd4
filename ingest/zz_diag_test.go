package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/store"
)

func TestZZDiag(t *testing.T) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		dir := corpusDir(t, name)
		_, size := folderSizeT(t, dir)
		path := filepath.Join(t.TempDir(), "kota.db")
		st, err := store.Open(path, &store.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := Index(context.Background(), st, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ss, _ := st.Stats()
		st.Close()
		fi, _ := os.Stat(path)
		t.Logf("%s: raw %d file %d (%.3f) used %d (%.3f) stored %d blobraw %d dict %+v", name, size, fi.Size(), float64(fi.Size())/float64(size),
			ss.UsedBytes, float64(ss.UsedBytes)/float64(size), ss.StoredBytes, ss.BlobRawBytes, sum.Dict)
		db, _ := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true})
		db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(n []byte, b *bolt.Bucket) error {
				s := b.Stats()
				t.Logf("  %-8s keys %6d leafpages %5d leafalloc %8d leafinuse %8d branch %d overflow %d", n, s.KeyN, s.LeafPageN, s.LeafAlloc, s.LeafInuse, s.BranchPageN, s.LeafOverflowN)
				return nil
			})
		})
		t.Logf("  freepages %d pending %d", db.Stats().FreePageN, db.Stats().PendingPageN)
		db.Close()
	}
}

func folderSizeT(t *testing.T, dir string) (int, int64) {
	var n int
	var s int64
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n++
			s += fi.Size()
		}
		return nil
	})
	return n, s
}
