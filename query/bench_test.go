package query_test

import (
	"context"
	"testing"

	"github.com/kotadb/kotadb/index/graph/graphtest"
	"github.com/kotadb/kotadb/query"
	"github.com/kotadb/kotadb/query/memcat"
)

const benchKQL = `rust "error handling" tag:project/kota -tag:archive path:notes/** title:roadmap status:active priority:>=2 created:>2025-01-01 updated:last-week links:[[Roadmap]] backlinks:[[Roadmap]] near:"projects/kota/README.md" depth:2 sort:-updated limit:20`

func BenchmarkParseKQL(b *testing.B) {
	b.SetBytes(int64(len(benchKQL)))
	for b.Loop() {
		if _, err := query.ParseKQL(benchKQL); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	js, err := query.MustParseKQL(benchKQL).MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(js)))
	for b.Loop() {
		if _, err := query.DecodeJSON(js); err != nil {
			b.Fatal(err)
		}
	}
}

// benchQueries are planned against the dwarves-brain vault.
var benchQueries = map[string]string{
	"text":        `database`,
	"text+filter": `react #engineering/frontend -tag:archive`,
	"sorted":      `path:01_literature/ sort:-updated limit:10`,
	"graph":       `near:[[§ Engineering MOC]] depth:2`,
	"aggregate":   `created:>=2023 group:tag agg:max(updated)`,
}

func benchCatalog(b *testing.B) *memcat.Catalog {
	c, err := memcat.New(graphtest.Load(b, "dwarves-brain"))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkPlan measures planning alone: estimates from the catalog and
// step ordering (graph clauses are resolved here too).
func BenchmarkPlan(b *testing.B) {
	c := benchCatalog(b)
	for name, kql := range benchQueries {
		q := query.MustParseKQL(kql)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := query.NewPlan(q, c, testOpts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPlanExecute plans and runs; the in-memory catalog is brute
// force, so this measures the planner's own work plus a naive index.
func BenchmarkPlanExecute(b *testing.B) {
	c := benchCatalog(b)
	for name, kql := range benchQueries {
		q := query.MustParseKQL(kql)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				p, err := query.NewPlan(q, c, testOpts)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.Execute(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
