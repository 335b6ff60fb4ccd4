package kotadb

import (
	"context"
	"fmt"
	"strings"

	"github.com/kotadb/kotadb/index/search"
	"github.com/kotadb/kotadb/query"
)

// SearchOptions configure DB.Search.
type SearchOptions struct {
	Limit  int // hits to return; 0 means 10
	Offset int
	// Exact turns typo tolerance and stemming off.
	Exact bool
	// Regex reads the whole query as one RE2 regular expression over the
	// raw text (case-insensitive unless it says otherwise with (?-i)).
	Regex bool
	// Explain fills Results.Explain: per term its document frequency,
	// corrections and expansions, and the candidates of each step.
	Explain bool
	// NoSnippets skips the best-passage snippet of each hit.
	NoSnippets bool
}

// SearchResults are ranked hits with snippets; see search.Results.
type SearchResults = search.Results

// Search runs a full-text query: words (all required), "phrases", OR,
// -exclusions, prefix*, /regex/, sub:substring, exact:word. Filters such as
// tag: or path: belong to Query, which plans them with the other indices;
// Search says so rather than ignoring them.
func (db *DB) Search(ctx context.Context, q string, opts SearchOptions) (*SearchResults, error) {
	ix, err := db.openIndices(false)
	if err != nil {
		return nil, err
	}
	sq, err := searchQuery(q, opts)
	if err != nil {
		return nil, err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 10
	}
	return ix.search.Search(ctx, sq, search.SearchOptions{
		Limit: limit, Offset: opts.Offset, Exact: opts.Exact,
		Snippets: !opts.NoSnippets, Explain: opts.Explain,
	})
}

// searchQuery compiles the text of a search box to the engine's AST
// through the one query language (KQL), so `kotadb search` and `kotadb
// query` read words, phrases and operators the same way.
func searchQuery(q string, opts SearchOptions) (search.Query, error) {
	if strings.TrimSpace(q) == "" {
		return nil, fmt.Errorf("search: empty query")
	}
	if opts.Regex {
		return search.Regex{Pattern: q, CaseInsensitive: true}, nil
	}
	parsed, err := query.ParseKQL(q)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if parsed.Where == nil {
		return nil, fmt.Errorf("search: %q has no words to search for", q)
	}
	sq, err := textAST(parsed.Where, opts.Exact)
	if err != nil {
		return nil, fmt.Errorf("search: %w (use `kotadb query` for filters)", err)
	}
	return sq, nil
}

// textAST maps a KQL expression made only of text clauses onto the search
// engine's AST.
func textAST(e query.Expr, exact bool) (search.Query, error) {
	switch e := e.(type) {
	case *query.And:
		kids, err := textASTs(e.Exprs, exact)
		return search.And(kids), err
	case *query.Or:
		kids, err := textASTs(e.Exprs, exact)
		return search.Or(kids), err
	case *query.Not:
		q, err := textAST(e.Expr, exact)
		if err != nil {
			return nil, err
		}
		return search.Not{Query: q}, nil
	case *query.Text:
		return search.FromText(*e, exact), nil
	}
	return nil, fmt.Errorf("%s is a filter, not text", query.ExprString(e))
}

func textASTs(exprs []query.Expr, exact bool) ([]search.Query, error) {
	out := make([]search.Query, 0, len(exprs))
	for _, e := range exprs {
		q, err := textAST(e, exact)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}
