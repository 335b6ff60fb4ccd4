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

// docFacts is the part of a Document's JSON that Stats reads: decoding only
// these fields keeps a full pass over a large collection cheap.
type docFacts struct {
	Tags     []string          `json:"tags"`
	Links    []json.RawMessage `json:"links"`
	Warnings []parse.Warning   `json:"warnings"`
}

// Stats reads the store's counters and decodes the metadata of every live
// document to count tags, links and parse warnings.
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
		if v.Meta == (store.Hash{}) {
			return nil
		}
		meta, err := db.st.Blob(v.Meta)
		if err != nil {
			return fmt.Errorf("metadata of %s (seq %d): %w", v.Key, v.Seq, err)
		}
		var f docFacts
		if err := json.Unmarshal(meta, &f); err != nil {
			return fmt.Errorf("metadata of %s (seq %d): %w", v.Key, v.Seq, err)
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
		c.Links += len(f.Links)
		out.Links += len(f.Links)
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
