package search

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph/graphtest"
	"github.com/kotadb/kotadb/query"
	"github.com/kotadb/kotadb/query/memcat"
)

// catalogBenchQueries are KQL queries per corpus and class, built from the
// corpora's queries.tsv (tags, paths, fields) and their frontmatter.
var catalogBenchQueries = map[string][][2]string{
	"dwarves-brain": {
		{"tag", "tag:engineering/frontend"},
		{"path", `path:"UX Research/"`},
		{"field", "status:Adopt"},
		{"text+filters", `design tag:engineering -path:_radar/`},
		{"text+field", "database status:adopt sort:-updated"},
		{"aggregate", "tag:llm group:tag agg:count"},
	},
	"opentelemetry-docs": {
		{"tag", "tag:otel-comms"},
		{"path", "path:content/en/docs/collector/"},
		{"field", "sig:Comms"},
		{"text+filters", "exporters path:content/en/docs/ -tag:otel-go"},
		{"text+field", "collector sig:Comms sort:title"},
		{"aggregate", "path:content/en/docs/collector/ group:folder agg:count"},
	},
}

// BenchmarkCatalogQuery plans and runs one query over a corpus index, a
// catalog per query as the DB makes one; p50-ns is the median of the
// iterations. Layouts: "segments" has every document flushed (an index
// reopened), "head20" keeps the last 20% in the in-memory head.
func BenchmarkCatalogQuery(b *testing.B) {
	for _, name := range benchCorpora {
		docs := graphtest.Load(b, name)
		oracle, err := memcat.New(docs) // for its link graph
		if err != nil {
			b.Fatal(err)
		}
		ptrs := make([]*index.Doc, len(docs))
		for i := range docs {
			ptrs[i] = &docs[i]
		}
		for _, layout := range []string{"segments", "head20"} {
			texts := newTextStore()
			idx, _ := memIndex(b, Options{noWorker: true, TextSource: texts.source})
			cut := len(docs)
			if layout == "head20" {
				cut = len(docs) * 8 / 10
			}
			for i, part := range [][]index.Change{puts(1, ptrs[:cut]...), puts(uint64(cut+1), ptrs[cut:]...)} {
				texts.record(part)
				if err := idx.Apply(part); err != nil {
					b.Fatal(err)
				}
				if i == 0 {
					if err := idx.Flush(); err != nil {
						b.Fatal(err)
					}
				}
			}
			for _, tc := range catalogBenchQueries[name] {
				q, err := query.ParseKQL(tc[1])
				if err != nil {
					b.Fatal(err)
				}
				b.Run(name+"/"+layout+"/"+tc[0], func(b *testing.B) {
					b.ReportAllocs()
					var took []time.Duration
					total := 0
					for b.Loop() {
						start := time.Now()
						cat, release, err := idx.Catalog(oracle.Graph(), texts.source)
						if err != nil {
							b.Fatal(err)
						}
						p, err := query.NewPlan(q, cat, catOpts)
						if err != nil {
							b.Fatal(err)
						}
						res, err := p.Execute(context.Background())
						if err != nil {
							b.Fatal(err)
						}
						release()
						took = append(took, time.Since(start))
						total = res.Total
					}
					if total == 0 {
						b.Fatalf("%s matches nothing in %s", tc[1], name)
					}
					slices.Sort(took)
					b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
					b.ReportMetric(float64(total), "matches")
				})
			}
			idx.Close()
		}
	}
}
