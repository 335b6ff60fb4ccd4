package parse

import (
	"time"

	"github.com/kotadb/kotadb/errs"
)

// Document is what kotadb knows about one file: its parsed metadata. The
// file's bytes are kept by the store (by content hash), not here, so a
// Document is small and is what indices are built from.
//
// JSON field names are part of kotadb's public format (`kotadb get --meta`).
type Document struct {
	// Path is the file's path relative to its source folder, with forward
	// slashes: the key inside the collection.
	Path string `json:"path"`
	// Kind is "markdown" for .md/.markdown files and "text" otherwise.
	Kind string `json:"kind"`
	// Lang is the language from the extension: "markdown", "go", "python",
	// "json", "yaml", "text"… (see Language).
	Lang  string `json:"lang"`
	Title string `json:"title"`
	// Frontmatter holds the YAML frontmatter with typed values: string,
	// int64, float64, bool, time.Time (for YAML timestamps and dates),
	// []any and map[string]any. Nil when there is none or it is invalid.
	Frontmatter map[string]any `json:"frontmatter,omitempty"`
	// Tags are normalized (no leading '#', lower-cased, no trailing '/'),
	// deduplicated and sorted; nested tags keep their slashes (a/b/c).
	Tags     []string  `json:"tags,omitempty"`
	Links    []Link    `json:"links,omitempty"`
	Aliases  []string  `json:"aliases,omitempty"`
	Headings []Heading `json:"headings,omitempty"`
	Words    int       `json:"words"`
	Lines    int       `json:"lines"`
	// Hash is the hex SHA-256 of the file's bytes.
	Hash string `json:"hash"`
	Size int64  `json:"size"`
	// Created and Updated come from frontmatter created/updated/date when
	// present and valid, else from the file's times (Created falls back to
	// the modification time when the birth time is unknown).
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Body is the byte offset where the body starts (after frontmatter).
	Body int `json:"body"`
	// Warnings are problems found while parsing: invalid frontmatter,
	// invalid UTF-8… The document is still indexed.
	Warnings []Warning `json:"warnings,omitempty"`
}

// LinkKind says where a link came from.
type LinkKind string

const (
	LinkWiki        LinkKind = "wikilink"    // [[target]], [[target|alias]], [[target#h]]
	LinkEmbed       LinkKind = "embed"       // ![[target]]
	LinkMarkdown    LinkKind = "markdown"    // [text](../a.md) — relative, not URLs
	LinkFrontmatter LinkKind = "frontmatter" // related: / links: in frontmatter
)

// Link is one outgoing link as written; resolving it to a document is the
// link graph's job (it needs the whole collection).
type Link struct {
	Kind LinkKind `json:"kind"`
	// Target is the link target without the heading/block part and without
	// the alias: "Roadmap", "notes/a.md", "../b.md".
	Target  string `json:"target"`
	Heading string `json:"heading,omitempty"` // after '#'
	Alias   string `json:"alias,omitempty"`   // after '|', or the markdown link text
	Line    int    `json:"line"`
}

// Heading is a markdown heading.
type Heading struct {
	Level  int    `json:"level"`
	Text   string `json:"text"`
	Anchor string `json:"anchor"` // GitHub-style slug
	Line   int    `json:"line"`
}

// Warning is a non-fatal problem with a position in the file.
type Warning struct {
	errs.Position
	Message string `json:"message"`
}

func (w Warning) String() string { return w.Position.String() + ": " + w.Message }

// FileInfo is what Parse needs to know about a file besides its bytes.
type FileInfo struct {
	Path    string    // relative path, forward slashes
	ModTime time.Time // modification time
	Birth   time.Time // creation time if the filesystem knows it, else zero
}
