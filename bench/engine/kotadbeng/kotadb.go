// Package kotadbeng is kotadb as an engine under test: the whole product
// through its public API (kotadb.Open, DB.Index, which fills the versioned
// store and builds the search index and link graph beside it, DB.Search
// and DB.Query), so build time, disk and RSS include the store, not just a
// search index.
//
// Every query is built as a query-package AST and printed as KQL with
// query.ExprString, so quoting (dots, CJK, words KQL would read as
// operators) is KQL's own. Text classes go through DB.Search, which reads
// KQL like `kotadb search`; the filter classes (tag, path, field) through
// query.ParseKQL and DB.Query, like `kotadb query`.
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
	corpus.ClassTag:       "tag: filter, nested tags included (DB.Query)",
	corpus.ClassPath:      "path: prefix filter (DB.Query)",
	corpus.ClassField:     "frontmatter field equals value (DB.Query)",
}

// filters are the classes DB.Search refuses and DB.Query answers.
var filters = map[corpus.Class]bool{corpus.ClassTag: true, corpus.ClassPath: true, corpus.ClassField: true}

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
	case corpus.ClassTag:
		tag := query.NormalizeTag(q)
		if tag == "" {
			return nil, fmt.Errorf("kotadb: tag query %q names no tag", q)
		}
		return &query.Tag{Name: tag}, nil
	case corpus.ClassPath:
		return &query.Path{Op: query.PathPrefix, Value: q}, nil
	case corpus.ClassField:
		name, value, ok := strings.Cut(q, ":")
		if !ok || name == "" || value == "" {
			return nil, fmt.Errorf("kotadb: field query %q is not key:value", q)
		}
		return &query.Field{Name: name, Cond: query.Cond{Op: query.CondEq, Value: query.Literal(value)}}, nil
	}
	return nil, &engine.UnsupportedError{Engine: "kotadb", Class: c}
}

// KQL is q as class c in the query language DB.Search and DB.Query read.
func KQL(c corpus.Class, q string) (string, error) {
	where, err := Where(c, q)
	if err != nil {
		return "", err
	}
	return query.ExprString(where), nil
}

// run runs q as class c with the harness's page size and returns the total
// number of matches and the number returned. Query and Count share it:
// typo tolerance only runs when a page is not full, so the page size must
// be the same for both.
func (e *Engine) run(c corpus.Class, q string) (total, returned int, err error) {
	if e.db == nil {
		return 0, 0, errors.New("kotadb: not open")
	}
	kql, err := KQL(c, q)
	if err != nil {
		return 0, 0, err
	}
	ctx := context.Background()
	if filters[c] {
		parsed, err := query.ParseKQL(kql)
		if err != nil {
			return 0, 0, fmt.Errorf("kotadb: %s query %q (KQL %s): %w", c, q, kql, err)
		}
		parsed.Limit = engine.TopK
		res, err := e.db.Query(ctx, parsed, nil)
		if err != nil {
			return 0, 0, fmt.Errorf("kotadb: %s query %q (KQL %s): %w", c, q, kql, err)
		}
		return res.Total, len(res.Hits), nil
	}
	res, err := e.db.Search(ctx, kql, kotadb.SearchOptions{Limit: engine.TopK, NoSnippets: true})
	if err != nil {
		return 0, 0, fmt.Errorf("kotadb: %s query %q (KQL %s): %w", c, q, kql, err)
	}
	return res.Total, len(res.Hits), nil
}

func (e *Engine) Query(c corpus.Class, q string) (int, error) {
	_, n, err := e.run(c, q)
	return n, err
}

func (e *Engine) Count(c corpus.Class, q string) (int, error) {
	n, _, err := e.run(c, q)
	return n, err
}
