package main

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"time"

	"github.com/kotadb/kotadb"
	"github.com/kotadb/kotadb/store"
)

// writeJSON writes v as indented JSON and a newline: the --json output of
// every command is one JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// versionJSON is a Version as --json prints it: hashes in hex, the
// operation by name.
type versionJSON struct {
	Seq      uint64    `json:"seq"`
	Time     time.Time `json:"time"`
	Op       string    `json:"op"`
	Key      string    `json:"key"`
	From     string    `json:"from,omitempty"`
	Hash     string    `json:"hash,omitempty"`
	Size     int64     `json:"size"`
	MetaHash string    `json:"meta_hash,omitempty"`
	// Kind, ModTime and Birth are what a format-2 version records instead
	// of a metadata blob: "file" with its times, or "json".
	Kind    string     `json:"kind,omitempty"`
	ModTime *time.Time `json:"mtime,omitempty"`
	Birth   *time.Time `json:"birth,omitempty"`
	Author  string     `json:"author"`
	Prev    uint64     `json:"prev,omitempty"`
}

func newVersionJSON(v kotadb.Version) versionJSON {
	return versionJSON{
		Seq:      v.Seq,
		Time:     v.Time,
		Op:       v.Op.String(),
		Key:      v.Key,
		From:     v.From,
		Hash:     hashHex(v.Hash),
		Size:     v.Size,
		MetaHash: hashHex(v.Meta),
		Kind:     docKindName(v.Doc.Kind),
		ModTime:  timeOrNil(v.Doc.ModTime),
		Birth:    timeOrNil(v.Doc.Birth),
		Author:   v.Author,
		Prev:     v.Prev,
	}
}

// docKindName names what a version's content is; "" when nothing is
// recorded (deletes, and format-1 versions, whose meta_hash says it).
func docKindName(k store.DocKind) string {
	switch k {
	case store.DocFile:
		return "file"
	case store.DocJSON:
		return "json"
	}
	return ""
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// hashHex is "" for the zero hash (no content).
func hashHex(h store.Hash) string {
	if h == (store.Hash{}) {
		return ""
	}
	return hex.EncodeToString(h[:])
}

// formatTime is how human output shows a version's time: UTC, seconds.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
