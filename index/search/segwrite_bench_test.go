package search

import (
	"io"
	"testing"
)

// BenchmarkWriteSegment writes the segment of a head holding a whole corpus
// (what a bulk build's final flush does) to io.Discard: the dictionaries,
// stem groups, postings, trigram section and checksums, without the file
// system (whose buffers would count in B/op).
func BenchmarkWriteSegment(b *testing.B) {
	for _, name := range benchCorpora {
		b.Run(name, func(b *testing.B) {
			docs := loadCorpus(b, name, 0)
			h := newHead()
			for i, d := range docs {
				d.Seq = uint64(i + 1)
				h.add(d)
			}
			b.ReportAllocs()
			cpu := startCPUTimer()
			n := 0
			var size uint64
			for b.Loop() {
				sw := newSectionWriter(io.Discard)
				if err := writeSections(sw, headInput(h)); err != nil {
					b.Fatal(err)
				}
				if err := sw.w.Flush(); err != nil {
					b.Fatal(err)
				}
				size = sw.off
				n++
			}
			cpu.report(b, n)
			b.ReportMetric(float64(size), "seg-bytes")
		})
	}
}
