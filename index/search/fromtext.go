package search

import (
	"strings"

	"github.com/kotadb/kotadb/query"
)

// FromText maps one text clause of the query model onto the engine's AST.
// A phrase is split on white space; the engine analyzes each word
// (identifier parts and CJK bigrams join the phrase). exact is the query-wide exact mode (`--exact`), which a clause can also
// ask for by itself (exact:word).
func FromText(t query.Text, exact bool) Query {
	exact = exact || t.Exact
	switch t.Kind {
	case query.Phrase:
		return Phrase{Field: t.Field, Terms: strings.Fields(t.Value)}
	case query.Prefix:
		return Prefix{Field: t.Field, Text: t.Value}
	case query.Substring:
		return Substring{Text: t.Value, CaseInsensitive: !t.Exact}
	case query.Regex:
		return Regex{Pattern: t.Value, CaseInsensitive: !t.Exact}
	}
	return Term{Field: t.Field, Text: t.Value, Exact: exact, Fuzzy: t.Fuzzy > 0 && !exact}
}
