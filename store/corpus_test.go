package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// loadCorpus stores every file of a corpus under collection, training the
// collection's dictionary from the files first when train is set (logged
// in tests, not in benchmarks), in batches of 256. It returns the raw bytes
// and the time the load took.
func loadCorpus(t testing.TB, s *Store, collection string, paths []string, data [][]byte, train bool) (int64, time.Duration) {
	t.Helper()
	start := time.Now()
	if train {
		info, err := s.TrainDictionary(collection, data)
		if err != nil {
			t.Fatal(err)
		}
		if _, bench := t.(*testing.B); !bench {
			t.Logf("%s: dictionary of %d bytes from %d samples (%d bytes) in %v: ratio %.2fx with, %.2fx without",
				collection, info.Size, info.Samples, info.SampleBytes, time.Since(start).Round(time.Millisecond), info.Ratio, info.RatioWithout)
		}
	}
	var raw int64
	var batch []Write
	for i, p := range paths {
		raw += int64(len(data[i]))
		batch = append(batch, Write{Op: OpPut, Key: collection + "/" + p, Value: data[i],
			File: &FileState{Size: int64(len(data[i])), ModTime: int64(i)}})
		if len(batch) == 256 || i == len(paths)-1 {
			if _, err := s.Apply("bench", batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return raw, time.Since(start)
}

// TestCorpusFootprint stores the shared corpora (one collection each, the
// dictionary trained from the files) and checks the database stays under
// 0.6x the corpus bytes. Run with -v for the figures.
func TestCorpusFootprint(t *testing.T) {
	if testing.Short() {
		t.Skip("loads both corpora")
	}
	corpora := []string{"dwarves-brain", "opentelemetry-docs"}
	type loaded struct {
		paths []string
		data  [][]byte
	}
	files := map[string]loaded{}
	for _, name := range corpora {
		p, d := corpusFiles(t, name)
		files[name] = loaded{p, d}
	}
	for _, set := range [][]string{{corpora[0]}, {corpora[1]}, corpora} {
		for _, train := range []bool{false, true} {
			path := filepath.Join(t.TempDir(), "kotadb.db")
			s, err := Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			var raw int64
			var took time.Duration
			for _, name := range set {
				r, d := loadCorpus(t, s, name, files[name].paths, files[name].data, train)
				raw, took = raw+r, took+d
			}
			st, err := s.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			ratio := float64(fi.Size()) / float64(raw)
			t.Logf("%v dict=%v: %d docs, raw %d B, blobs %d B (%.2fx), bbolt used %d B, file %d B = %.3f of raw; load %v (%.0f docs/s, %.1f MB/s)",
				set, train, st.Docs, raw, st.StoredBytes, st.Ratio, st.UsedBytes, fi.Size(), ratio,
				took.Round(time.Millisecond), float64(st.Docs)/took.Seconds(), float64(raw)/1e6/took.Seconds())
			if train && ratio >= 0.6 {
				t.Errorf("%v: database is %.3f of the corpus bytes, want < 0.6", set, ratio)
			}
		}
	}
}
