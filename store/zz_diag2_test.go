package store

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestZZDiag2(t *testing.T) {
	paths, data := corpusFiles(t, "dwarves-brain")
	path := filepath.Join(t.TempDir(), "kotadb.db")
	s, _ := Open(path, nil)
	defer s.Close()
	var batch []Write
	for i, p := range paths {
		batch = append(batch, Write{Op: OpPut, Key: "c/" + p, Value: data[i], File: &FileState{Size: 1}})
		if len(batch) == 256 || i == len(paths)-1 {
			s.Apply("x", batch)
			batch = nil
			s.view("d", func(tx *bolt.Tx) error {
				st := tx.DB().Stats()
				t.Logf("size %d pages, free %d pending %d, alloc=%d", tx.Size()/4096, st.FreePageN, st.PendingPageN, tx.DB().AllocSize)
				return nil
			})
		}
	}
}
