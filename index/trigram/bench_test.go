package trigram

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"
)

func BenchmarkBuild(b *testing.B) {
	for _, name := range corpusNames {
		b.Run(name, func(b *testing.B) {
			c := loadCorpus(b, name)
			b.SetBytes(c.bytes)
			b.ReportAllocs()
			var section bytes.Buffer
			for b.Loop() {
				section.Reset()
				if _, err := c.build().WriteTo(&section); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(section.Len()), "section-bytes")
			b.ReportMetric(float64(section.Len())/float64(c.bytes), "section/corpus")
		})
	}
}

// BenchmarkBuilderAddPacked measures what the search head does per
// document: AddPacked with the document's distinct trigrams (extracted and
// packed beforehand, as the analysis workers do), over a whole corpus. It
// reports the Builder's MemSize at the end, the estimate the head's flush
// budget counts.
func BenchmarkBuilderAddPacked(b *testing.B) {
	for _, name := range corpusNames {
		b.Run(name, func(b *testing.B) {
			c := loadCorpus(b, name)
			var ex Extractor
			var keys []uint32
			packed := make([][]byte, len(c.docs))
			for i, d := range c.docs {
				keys = ex.Keys(keys[:0], d)
				packed[i] = PackKeys(nil, keys)
			}
			b.SetBytes(c.bytes)
			b.ReportAllocs()
			var tb *Builder
			for b.Loop() {
				tb = NewBuilder()
				for i, p := range packed {
					tb.AddPacked(uint32(i), p)
				}
			}
			b.ReportMetric(float64(tb.MemSize()), "MemSize")
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, name := range corpusNames {
		b.Run(name, func(b *testing.B) {
			c := loadCorpus(b, name)
			section := writeSection(b, c.build())
			b.SetBytes(int64(len(section)))
			for b.Loop() {
				if _, err := Open(section); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func writeSection(tb testing.TB, b *Builder) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// benchQuery is one query of the benchmarks: a substring or a regexp, run
// as the search engine runs it (plan, candidates, verify every candidate).
type benchQuery struct {
	name   string
	substr string // a substring query, or
	expr   string // a case-insensitive regexp query
}

// run plans and evaluates q on r and verifies the candidates, returning
// the candidate and hit counts.
func (q benchQuery) run(b *testing.B, r *Reader, docs [][]byte) (cand, hits int) {
	if q.substr != "" {
		it := r.Candidates(PlanSubstring(q.substr)).Iterator()
		for it.HasNext() {
			cand++
			if ContainsSubstring(docs[it.Next()], q.substr) {
				hits++
			}
		}
		return cand, hits
	}
	plan, re, err := PlanRegexp(q.expr, true)
	if err != nil {
		b.Fatal(err)
	}
	it := r.Candidates(plan).Iterator()
	for it.HasNext() {
		cand++
		if MatchRegexp(re, docs[it.Next()]) {
			hits++
		}
	}
	return cand, hits
}

// benchQueries returns the corpus's ident and substr queries as substring
// queries, and as regexps: the quoted identifier, and with \w* in the
// middle.
func benchQueries(c *testCorpus) (substr, regexps []benchQuery) {
	for _, s := range c.substringQueries() {
		substr = append(substr, benchQuery{name: s, substr: s})
		q := regexp.QuoteMeta(s)
		regexps = append(regexps, benchQuery{name: s + "/literal", expr: q})
		if rs := []rune(s); len(rs) >= 6 {
			mid := len(rs) / 2
			regexps = append(regexps, benchQuery{name: s + "/wildcard",
				expr: regexp.QuoteMeta(string(rs[:mid])) + `\w*` + regexp.QuoteMeta(string(rs[mid:]))})
		}
	}
	return substr, regexps
}

// BenchmarkQuery measures each query on an opened section, verification
// of every candidate included.
func BenchmarkQuery(b *testing.B) {
	for _, name := range corpusNames {
		c := loadCorpus(b, name)
		r, err := Open(writeSection(b, c.build()))
		if err != nil {
			b.Fatal(err)
		}
		substr, regexps := benchQueries(c)
		for kind, qs := range map[string][]benchQuery{"substring": substr, "regexp": regexps} {
			for _, q := range qs {
				b.Run(fmt.Sprintf("%s/%s/%s", name, kind, q.name), func(b *testing.B) {
					var cand, hits int
					for b.Loop() {
						cand, hits = q.run(b, r, c.docs)
					}
					b.ReportMetric(float64(cand), "candidates")
					b.ReportMetric(float64(hits), "hits")
				})
			}
		}
	}
}

// BenchmarkQueryMix runs every query of a corpus once per iteration and
// reports the median and worst query time (wall clock, so run it on an
// idle machine): the figure the search engine's latency target is about.
func BenchmarkQueryMix(b *testing.B) {
	for _, name := range corpusNames {
		c := loadCorpus(b, name)
		r, err := Open(writeSection(b, c.build()))
		if err != nil {
			b.Fatal(err)
		}
		substr, regexps := benchQueries(c)
		for kind, qs := range map[string][]benchQuery{"substring": substr, "regexp": regexps} {
			b.Run(name+"/"+kind, func(b *testing.B) {
				best := make([]time.Duration, len(qs))
				for b.Loop() {
					for i, q := range qs {
						t0 := time.Now()
						q.run(b, r, c.docs)
						if d := time.Since(t0); best[i] == 0 || d < best[i] {
							best[i] = d
						}
					}
				}
				slices.Sort(best)
				b.ReportMetric(float64(best[len(best)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(best[len(best)-1].Microseconds()), "max-µs")
			})
		}
	}
}

// BenchmarkFindSubstring measures reporting the first three matching lines
// of every matching document, as a result page does.
func BenchmarkFindSubstring(b *testing.B) {
	for _, name := range corpusNames {
		c := loadCorpus(b, name)
		r, err := Open(writeSection(b, c.build()))
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range c.substringQueries() {
			docs := r.Candidates(PlanSubstring(s)).ToArray()
			b.Run(name+"/"+s, func(b *testing.B) {
				for b.Loop() {
					for _, d := range docs {
						FindSubstring(c.docs[d], s, 3)
					}
				}
			})
		}
	}
}

// BenchmarkPairScan measures the pair filter's scan over a text where no
// start passes, with the vector kernel (where there is one) and with the
// word-wide scan: the bytes per second the comment on pairThreshold quotes.
func BenchmarkPairScan(b *testing.B) {
	for _, size := range []int{16 << 10, 1 << 20} {
		text := make([]byte, size)
		for i := range text {
			text[i] = byte('a' + i%7)
		}
		p := exactPair([]byte("z....y"), 0, 5)
		for _, vector := range []bool{false, true} {
			if vector && !haveVectorPairs {
				continue
			}
			b.Run(fmt.Sprintf("%dKiB/vector=%v", size>>10, vector), func(b *testing.B) {
				saved := haveVectorPairs
				defer func() { haveVectorPairs = saved }()
				haveVectorPairs = vector
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					if p.next(text, 0) >= 0 {
						b.Fatal("a start passed")
					}
				}
			})
		}
	}
}

// exactPair returns the pair filter accepting the starts where s[i] and
// s[j] are at offsets i and j.
func exactPair(s []byte, i, j int) pairFilter {
	p := pairFilter{ok: true, off: [2]int{i, j}, value: [2]uint64{uint64(s[i]) * lowBits, uint64(s[j]) * lowBits}}
	p.span = max(i, j) + 1
	return p
}
