package store

import (
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestZZDiag(t *testing.T) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
	paths, data := corpusFiles(t, name)
	path := filepath.Join(t.TempDir(), "kotadb.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := loadCorpus(t, s, "c", paths, data, false)
	_ = s.view("diag", func(tx *bolt.Tx) error {
		var tot int
		for _, b := range allBuckets {
			st := tx.Bucket(b).Stats()
			alloc := st.BranchAlloc + st.LeafAlloc
			tot += alloc
			t.Logf("%-9s keys=%5d branch=%3d leaf=%4d overflow=%4d inuse=%8d alloc=%8d fill=%.2f inline=%d", b, st.KeyN, st.BranchPageN, st.LeafPageN, st.LeafOverflowN, st.BranchInuse+st.LeafInuse, alloc, float64(st.BranchInuse+st.LeafInuse)/float64(max(alloc, 1)), st.InlineBucketN)
		}
		t.Logf("total alloc %d, tx size %d, free %d", tot, tx.Size(), tx.DB().Stats().FreeAlloc)
		return nil
	})
	s.Close()
	fi, _ := os.Stat(path)
	t.Logf("%s raw %d file %d", name, raw, fi.Size())
	}
}
