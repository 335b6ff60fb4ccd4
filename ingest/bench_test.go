package ingest

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/kotadb/kotadb/internal/cputime"
	"github.com/kotadb/kotadb/internal/testcorpus"
	"github.com/kotadb/kotadb/store"
)

func BenchmarkColdIngest(b *testing.B) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		b.Run(name, func(b *testing.B) { benchColdIngest(b, name, true) })
	}
}

// BenchmarkColdIngestSync is BenchmarkColdIngest with every commit synced,
// as kotadb runs it outside tests.
func BenchmarkColdIngestSync(b *testing.B) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		b.Run(name, func(b *testing.B) { benchColdIngest(b, name, false) })
	}
}

func benchColdIngest(b *testing.B, name string, noSync bool) {
	dir := testcorpus.Dir(b, name)
	files, size := folderSize(b, dir)
	b.SetBytes(size)
	var dbSize int64
	cpu := cputime.Process()
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "kota.db")
		st, err := store.Open(path, &store.Options{NoSync: noSync})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Index(context.Background(), st, dir, Options{}); err != nil {
			b.Fatal(err)
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		dbSize = fi.Size()
	}
	cpu = cputime.Process() - cpu
	b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(dbSize)/float64(size), "db/raw")
	if cpu > 0 {
		// CPU time of the whole process (all goroutines, GC included) per
		// run: the figure to compare on a loaded machine.
		b.ReportMetric(cpu.Seconds()*1000/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkPipelineWithoutStore measures this package's share of a cold
// ingest: walk, stat, read, hash and parse on all workers, without the
// store's writes.
func BenchmarkPipelineWithoutStore(b *testing.B) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		b.Run(name, func(b *testing.B) {
			dir := testcorpus.Dir(b, name)
			files, size := folderSize(b, dir)
			b.SetBytes(size)
			proc := &processor{collection: "c", prior: map[string]store.FileState{}, maxSize: DefaultMaxSize,
				racyFrom: math.MaxInt64, parse: true}
			for b.Loop() {
				n := 0
				if err := scan(context.Background(), dir, "", proc, func(r result) {
					if r.outcome == outAdded {
						n++
					}
				}); err != nil {
					b.Fatal(err)
				}
				if n != files {
					b.Fatalf("%d of %d files processed", n, files)
				}
			}
			b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// BenchmarkNoChange re-indexes an unchanged folder of 2,000 files: a stat
// per file and no reads.
func BenchmarkNoChange(b *testing.B) {
	dir := b.TempDir()
	for i := range 2000 {
		writeFile(b, dir, fmt.Sprintf("d%02d/note%04d.md", i%40, i),
			fmt.Appendf(nil, "---\ntags: [a, b%d]\n---\n# Note %d\n\nSome text about [[note%04d]].\n", i%7, i, (i+1)%2000))
	}
	st := openStore(b)
	index(b, st, dir, Options{})
	for b.Loop() {
		sum := index(b, st, dir, Options{})
		if sum.Unchanged != 2000 || sum.Read != 0 {
			b.Fatalf("not a no-change run: %s, %d read", sum, sum.Read)
		}
	}
	b.ReportMetric(2000*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

func folderSize(tb testing.TB, dir string) (files int, size int64) {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += fi.Size()
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files, size
}
