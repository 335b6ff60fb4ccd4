package store

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// benchDocs returns n markdown documents of about 4 KB.
func benchDocs(n int) [][]byte {
	docs := syntheticNotes(n, 11)
	for i, d := range docs {
		for len(d) < 4096 {
			d = append(d, docs[(i+1)%len(docs)]...)
		}
		docs[i] = d[:4096]
	}
	return docs
}

func openBench(b *testing.B, sync bool) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "kotadb.db"), &Options{NoSync: !sync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// BenchmarkApply256 applies batches of 256 puts of ~4 KB markdown documents
// (new keys each batch, so every put stores a blob and a version).
func BenchmarkApply256(b *testing.B) {
	docs := benchDocs(256)
	for _, sync := range []bool{false, true} {
		b.Run(fmt.Sprintf("sync=%v", sync), func(b *testing.B) {
			s := openBench(b, sync)
			batch := make([]Write, len(docs))
			b.SetBytes(int64(256 * 4096))
			n := 0
			for b.Loop() {
				for i, d := range docs {
					// A byte of difference keeps the blobs distinct.
					v := append([]byte(fmt.Sprintf("%d\n", n)), d...)
					batch[i] = Write{Op: OpPut, Key: fmt.Sprintf("bench/%d/%d.md", n, i), Value: v}
				}
				if _, err := s.Apply("bench", batch); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(256*b.N)/b.Elapsed().Seconds(), "puts/s")
		})
	}
}

// storeWithDocs fills a store with 2000 documents of ~4 KB.
func storeWithDocs(b *testing.B) (*Store, []string, []Hash) {
	s := openBench(b, false)
	docs := benchDocs(2000)
	var keys []string
	var hashes []Hash
	var batch []Write
	for i, d := range docs {
		keys = append(keys, fmt.Sprintf("bench/%04d.md", i))
		batch = append(batch, Write{Op: OpPut, Key: keys[i], Value: d})
		if len(batch) == 256 || i == len(docs)-1 {
			vs, err := s.Apply("bench", batch)
			if err != nil {
				b.Fatal(err)
			}
			for _, v := range vs {
				hashes = append(hashes, v.Hash)
			}
			batch = batch[:0]
		}
	}
	return s, keys, hashes
}

func BenchmarkGet(b *testing.B) {
	s, keys, _ := storeWithDocs(b)
	rng := rand.New(rand.NewPCG(1, 1))
	b.SetBytes(4096)
	for b.Loop() {
		if _, err := s.Get(keys[rng.IntN(len(keys))]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlob(b *testing.B) {
	s, _, hashes := storeWithDocs(b)
	rng := rand.New(rand.NewPCG(1, 1))
	b.SetBytes(4096)
	for b.Loop() {
		if _, err := s.Blob(hashes[rng.IntN(len(hashes))]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainDictionary trains on dwarves-brain (about 2 MiB of samples).
func BenchmarkTrainDictionary(b *testing.B) {
	_, data := corpusFiles(b, "dwarves-brain")
	s := openBench(b, false)
	for b.Loop() {
		if _, err := s.TrainDictionary("bench", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColdLoad stores all of dwarves-brain into a new store in batches
// of 256, with the collection's dictionary trained first or not.
func BenchmarkColdLoad(b *testing.B) {
	paths, data := corpusFiles(b, "dwarves-brain")
	var raw int64
	for _, d := range data {
		raw += int64(len(d))
	}
	for _, train := range []bool{false, true} {
		for _, sync := range []bool{false, true} {
			b.Run(fmt.Sprintf("dict=%v/sync=%v", train, sync), func(b *testing.B) {
				b.SetBytes(raw)
				for b.Loop() {
					b.StopTimer()
					s, err := Open(filepath.Join(b.TempDir(), "kotadb.db"), &Options{NoSync: !sync})
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					loadCorpus(b, s, "dwarves", paths, data, train)
					b.StopTimer()
					_ = s.Close()
					b.StartTimer()
				}
				b.ReportMetric(float64(len(paths)*b.N)/b.Elapsed().Seconds(), "puts/s")
			})
		}
	}
}

// BenchmarkOpen opens (and closes) a store of 2000 documents: the checks
// before bbolt maps the file, and the page walk, are part of every Open.
func BenchmarkOpen(b *testing.B) {
	s, _, _ := storeWithDocs(b)
	path := s.Path()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	for _, ro := range []bool{false, true} {
		b.Run(fmt.Sprintf("readonly=%v", ro), func(b *testing.B) {
			for b.Loop() {
				s, err := Open(path, &Options{ReadOnly: ro, NoSync: true})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
