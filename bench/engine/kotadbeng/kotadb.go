// Package kotadbeng is kotadb as an engine under test: the whole product
// through its public API (kotadb.Open, DB.Index, which fills the versioned
// store and builds the search index and link graph beside it, and
// DB.Search), so build time, disk and RSS include the store, not just a
// search index.
//
// Queries go through DB.Search as KQL, the same text `kotadb search`
// reads. Each class's query is built as a query-package AST and printed
// with query.ExprString, so quoting (dots, CJK, words KQL would read as
// operators) is KQL's own. Tag, path and field classes are filters, which
// DB.Search refuses; the root package has no filter entry point yet, so
// this engine does not answer them (Mode "").
package kotadbeng

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kotadb/kotadb"
	"github.com/kotadb/kotadb/query"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/engine"
)

const (
	// dbFile is the database inside the engine's folder; DB.Index writes
	// its derived indices to dbFile + ".index/" beside it.
	dbFile = "kotadb.db"
	// collection is the name the corpus is indexed under.
	collection = "corpus"
)

var modes = map[corpus.Class]string{
	corpus.ClassWord:      "BM25F top 10 (stemmed; typo fallback when a word matches nothing)",
	engine.ClassPhraseAnd: "BM25F top 10, words AND-ed",
	corpus.ClassNL:        "BM25F top 10, words AND-ed",
	corpus.ClassAbsent:    "BM25F top 10, words AND-ed",
	corpus.ClassPhrase:    "BM25F top 10, exact phrase",
	corpus.ClassTitle:     "exact phrase in the title field, top 10",
	corpus.ClassIdent:     "sub: raw-text substring (trigrams), case-insensitive, top 10",
	corpus.ClassSubstr:    "sub: raw-text substring (trigrams), case-insensitive, top 10",
	corpus.ClassTypo:      "plain words; typo tolerance (1 edit from 5 letters, 2 from 9) when a word matches nothing",
}

// Engine is a kotadb database in one folder.
type Engine struct {
	db *kotadb.DB
}

// New returns the "kotadb" engine.
func New() *Engine { return &Engine{} }

func (e *Engine) Name() string               { return "kotadb" }
func (e *Engine) Mode(c corpus.Class) string { return modes[c] }

// DiskBytes counts the database file and its index folder (both in dir).
func (e *Engine) DiskBytes(dir string) (int64, error) { return engine.DirBytes(dir) }

// Build indexes the folder the files come from, with fsync'd commits. The
// harness then calls Close, which flushes the search index to segments.
func (e *Engine) Build(dir string, files []corpus.File) error {
	root, err := dataRoot(files)
	if err != nil {
		return err
	}
	db, err := kotadb.Open(filepath.Join(dir, dbFile), &kotadb.Options{NoSync: false})
	if err != nil {
		return fmt.Errorf("kotadb: %w", err)
	}
	e.db = db
	sum, err := db.Index(context.Background(), root, kotadb.IndexOptions{Name: collection})
	if err != nil {
		return fmt.Errorf("kotadb: indexing %s: %w", root, err)
	}
	if sum.Added != len(files) {
		return fmt.Errorf("kotadb: indexed %d of %d files (%s)", sum.Added, len(files), sum)
	}
	return nil
}

// dataRoot is the folder every file's Rel is relative to.
func dataRoot(files []corpus.File) (string, error) {
	if len(files) == 0 {
		return "", errors.New("kotadb: no files to index")
	}
	f := files[0]
	root, ok := strings.CutSuffix(filepath.ToSlash(f.Abs), "/"+f.Rel)
	if !ok {
		return "", fmt.Errorf("kotadb: %s does not end in %s", f.Abs, f.Rel)
	}
	return filepath.FromSlash(root), nil
}

// Open reopens the database for writing: DB.Search needs that, because the
// indices catch up with the store on first use. The first search opens
// the index segments, so the harness's open-to-first-answer includes them.
func (e *Engine) Open(dir string) error {
	path := filepath.Join(dir, dbFile)
	// kotadb.Open creates a missing database; an engine must not.
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("kotadb: %w", err)
	}
	db, err := kotadb.Open(path, nil)
	if err != nil {
		return fmt.Errorf("kotadb: %w", err)
	}
	e.db = db
	return nil
}

func (e *Engine) Close() error {
	if e.db == nil {
		return nil
	}
	err := e.db.Close()
	e.db = nil
	if err != nil {
		return fmt.Errorf("kotadb: closing: %w", err)
	}
	return nil
}

// Where is the query AST for q as class c.
func Where(c corpus.Class, q string) (query.Expr, error) {
	switch c {
	case corpus.ClassWord, engine.ClassPhraseAnd, corpus.ClassNL, corpus.ClassAbsent, corpus.ClassTypo:
		words := engine.Words(q)
		if len(words) == 0 {
			return nil, fmt.Errorf("kotadb: %s query %q has no words", c, q)
		}
		if len(words) == 1 {
			return &query.Text{Kind: query.Term, Value: words[0]}, nil
		}
		and := &query.And{}
		for _, w := range words {
			and.Exprs = append(and.Exprs, &query.Text{Kind: query.Term, Value: w})
		}
		return and, nil
	case corpus.ClassPhrase:
		return &query.Text{Kind: query.Phrase, Value: q}, nil
	case corpus.ClassTitle:
		return &query.Text{Kind: query.Phrase, Value: q, Field: "title"}, nil
	case corpus.ClassIdent, corpus.ClassSubstr:
		return &query.Text{Kind: query.Substring, Value: q}, nil
	}
	return nil, &engine.UnsupportedError{Engine: "kotadb", Class: c}
}

// KQL is q as class c in the search-box language DB.Search reads.
func KQL(c corpus.Class, q string) (string, error) {
	where, err := Where(c, q)
	if err != nil {
		return "", err
	}
	return query.ExprString(where), nil
}

// search runs q as class c with the harness's page size; Query and Count
// use the same page, since typo tolerance only runs when a page is not full.
func (e *Engine) search(c corpus.Class, q string) (*kotadb.SearchResults, error) {
	if e.db == nil {
		return nil, errors.New("kotadb: not open")
	}
	kql, err := KQL(c, q)
	if err != nil {
		return nil, err
	}
	res, err := e.db.Search(context.Background(), kql, kotadb.SearchOptions{Limit: engine.TopK, NoSnippets: true})
	if err != nil {
		return nil, fmt.Errorf("kotadb: %s query %q (KQL %s): %w", c, q, kql, err)
	}
	return res, nil
}

func (e *Engine) Query(c corpus.Class, q string) (int, error) {
	res, err := e.search(c, q)
	if err != nil {
		return 0, err
	}
	return len(res.Hits), nil
}

func (e *Engine) Count(c corpus.Class, q string) (int, error) {
	res, err := e.search(c, q)
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}
