package search

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kotadb/kotadb/internal/cputime"
	"github.com/kotadb/kotadb/internal/vfs"
)

var benchCorpora = []string{"dwarves-brain", "opentelemetry-docs"}

// BenchmarkBuild indexes a whole corpus and flushes it to one segment on
// the real filesystem: analysis, postings, dictionaries, fsync.
func BenchmarkBuild(b *testing.B) {
	for _, name := range benchCorpora {
		b.Run(name, func(b *testing.B) {
			docs := loadCorpus(b, name, 0)
			size := 0
			for _, d := range docs {
				size += len(d.Text)
			}
			changes := puts(1, docs...)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var indexBytes int64
			for b.Loop() {
				dir := b.TempDir()
				idx, err := Open(vfs.OS, dir, Options{noWorker: true})
				if err != nil {
					b.Fatal(err)
				}
				if err := idx.Apply(changes); err != nil {
					b.Fatal(err)
				}
				if err := idx.Flush(); err != nil {
					b.Fatal(err)
				}
				indexBytes = idx.Stats().SegmentBytes
				if err := idx.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(indexBytes)/float64(size), "index/corpus")
		})
	}
}

// benchQueries turns a corpus's queries.tsv into ASTs by class, the way the
// query language would (AND of words; quoted phrases; #tag; path prefix).
func benchQueries(b testing.TB, name string) map[string][]Query {
	out := map[string][]Query{}
	for _, q := range loadQueries(b, name) {
		var query Query
		switch q.class {
		case "word", "typo", "absent", "substr", "ident":
			query = Term{Text: q.query}
		case "phrase", "title":
			query = Phrase{Terms: strings.Fields(q.query)}
		case "nl":
			a := And{}
			for _, w := range strings.Fields(q.query) {
				a = append(a, Term{Text: w})
			}
			query = a
		case "tag":
			query = KeywordTerm{Field: KeywordTagTree, Value: strings.TrimPrefix(q.query, "#")}
		case "path":
			query = KeywordPrefix{Field: KeywordPath, Prefix: strings.TrimPrefix(q.query, "content/")}
		default:
			continue
		}
		out[q.class] = append(out[q.class], query)
		if q.class == "word" {
			w := []rune(q.query)
			out["prefix"] = append(out["prefix"], Prefix{Text: string(w[:min(len(w), 4)])})
		}
	}
	return out
}

// BenchmarkQuery measures one query of each class at a time over a
// corpus flushed to one segment (top 10, no snippets); ns/op is per query.
func BenchmarkQuery(b *testing.B) {
	for _, name := range benchCorpora {
		idx, _ := corpusIndex(b, name)
		classes := benchQueries(b, name)
		for _, class := range []string{"word", "phrase", "ident", "substr", "typo", "prefix", "nl", "tag", "path", "absent"} {
			qs := classes[class]
			if len(qs) == 0 {
				continue
			}
			b.Run(name+"/"+class, func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				cpu := startCPUTimer()
				i := 0
				for b.Loop() {
					if _, err := idx.Search(ctx, qs[i%len(qs)], SearchOptions{Limit: 10}); err != nil {
						b.Fatal(err)
					}
					i++
				}
				cpu.report(b, i)
			})
		}
		b.Run(name+"/word+snippets", func(b *testing.B) {
			qs := classes["word"]
			i := 0
			for b.Loop() {
				if _, err := idx.Search(context.Background(), qs[i%len(qs)], SearchOptions{Limit: 10, Snippets: true}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		idx.Close()
	}
}

// BenchmarkOpenFirstAnswer opens an index of a flushed corpus and answers
// one query of a class (what a command-line search pays per run).
func BenchmarkOpenFirstAnswer(b *testing.B) {
	for _, name := range benchCorpora {
		docs := loadCorpus(b, name, 0)
		dir := b.TempDir()
		idx, err := Open(vfs.OS, dir, Options{noWorker: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := idx.Apply(puts(1, docs...)); err != nil {
			b.Fatal(err)
		}
		if err := idx.Close(); err != nil {
			b.Fatal(err)
		}
		classes := benchQueries(b, name)
		for _, class := range []string{"word", "typo", "prefix"} {
			qs := classes[class]
			if len(qs) == 0 {
				continue
			}
			b.Run(name+"/"+class, func(b *testing.B) {
				cpu := startCPUTimer()
				i := 0
				for b.Loop() {
					idx, err := Open(vfs.OS, dir, Options{noWorker: true})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := idx.Search(context.Background(), qs[i%len(qs)], SearchOptions{Limit: 10}); err != nil {
						b.Fatal(err)
					}
					idx.Close()
					i++
				}
				cpu.report(b, i)
			})
		}
	}
}

// cpuTimer measures the process's CPU time (user and system, all threads)
// over a benchmark loop. On a machine shared with other work, wall time per
// op mostly measures the neighbours; CPU time per op is what the code costs.
type cpuTimer struct{ start time.Duration }

func startCPUTimer() cpuTimer { return cpuTimer{cputime.Process()} }

// report adds the cpu-ns/op metric for n ops (where the platform tells).
func (c cpuTimer) report(b *testing.B, n int) {
	if n > 0 && c.start > 0 {
		b.ReportMetric(float64(cputime.Process()-c.start)/float64(n), "cpu-ns/op")
	}
}
