// Package engine defines what the harness measures: an Engine builds an
// index over a corpus, reopens it and answers the corpus's queries. The
// peers (SQLite FTS5, Bleve) and kotadb implement it in sub-packages.
package engine

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/kotadb/kotadb/bench/corpus"
)

// ClassPhraseAnd is a phrase query run as its words AND-ed and ranked (the
// phrase class is measured twice: this way and as an exact phrase).
const ClassPhraseAnd corpus.Class = "phrase-and"

// TopK is how many ranked results every engine returns per query.
const TopK = 10

// Engine is one search engine under test. The harness calls, in order:
// Build, Close, DiskBytes, Open, then Query/Count any number of times, Close.
type Engine interface {
	// Name is the engine's name on the command line and in reports.
	Name() string
	// Mode says how the engine answers queries of class c, in a few words
	// for the report ("bm25, terms AND-ed"); "" when it does not.
	Mode(c corpus.Class) string
	// Build indexes files into the empty folder dir and leaves the index open.
	Build(dir string, files []corpus.File) error
	// Open opens an index Build wrote into dir.
	Open(dir string) error
	// Query runs q as class c and returns how many results it returned
	// (at most TopK). It is the timed operation.
	Query(c corpus.Class, q string) (int, error)
	// Count returns how many documents match q as class c in total. It is
	// called once per query, untimed, for the report's hit counts.
	Count(c corpus.Class, q string) (int, error)
	// Close closes the index; Build's or Open's work is durable after it.
	Close() error
	// DiskBytes is the size of the closed index in dir.
	DiskBytes(dir string) (int64, error)
}

// DirBytes is the total apparent size of the regular files under dir.
func DirBytes(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("measuring %s: %w", dir, err)
	}
	return total, nil
}

// Words splits a query into whitespace-separated words, dropping words
// with no letter or digit (which no tokenizer would index).
func Words(q string) []string {
	var out []string
	for _, w := range strings.Fields(q) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			out = append(out, w)
		}
	}
	return out
}

// FieldWords turns a key:value field query into the words a full-text
// engine without fields can search as a phrase ("sig:Comms" → "sig Comms").
func FieldWords(q string) string {
	key, value, ok := strings.Cut(q, ":")
	if !ok {
		return q
	}
	return key + " " + value
}

// UnsupportedError is returned by Query/Count for a class the engine does
// not answer (its Mode is "").
type UnsupportedError struct {
	Engine string
	Class  corpus.Class
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("engine %s does not answer %s queries", e.Engine, e.Class)
}
