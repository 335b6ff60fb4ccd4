// Package query is kotadb's one query model: the AST every front end (the
// CLI; later an HTTP API, MCP, a REPL) builds, its versioned JSON form,
// the search-box language KQL that compiles to it, and the
// planner/executor that runs it against the indices through the Catalog
// interface.
//
// A Query is a filter (Where) plus sort, paging, projection and aggregates.
// Where is a tree of Expr nodes: And/Or/Not over leaves for text, tags,
// paths, frontmatter fields, dates, collections, languages and the link
// graph. docs/query.md documents the JSON form and the KQL grammar.
package query

import (
	"fmt"

	"github.com/kotadb/kotadb/index/graph"
)

// Version is the version of the query format ("version" in JSON).
const Version = 1

// DefaultLimit is how many hits a query returns when Limit is 0.
const DefaultLimit = 20

// MaxLimit bounds Limit and Offset so that a typo cannot ask for the moon.
const MaxLimit = 1_000_000

// Query is one query. The zero value matches every document, sorted by
// score, DefaultLimit hits.
type Query struct {
	Version int // 0 or Version; the JSON form requires it
	// Where filters documents; nil matches all of them.
	Where Expr
	// Sort orders the hits; empty means by score, highest first. Ties are
	// always broken by document key, so results are deterministic.
	Sort   []SortKey
	Limit  int // hits to return; 0 means DefaultLimit
	Offset int // hits to skip
	// Select names the values each hit carries besides its key and score:
	// SelectBuiltins or "field.NAME" for a frontmatter field.
	Select []string
	// Aggregate, when set, summarizes every matching document (not only the
	// returned page).
	Aggregate *Aggregate
}

// Expr is a node of the Where tree. The set of node types is closed: And,
// Or, Not, Text, Tag, Path, Field, Date, Collection, Lang, LinksTo,
// LinkedFrom, Near, Between, Orphan, Unresolved.
type Expr interface {
	exprNode()
}

// And matches documents every one of Exprs matches.
type And struct{ Exprs []Expr }

// Or matches documents at least one of Exprs matches.
type Or struct{ Exprs []Expr }

// Not matches documents Expr does not match.
type Not struct{ Expr Expr }

// TextKind is the kind of a text match.
type TextKind uint8

const (
	Term      TextKind = iota // ranked full-text term (BM25F)
	Phrase                    // ranked exact sequence of terms
	Prefix                    // terms starting with Value
	Substring                 // raw substring of the text (trigram index)
	Regex                     // RE2 regular expression over the raw text
)

var textKindNames = [...]string{"term", "phrase", "prefix", "substring", "regex"}

func (k TextKind) String() string {
	if int(k) < len(textKindNames) {
		return textKindNames[k]
	}
	return fmt.Sprintf("TextKind(%d)", k)
}

// Text fields a text match can be restricted to ("" is all of them); the
// names index/search uses.
var TextFields = []string{"title", "headings", "body"}

// Text is a full-text match.
type Text struct {
	Kind  TextKind
	Value string
	// Field restricts a Term, Phrase or Prefix to one of TextFields.
	Field string
	// Exact matches the words as written: no stemming and no typo
	// tolerance (Term, Phrase, Prefix; words still compare case-
	// insensitively), or case-sensitively for a Substring.
	Exact bool
	// Fuzzy is the edit distance (1 or 2) a Term may be off by.
	Fuzzy int
}

// Tag matches documents carrying a tag. Names are normalized: no '#',
// lower-case, no trailing '/'.
type Tag struct {
	Name string
	// Exact matches the tag itself only; otherwise nested tags match too
	// (project matches project/kota), as in Obsidian.
	Exact bool
}

// PathOp is how a Path node matches.
type PathOp uint8

const (
	PathPrefix PathOp = iota // path starts with Value
	PathGlob                 // glob: * within a folder, ** across folders, ? one character
	PathEq                   // path is Value
	PathRange                // Lo <= path <= Hi (bytewise; either may be "")
)

// Path matches a document's path inside its collection, case-insensitively.
type Path struct {
	Op     PathOp
	Value  string // PathPrefix, PathGlob, PathEq
	Lo, Hi string // PathRange
}

// Field is a condition on a frontmatter field (or a JSON document's
// top-level field).
type Field struct {
	// Name is the field's key, compared case-insensitively; "a.b" names
	// key b of the map under key a.
	Name string
	Cond
}

// Date is a condition on a document's created or updated time.
type Date struct {
	Field string // "created" or "updated"
	Cond         // Op is CondEq (a period) or CondRange; values are dates
}

// CondOp is the operator of a Cond.
type CondOp uint8

const (
	CondEq     CondOp = iota // equals Value (a list field: contains it)
	CondIn                   // equals one of Values
	CondExists               // has the field at all
	CondRange                // within Lo and Hi
)

// Cond is a condition on a value.
//
// Equality compares normalized keywords: strings case-insensitively,
// numbers by value (2 equals 2.0 and "2"), booleans as true/false; a list
// field equals a value when one of its elements does. A Date value compares
// as a period (2025-01-01 is that day; last-week the last seven days).
// Ranges need numbers or dates; either bound may be nil.
type Cond struct {
	Op     CondOp
	Value  Value   // CondEq
	Values []Value // CondIn
	Lo, Hi *Bound  // CondRange
}

// Bound is one end of a range.
type Bound struct {
	Value     Value
	Inclusive bool
}

// Collection matches documents of one collection.
type Collection struct{ Name string }

// Lang matches documents of one language ("markdown", "go", …).
type Lang struct{ Name string }

// LinksTo matches documents that link to Note (Note's backlinks). Note is a
// reference as Graph.Resolve takes it: a key, path, note name or alias.
type LinksTo struct {
	Note  string
	Kinds graph.Kind // 0 means all kinds
}

// LinkedFrom matches documents Note links to (Note's outgoing links).
type LinkedFrom struct {
	Note  string
	Kinds graph.Kind
}

// Near matches documents within Depth hops of Note (Note itself excluded).
type Near struct {
	Note      string
	Depth     int // 1..graph.MaxDepth; 0 means 1
	Kinds     graph.Kind
	Direction graph.Direction
}

// Between matches the documents on a shortest link path from From to To,
// ends included; the path is at most Depth hops (0 means graph.MaxDepth).
type Between struct {
	From, To  string
	Depth     int
	Kinds     graph.Kind
	Direction graph.Direction
}

// Orphan matches documents with no link to or from another document.
type Orphan struct{}

// Unresolved matches documents with at least one link that resolves to no
// document.
type Unresolved struct{}

func (*And) exprNode()        {}
func (*Or) exprNode()         {}
func (*Not) exprNode()        {}
func (*Text) exprNode()       {}
func (*Tag) exprNode()        {}
func (*Path) exprNode()       {}
func (*Field) exprNode()      {}
func (*Date) exprNode()       {}
func (*Collection) exprNode() {}
func (*Lang) exprNode()       {}
func (*LinksTo) exprNode()    {}
func (*LinkedFrom) exprNode() {}
func (*Near) exprNode()       {}
func (*Between) exprNode()    {}
func (*Orphan) exprNode()     {}
func (*Unresolved) exprNode() {}

// SortKey is one sort criterion. Field is one of SortFields or
// "field.NAME" for a frontmatter field.
type SortKey struct {
	Field string
	Desc  bool
}

// SortFields are the built-in sort keys.
var SortFields = []string{"score", "created", "updated", "path", "title", "key"}

// Aggregate summarizes the matching documents: a count per group and the
// requested metrics per group. Without GroupBy there is one group.
type Aggregate struct {
	// GroupBy is "", "tag", "folder", "collection", "lang" or "field.NAME".
	// A document with several tags (or a list field) counts in each of its
	// groups.
	GroupBy string
	Metrics []Metric
}

// GroupByBuiltins are the built-in group keys.
var GroupByBuiltins = []string{"tag", "folder", "collection", "lang"}

// Metric is min, max, avg or sum of a number or date field.
type Metric struct {
	Op    string // "min", "max", "avg", "sum"
	Field string // "created", "updated" or "field.NAME"
}

// MetricOps are the aggregate operators.
var MetricOps = []string{"min", "max", "avg", "sum"}

func (m Metric) String() string { return m.Op + "(" + m.Field + ")" }
