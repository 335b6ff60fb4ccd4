//go:build kotadb

// Package kotadbeng is kotadb as an engine under test: the whole product
// through its public API (kotadb.Open, DB.Index, which fills the store and
// every index, and DB.Query with the query package's AST), so build time,
// disk and RSS include the versioned store, not just a search index.
//
// It is behind the "kotadb" build tag until the root package has its
// search entry point. The one call it needs is in run (below): it assumes
//
//	func (db *DB) Query(ctx context.Context, q query.Query) (Results, error)
//
// with Results.Total (every matching document) and Results.Hits (the
// returned page). Adjust run, and nothing else, if the API lands
// differently.
package kotadbeng

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kotadb/kotadb"
	"github.com/kotadb/kotadb/query"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/engine"
)

const dbFile = "kotadb.db"

var modes = map[corpus.Class]string{
	corpus.ClassWord:      "BM25F top 10 (stemmed, typo-tolerant default)",
	engine.ClassPhraseAnd: "BM25F top 10, terms AND-ed",
	corpus.ClassNL:        "BM25F top 10, terms AND-ed",
	corpus.ClassAbsent:    "BM25F top 10, terms AND-ed",
	corpus.ClassPhrase:    "phrase top 10",
	corpus.ClassTitle:     "phrase in the title field",
	corpus.ClassIdent:     "trigram substring, case-insensitive",
	corpus.ClassSubstr:    "trigram substring, case-insensitive",
	corpus.ClassTypo:      "term, fuzzy edit distance 2",
	corpus.ClassTag:       "tag (nested tags included)",
	corpus.ClassPath:      "path prefix",
	corpus.ClassField:     "frontmatter field equals value",
}

// Engine is a kotadb database in one folder.
type Engine struct {
	db *kotadb.DB
}

// New returns the "kotadb" engine.
func New() *Engine { return &Engine{} }

func (e *Engine) Name() string                        { return "kotadb" }
func (e *Engine) Mode(c corpus.Class) string          { return modes[c] }
func (e *Engine) DiskBytes(dir string) (int64, error) { return engine.DirBytes(dir) }

// Build indexes the folder the files come from, with durable commits.
func (e *Engine) Build(dir string, files []corpus.File) error {
	root, err := dataRoot(files)
	if err != nil {
		return err
	}
	db, err := kotadb.Open(filepath.Join(dir, dbFile), nil)
	if err != nil {
		return fmt.Errorf("kotadb: %w", err)
	}
	e.db = db
	sum, err := db.Index(context.Background(), root, kotadb.IndexOptions{})
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

// Open opens the database read-only, as kotadb's read commands do.
func (e *Engine) Open(dir string) error {
	db, err := kotadb.Open(filepath.Join(dir, dbFile), &kotadb.Options{ReadOnly: true})
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

// Where builds the filter for q as class c.
func Where(c corpus.Class, q string) (query.Expr, error) {
	switch c {
	case corpus.ClassWord:
		return &query.Text{Kind: query.Term, Value: q}, nil
	case engine.ClassPhraseAnd, corpus.ClassNL, corpus.ClassAbsent:
		and := &query.And{}
		for _, w := range engine.Words(q) {
			and.Exprs = append(and.Exprs, &query.Text{Kind: query.Term, Value: w})
		}
		return and, nil
	case corpus.ClassPhrase:
		return &query.Text{Kind: query.Phrase, Value: q}, nil
	case corpus.ClassTitle:
		return &query.Text{Kind: query.Phrase, Value: q, Field: "title"}, nil
	case corpus.ClassIdent, corpus.ClassSubstr:
		return &query.Text{Kind: query.Substring, Value: q}, nil
	case corpus.ClassTypo:
		return &query.Text{Kind: query.Term, Value: q, Fuzzy: 2}, nil
	case corpus.ClassTag:
		return &query.Tag{Name: strings.ToLower(strings.TrimPrefix(q, "#"))}, nil
	case corpus.ClassPath:
		return &query.Path{Op: query.PathPrefix, Value: q}, nil
	case corpus.ClassField:
		name, value, ok := strings.Cut(q, ":")
		if !ok {
			return nil, fmt.Errorf("kotadb: field query %q is not key:value", q)
		}
		return &query.Field{Name: name, Cond: query.Cond{Op: query.CondEq, Value: query.Literal(value)}}, nil
	}
	return nil, &engine.UnsupportedError{Engine: "kotadb", Class: c}
}

// run is the one call into kotadb's search API (see the package comment).
func (e *Engine) run(c corpus.Class, q string, limit int) (total, returned int, err error) {
	if e.db == nil {
		return 0, 0, errors.New("kotadb: not open")
	}
	where, err := Where(c, q)
	if err != nil {
		return 0, 0, err
	}
	res, err := e.db.Query(context.Background(), query.Query{Where: where, Limit: limit})
	if err != nil {
		return 0, 0, fmt.Errorf("kotadb: %s query %q: %w", c, q, err)
	}
	return res.Total, len(res.Hits), nil
}

func (e *Engine) Query(c corpus.Class, q string) (int, error) {
	_, n, err := e.run(c, q, engine.TopK)
	return n, err
}

func (e *Engine) Count(c corpus.Class, q string) (int, error) {
	n, _, err := e.run(c, q, 1)
	return n, err
}
