package search

import (
	"context"
	"strings"
	"testing"
)

// rankedSlow are the ranked queries of the opentelemetry-docs corpus that
// set the harness's ranked p95 (issue 3), built as the kotadb adapter of
// bench/ builds them: a phrase as a Phrase, phrase-and and nl as an And of
// words.
var rankedSlow = []struct{ class, query string }{
	{"phrase", "service name"},
	{"phrase-and", "zero-code instrumentation"},
	{"nl", "how do I configure the collector to export to prometheus"},
	{"phrase", "zero-code instrumentation"},
	{"phrase-and", "service name"},
	{"phrase", "context propagation"},
	{"phrase", "resource attributes"},
	{"nl", "what is a span"},
	{"phrase-and", "list of exporters"},
	{"word", "exporters"},
}

func rankedQuery(class, q string) Query {
	if class == "phrase" {
		return Phrase{Terms: strings.Fields(q)}
	}
	a := And{}
	for _, w := range strings.Fields(q) {
		a = append(a, Term{Text: w})
	}
	if len(a) == 1 {
		return a[0]
	}
	return a
}

// BenchmarkQueryRanked measures each of those queries alone (top 10, no
// snippets) over the corpus flushed to one segment.
func BenchmarkQueryRanked(b *testing.B) {
	idx, _ := corpusIndex(b, "opentelemetry-docs")
	defer idx.Close()
	for _, rq := range rankedSlow {
		q := rankedQuery(rq.class, rq.query)
		b.Run(rq.class+"/"+strings.ReplaceAll(rq.query, " ", "_"), func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			cpu := startCPUTimer()
			n := 0
			for b.Loop() {
				if _, err := idx.Search(ctx, q, SearchOptions{Limit: 10}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			cpu.report(b, n)
		})
	}
}
