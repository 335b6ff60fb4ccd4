package query

import (
	"context"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph"
)

// DocID numbers a live document inside a Catalog. IDs are the catalog's
// business; the planner only needs them to be stable while a plan runs.
type DocID = uint32

// Catalog is what the planner needs from the indices. An implementation
// answers over one consistent view of the data for the life of a plan.
// Bitmaps it returns are read, never modified, by the planner.
//
// Keyword fields hold exact terms, trimmed and lower-cased: "tag" (each
// tag, nested with '/'), "path" (the path inside the collection),
// "collection", "lang" and "field.<name>" (a frontmatter key, lower-cased,
// nested map keys joined with '.'; values as Keywords normalizes them).
// Numeric fields are "created", "updated" and "field.<name>" (values as
// Numbers converts them; a document matches a range when any of its values
// is in it). These are the names and normalizations index/search uses, so
// a Catalog over it passes them straight through. The planner lower-cases
// what it looks up.
//
// Counts are estimates for planning: they may be approximate but must be 0
// only when nothing matches (Explain then says why).
type Catalog interface {
	// Docs is the set of every live document.
	Docs() *roaring.Bitmap
	// ID maps a document key ("collection/path") to its DocID.
	ID(key string) (DocID, bool)
	// Value returns a value of a document for sorting, projection,
	// aggregates and the path conditions that need a second look (globs,
	// ranges): a built-in name ("key", "collection", "path", "folder",
	// "title", "tags", "aliases", "links", "created", "updated", "lang",
	// "fields") or "field.<name>". DocValue implements it over an
	// index.Doc.
	Value(id DocID, name string) (any, bool)

	// KeywordCount is the number of documents with value in field.
	KeywordCount(field, value string) int
	// Keyword returns the documents with value in field.
	Keyword(field, value string) (*roaring.Bitmap, error)
	// KeywordPrefixCount estimates the documents with a value of field
	// that starts with prefix.
	KeywordPrefixCount(field, prefix string) int
	// KeywordPrefix returns the documents with a value of field that
	// starts with prefix ("" matches any value).
	KeywordPrefix(field, prefix string) (*roaring.Bitmap, error)

	// NumericCount estimates the documents with a value of field in r.
	NumericCount(field string, r NumRange) int
	// Numeric returns the documents with a value of field in r.
	Numeric(field string, r NumRange) (*roaring.Bitmap, error)

	// ExistsCount is the number of documents having frontmatter field name
	// (lower-cased, dotted for nested keys) with a non-null value.
	ExistsCount(name string) int
	// Exists returns the documents having frontmatter field name. Over
	// index/search: KeywordPrefix("field."+name, "") ∪ Numeric of any
	// value, plus fields holding only maps.
	Exists(name string) (*roaring.Bitmap, error)

	// SearchCount estimates the documents matching a text query.
	SearchCount(q Text) int
	// Search runs one text query (see Text for its kinds).
	Search(ctx context.Context, req SearchRequest) (*SearchResult, error)

	// Ordered calls yield for documents in within (nil: all) that have a
	// value for the sort field ("created", "updated", "path", "title" or
	// "field.<name>"), in ascending (desc: descending) SortValueOf order,
	// until yield returns false. Documents with equal values may come in
	// any order; documents without a value are not yielded. It reports
	// false when the catalog cannot order by field, and the planner sorts
	// itself (it also checks the order it is given and falls back to
	// sorting when it is wrong).
	Ordered(field string, desc bool, within *roaring.Bitmap, yield func(DocID) bool) (bool, error)

	// Graph is the link graph, or nil when there is none (graph clauses then
	// match nothing and Explain says why).
	Graph() *graph.Graph
}

// SearchRequest is one text query for Catalog.Search.
type SearchRequest struct {
	Query Text
	// Within restricts the search to these documents (nil: all).
	Within *roaring.Bitmap
	// Score asks for relevance scores; without it only Matches is needed.
	Score bool
	// TopK, when positive with Score, says only the TopK best scores are
	// needed: Scores must then hold at least every match whose score is at
	// least the TopK-th best (ties included) and may omit the rest.
	TopK int
}

// SearchResult is what a text query matched.
type SearchResult struct {
	Matches *roaring.Bitmap
	// Scores holds relevance scores (BM25F for terms and phrases) of
	// matches when asked for; higher is better.
	Scores map[DocID]float64
}

// Options tunes planning.
type Options struct {
	// Now and Location resolve relative dates (today, -7d) and date-only
	// values; zero values mean time.Now() and UTC. Frontmatter dates
	// without a time are midnight UTC, so UTC keeps 2025-01-01 meaning the
	// same day on both sides.
	Now      time.Time
	Location *time.Location
}

// Clock is the clock dates resolve with.
func (o *Options) Clock() Clock {
	c := Clock{Now: time.Now(), Location: time.UTC}
	if o != nil && !o.Now.IsZero() {
		c.Now = o.Now
	}
	if o != nil && o.Location != nil {
		c.Location = o.Location
	}
	return c
}

// DocValue implements Catalog.Value over an index.Doc.
func DocValue(d *index.Doc, name string) (any, bool) {
	if f, ok := FieldRef(name); ok {
		v := FieldValue(d.Fields, f)
		return v, v != nil
	}
	switch name {
	case "key":
		return d.Key, true
	case "collection":
		return d.Collection, true
	case "path":
		return d.Path, true
	case "folder":
		return Folder(d.Path), true
	case "title":
		return d.Title, d.Title != ""
	case "tags":
		return d.Tags, len(d.Tags) > 0
	case "aliases":
		return d.Aliases, len(d.Aliases) > 0
	case "links":
		targets := make([]string, len(d.Links))
		for i, l := range d.Links {
			targets[i] = l.Target
		}
		return targets, len(targets) > 0
	case "created":
		return d.Created, !d.Created.IsZero()
	case "updated":
		return d.Updated, !d.Updated.IsZero()
	case "lang":
		return d.Lang, d.Lang != ""
	case "fields":
		return d.Fields, len(d.Fields) > 0
	}
	return nil, false
}

// FieldValue finds a frontmatter value by name, case-insensitively; "a.b"
// is key b of the map under key a (unless a key "a.b" exists itself).
// When keys differ only by case, the bytewise first wins.
func FieldValue(fields map[string]any, name string) any {
	if v, ok := fields[name]; ok {
		return v
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.EqualFold(k, name) {
			return fields[k]
		}
	}
	lname := strings.ToLower(name)
	for _, k := range keys {
		rest, ok := strings.CutPrefix(lname, strings.ToLower(k)+".")
		if m, isMap := fields[k].(map[string]any); ok && isMap {
			if found := FieldValue(m, rest); found != nil {
				return found
			}
		}
	}
	return nil
}

// Folder is the folder of a path for grouping: "." for the root.
func Folder(p string) string { return path.Dir(p) }
