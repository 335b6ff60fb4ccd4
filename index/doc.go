// Package index holds what every index kind shares: the document an index is
// fed (Doc) and the change that carries it (Change). The indices themselves
// live in sub-packages, one per kind; they are derived from the store's change
// log and can always be rebuilt from it.
package index

import "time"

// Doc is one live version of a document as the indices see it. It is built
// from the store's version (Seq, Key) plus the parsed metadata and the raw
// bytes; indices never read files.
type Doc struct {
	Key        string // "collection/path", unique among live documents
	Seq        uint64 // store sequence number of this version
	Collection string
	Path       string // key inside the collection
	Title      string
	Headings   []Heading
	Tags       []string // normalized, nested with '/': "project/kota"
	Aliases    []string
	Links      []Link
	// Fields are the frontmatter values (typed: string, int64, float64,
	// bool, time.Time, []any, map[string]any) or a JSON document's top-level
	// fields (float64 for numbers).
	Fields  map[string]any
	Created time.Time
	Updated time.Time
	// Text is the full raw text (UTF-8) for the trigram index and snippets;
	// BodyStart is where the body starts in Text (after frontmatter).
	Text      []byte
	BodyStart int
	Lang      string
}

// Heading is a heading with its 1-based line number.
type Heading struct {
	Level int
	Text  string
	Line  int
}

// Link is an outgoing link as written (unresolved).
type Link struct {
	Kind    string // "wikilink", "embed", "markdown", "frontmatter"
	Target  string
	Heading string
	Line    int
}

// Change is one entry of the store's change log as an index consumes it.
type Change struct {
	Seq    uint64
	Key    string
	Delete bool // the key stopped being live at Seq
	Doc    *Doc // the new version (nil for deletes)
}
