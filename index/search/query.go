package search

// Query is a node of the query AST. The query package compiles the query
// language to it; the engine analyzes the text of the nodes with the same
// analyzer as documents. Build ASTs explicitly: And{Term{Text: "a"},
// Not{Term{Text: "b"}}}.
type Query interface{ isQuery() }

// Term matches a word in the text fields (Field "" = all of them, else one
// of TextFields). By default it matches the word's English stem group
// (running, runs, run) and, when few documents match, words within a small
// edit distance. Exact matches the analyzed form only (no stemming, no
// typo tolerance); Fuzzy always adds words within the edit distance.
//
// A Term whose text analyzes to several tokens is matched as follows: an
// identifier (maintenance_work_mem, useState) matches the whole identifier
// or the phrase of its parts; a CJK run matches the phrase of its bigrams;
// several words are all required (an And).
type Term struct {
	Field string
	Text  string
	Exact bool
	Fuzzy bool
}

// Phrase matches the words in order at consecutive positions, exactly (no
// stemming, no typo tolerance). Terms are words; each may analyze to
// several tokens (identifier parts, CJK bigrams), which all join the phrase.
type Phrase struct {
	Field string
	Terms []string
}

// Prefix matches the words that start with Text, expanded over the term
// dictionaries (at most Options.MaxExpansions words; Explain says when the
// cap cut the list).
type Prefix struct {
	Field string
	Text  string
}

// And matches documents matching every clause; scores add up.
type And []Query

// Or matches documents matching any clause; the scores of the matching
// clauses add up.
type Or []Query

// Not matches documents that do not match Query. Inside an And it
// excludes; elsewhere it matches every live document but those.
type Not struct{ Query Query }

// All matches every live document, with score 0 (for filter-only queries).
type All struct{}

// KeywordTerm matches documents whose keyword field (tag, tagx, path, key,
// collection, lang, link, alias, field.<name>) has exactly Value (compared
// case-insensitively). It does not score.
type KeywordTerm struct {
	Field string
	Value string
}

// KeywordPrefix matches documents with a value of the keyword field that
// starts with Prefix (case-insensitively): a path prefix, a tag subtree.
type KeywordPrefix struct {
	Field  string
	Prefix string
}

// NumericRange matches documents with a value of a numeric field (created,
// updated in unix seconds, field.<name>) within the range. Use
// math.Inf(-1) / math.Inf(1) for open ends.
type NumericRange struct {
	Field        string
	Min, Max     float64
	MinInclusive bool
	MaxInclusive bool
}

// Regex matches documents whose text has a match of the RE2 pattern.
// Candidates come from the trigram section when there is one; every
// candidate is verified against the document's text.
type Regex struct {
	Pattern         string
	CaseInsensitive bool
}

// Substring matches documents whose text contains Text.
type Substring struct {
	Text            string
	CaseInsensitive bool
}

func (Term) isQuery()          {}
func (Phrase) isQuery()        {}
func (Prefix) isQuery()        {}
func (And) isQuery()           {}
func (Or) isQuery()            {}
func (Not) isQuery()           {}
func (All) isQuery()           {}
func (KeywordTerm) isQuery()   {}
func (KeywordPrefix) isQuery() {}
func (NumericRange) isQuery()  {}
func (Regex) isQuery()         {}
func (Substring) isQuery()     {}
