package parse

import (
	"errors"
	"testing"
	"time"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/internal/cputime"
	"github.com/kotadb/kotadb/internal/testcorpus"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/text"
	"go.abhg.dev/goldmark/wikilink"
)

// corpusBytes sums the sizes of files.
func corpusBytes(files []corpusFile) int64 {
	var total int64
	for _, f := range files {
		total += int64(len(f.content))
	}
	return total
}

func benchmarkParse(b *testing.B, corpus string) {
	files := loadCorpus(b, testcorpus.Dir(b, corpus))
	total := corpusBytes(files)
	b.SetBytes(total)
	b.ReportAllocs()
	cpuStart := cputime.Process()
	for b.Loop() {
		for _, f := range files {
			if _, err := Parse(f.info, f.content); err != nil && !errors.Is(err, errs.ErrBinary) {
				b.Fatal(err)
			}
		}
	}
	reportDocs(b, len(files))
	reportCPU(b, cpuStart, total, len(files))
}

func BenchmarkParseDwarves(b *testing.B) { benchmarkParse(b, "dwarves-brain") }
func BenchmarkParseOtel(b *testing.B)    { benchmarkParse(b, "opentelemetry-docs") }

// BenchmarkGoldmarkAST is the alternative Parse's design was measured
// against: building goldmark's AST (with the wikilink extension) for every
// file, before walking it for anything. It is slower than all of Parse.
func BenchmarkGoldmarkAST(b *testing.B) {
	for _, corpus := range []string{"dwarves-brain", "opentelemetry-docs"} {
		b.Run(corpus, func(b *testing.B) {
			files := loadCorpus(b, testcorpus.Dir(b, corpus))
			total := corpusBytes(files)
			md := goldmark.New(goldmark.WithExtensions(&wikilink.Extender{}))
			b.SetBytes(total)
			cpuStart := cputime.Process()
			for b.Loop() {
				for _, f := range files {
					md.Parser().Parse(text.NewReader(f.content))
				}
			}
			reportDocs(b, len(files))
			reportCPU(b, cpuStart, total, len(files))
		})
	}
}

func BenchmarkCountWords(b *testing.B) {
	files := loadCorpus(b, testcorpus.Dir(b, "dwarves-brain"))
	total := corpusBytes(files)
	b.SetBytes(total)
	cpuStart := cputime.Process()
	for b.Loop() {
		for _, f := range files {
			countWords(f.content)
		}
	}
	reportCPU(b, cpuStart, total, len(files))
}

func reportDocs(b *testing.B, docsPerOp int) {
	b.ReportMetric(float64(docsPerOp)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// reportCPU reports throughput per second of CPU time (all threads, GC
// included) since start. The machine is shared, so wall-clock figures
// swing with other load; CPU time is steadier.
func reportCPU(b *testing.B, start time.Duration, bytesPerOp int64, docsPerOp int) {
	cpu := cputime.Process() - start
	if start == 0 || cpu <= 0 {
		return // CPU time is not available on this platform
	}
	b.ReportMetric(float64(bytesPerOp)*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
	b.ReportMetric(float64(docsPerOp)*float64(b.N)/cpu.Seconds(), "cpu-docs/s")
}
