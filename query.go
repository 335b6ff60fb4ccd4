package kotadb

import (
	"context"
	"fmt"
	"slices"

	"github.com/kotadb/kotadb/query"
)

// QueryResult is the answer to a Query: hits, total and aggregate groups,
// plus the plan's explanation with estimated and actual candidates.
type QueryResult struct {
	*query.Result
	Explain string `json:"explain,omitempty"`
}

// Query plans q over every index (text, tags, paths, fields, dates, the
// link graph) and runs it. The same planner serves the CLI, and later the
// HTTP API, MCP and the REPL: none of them interprets queries itself.
// opts may be nil (relative dates resolve against time.Now in UTC).
func (db *DB) Query(ctx context.Context, q *query.Query, opts *query.Options) (*QueryResult, error) {
	ix, err := db.openIndices(usesGraph(q.Where))
	if err != nil {
		return nil, err
	}
	cat, release, err := ix.search.CatalogDocs(ix.graph, db.docAt)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer release()
	plan, err := query.NewPlan(q, cat, opts)
	if err != nil {
		return nil, err
	}
	res, err := plan.Execute(ctx)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return &QueryResult{Result: res, Explain: plan.Explain()}, nil
}

// usesGraph reports whether a query has link-graph clauses: only those
// need the graph loaded.
func usesGraph(e query.Expr) bool {
	switch e := e.(type) {
	case *query.And:
		return slices.ContainsFunc(e.Exprs, usesGraph)
	case *query.Or:
		return slices.ContainsFunc(e.Exprs, usesGraph)
	case *query.Not:
		return usesGraph(e.Expr)
	case *query.LinksTo, *query.LinkedFrom, *query.Near, *query.Between, *query.Orphan, *query.Unresolved:
		return true
	}
	return false
}
