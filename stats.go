package kotadb

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// Stats describes the database: the store's counters (documents, versions,
// bytes raw and stored, compression ratio) plus what the live documents'
// metadata holds, overall and per collection.
type Stats struct {
	Path string `json:"path"`
	// FileSize is the database file's size; UsedBytes the part in use.
	FileSize  int64  `json:"file_size"`
	UsedBytes int64  `json:"used_bytes"`
	LastSeq   uint64 `json:"last_seq"`
	CollectionStats
	Collections []CollectionStats `json:"collections"`
	// ParseWarnings lists every parse warning of the live documents in key
	// order; Position.File is the key.
	ParseWarnings []DocWarning `json:"parse_warnings"`
}

// CollectionStats are the figures of one collection, or of all of them.
type CollectionStats struct {
	Name        string  `json:"name,omitempty"`
	Documents   int64   `json:"documents"`
	Versions    int64   `json:"versions"`
	Deletes     int64   `json:"deletes"`
	RawBytes    int64   `json:"raw_bytes"`    // live documents' sizes
	BlobBytes   int64   `json:"blob_bytes"`   // every stored content and metadata, uncompressed
	StoredBytes int64   `json:"stored_bytes"` // the same, as stored
	Ratio       float64 `json:"ratio"`        // BlobBytes / StoredBytes
	Tags        int     `json:"tags"`         // distinct tags
	Links       int     `json:"links"`        // outgoing links, as written
	Warnings    int     `json:"warnings"`     // parse warnings
}

// DocWarning is a parse warning of a live document.
type DocWarning struct {
	Key string `json:"key"`
	parse.Warning
}

// docFacts is the part of a Document that Stats reads; from a format-1
// metadata blob only these fields are decoded.
type docFacts struct {
	Tags     []string        `json:"tags"`
	Links    linkCount       `json:"links"`
	Warnings []parse.Warning `json:"warnings"`
}

// linkCount decodes a JSON array of links as their number.
type linkCount int

func (n *linkCount) UnmarshalJSON(b []byte) error {
	var links []json.RawMessage
	if err := json.Unmarshal(b, &links); err != nil {
		return err
	}
	*n = linkCount(len(links))
	return nil
}

// facts returns what Stats counts of a live version's document, and false
// when it has none.
func (db *DB) facts(v Version) (docFacts, bool, error) {
	fail := func(err error) (docFacts, bool, error) {
		return docFacts{}, false, fmt.Errorf("metadata of %s (seq %d): %w", v.Key, v.Seq, err)
	}
	if v.Doc.Kind == store.DocNone {
		if v.Meta == (store.Hash{}) {
			return docFacts{}, false, nil
		}
		// Format 1: the document's JSON is stored; decode only these fields.
		meta, err := db.st.Blob(v.Meta)
		if err != nil {
			return fail(err)
		}
		var f docFacts
		if err := json.Unmarshal(meta, &f); err != nil {
			return fail(err)
		}
		return f, true, nil
	}
	content, err := db.st.Blob(v.Hash)
	if err != nil {
		return fail(err)
	}
	doc, err := documentOf(db.Path(), v, content, nil)
	if err != nil || doc == nil {
		return docFacts{}, doc != nil, err
	}
	return docFacts{Tags: doc.Tags, Links: linkCount(len(doc.Links)), Warnings: doc.Warnings}, true, nil
}

// Stats reads the store's counters and derives the document of every live
// version to count tags, links and parse warnings.
func (db *DB) Stats() (Stats, error) {
	ss, err := db.st.Stats()
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	out := Stats{Path: db.Path(), FileSize: ss.FileSize, UsedBytes: ss.UsedBytes, LastSeq: ss.LastSeq,
		CollectionStats: fromStore("", ss.CollectionStats)}
	allTags := map[string]struct{}{}
	tags := map[string]map[string]struct{}{} // collection -> distinct tags
	per := map[string]*CollectionStats{}
	for name, cs := range ss.Collections {
		c := fromStore(name, cs)
		per[name] = &c
		tags[name] = map[string]struct{}{}
	}
	err = db.st.Scan("", func(v Version) error {
		f, ok, err := db.facts(v)
		if err != nil || !ok {
			return err
		}
		name := store.Collection(v.Key)
		c, ok := per[name]
		if !ok { // counters missing for a live key: count it anyway
			c = &CollectionStats{Name: name}
			per[name], tags[name] = c, map[string]struct{}{}
		}
		for _, t := range f.Tags {
			tags[name][t] = struct{}{}
			allTags[t] = struct{}{}
		}
		c.Links += int(f.Links)
		out.Links += int(f.Links)
		for _, w := range f.Warnings {
			w.File = v.Key
			out.ParseWarnings = append(out.ParseWarnings, DocWarning{Key: v.Key, Warning: w})
		}
		c.Warnings += len(f.Warnings)
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	out.Tags, out.Warnings = len(allTags), len(out.ParseWarnings)
	for name, c := range per {
		c.Tags = len(tags[name])
		out.Collections = append(out.Collections, *c)
	}
	slices.SortFunc(out.Collections, func(a, b CollectionStats) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

func fromStore(name string, cs store.CollectionStats) CollectionStats {
	return CollectionStats{Name: name, Documents: cs.Docs, Versions: cs.Versions, Deletes: cs.Deletes,
		RawBytes: cs.RawBytes, BlobBytes: cs.BlobRawBytes, StoredBytes: cs.StoredBytes, Ratio: cs.Ratio}
}
