// Package fts5 is the SQLite FTS5 peer (github.com/mattn/go-sqlite3, cgo).
// It must be built with -tags sqlite_fts5, or SQLite lacks the fts5 module
// and Build fails saying so.
//
// Two engines, each its own database file, as a SQLite-based memory engine
// would set them up:
//
//   - "fts5": CREATE VIRTUAL TABLE docs USING fts5(path, body,
//     tokenize='unicode61'), ranked by bm25(docs), top 10;
//   - "fts5-trigram": CREATE VIRTUAL TABLE docs USING fts5(path, body,
//     tokenize='trigram'), for substring queries (first 10 matches by rowid,
//     case-insensitive).
//
// Both store their content (not contentless), so results can be shown.
package fts5

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/engine"
)

const dbFile = "fts5.db"

// Engine is an FTS5 table in one SQLite file.
type Engine struct {
	name      string
	tokenizer string
	modes     map[corpus.Class]string
	db        *sql.DB
	stmts     map[string]*sql.Stmt // by SQL text
}

// NewBM25 returns the "fts5" engine: unicode61 tokenizer, bm25 ranking.
func NewBM25() *Engine {
	return &Engine{name: "fts5", tokenizer: "unicode61", modes: map[corpus.Class]string{
		corpus.ClassWord:      "bm25 top 10",
		engine.ClassPhraseAnd: "bm25 top 10, terms AND-ed",
		corpus.ClassNL:        "bm25 top 10, terms AND-ed",
		corpus.ClassAbsent:    "bm25 top 10, terms AND-ed",
		corpus.ClassPhrase:    "bm25 top 10, exact phrase",
		corpus.ClassTitle:     "bm25 top 10, exact phrase",
		corpus.ClassTypo:      "exact terms (FTS5 has no fuzzy match)",
		corpus.ClassTag:       "phrase of the tag's words (no tag structure)",
		corpus.ClassField:     "phrase of key and value words (no fields)",
		corpus.ClassPath:      "phrase at start of path column",
	}}
}

// NewTrigram returns the "fts5-trigram" engine: trigram tokenizer, substring
// queries only.
func NewTrigram() *Engine {
	return &Engine{name: "fts5-trigram", tokenizer: "trigram", modes: map[corpus.Class]string{
		corpus.ClassIdent:  "trigram substring, first 10",
		corpus.ClassSubstr: "trigram substring, first 10",
	}}
}

func (e *Engine) Name() string                        { return e.name }
func (e *Engine) Mode(c corpus.Class) string          { return e.modes[c] }
func (e *Engine) DiskBytes(dir string) (int64, error) { return engine.DirBytes(dir) }

func (e *Engine) open(dir string) error {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, dbFile))
	if err != nil {
		return fmt.Errorf("%s: opening %s: %w", e.name, dir, err)
	}
	// One connection: the benchmark is single-threaded and prepared
	// statements then stay on it.
	db.SetMaxOpenConns(1)
	e.db = db
	e.stmts = map[string]*sql.Stmt{}
	return nil
}

// Build creates the table and inserts every file in one transaction.
func (e *Engine) Build(dir string, files []corpus.File) error {
	if err := e.open(dir); err != nil {
		return err
	}
	create := fmt.Sprintf("CREATE VIRTUAL TABLE docs USING fts5(path, body, tokenize='%s')", e.tokenizer)
	if _, err := e.db.Exec(create); err != nil {
		if strings.Contains(err.Error(), "no such module: fts5") {
			return fmt.Errorf("%s: SQLite was built without FTS5: build kotabench with -tags sqlite_fts5: %w", e.name, err)
		}
		return fmt.Errorf("%s: creating table: %w", e.name, err)
	}
	tx, err := e.db.Begin()
	if err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	ins, err := tx.Prepare("INSERT INTO docs(rowid, path, body) VALUES (?, ?, ?)")
	if err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	for i, f := range files {
		body, err := os.ReadFile(f.Abs)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		if _, err := ins.Exec(i+1, f.Rel, string(body)); err != nil {
			return fmt.Errorf("%s: inserting %s: %w", e.name, f.Rel, err)
		}
	}
	if err := ins.Close(); err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: committing: %w", e.name, err)
	}
	return nil
}

// Open reopens the database; SQLite opens the file lazily, at the first query.
func (e *Engine) Open(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, dbFile)); err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	return e.open(dir)
}

func (e *Engine) Close() error {
	if e.db == nil {
		return nil
	}
	var errList []error
	for _, s := range e.stmts {
		errList = append(errList, s.Close())
	}
	errList = append(errList, e.db.Close())
	e.db, e.stmts = nil, nil
	if err := errors.Join(errList...); err != nil {
		return fmt.Errorf("%s: closing: %w", e.name, err)
	}
	return nil
}

const (
	rankedSQL = "SELECT rowid, path FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10"
	firstSQL  = "SELECT rowid, path FROM docs WHERE docs MATCH ? LIMIT 10"
	countSQL  = "SELECT count(*) FROM docs WHERE docs MATCH ?"
)

// expr turns q into an FTS5 MATCH expression for class c, and says whether
// results are ranked.
func (e *Engine) expr(c corpus.Class, q string) (expr string, ranked bool, err error) {
	if e.modes[c] == "" {
		return "", false, &engine.UnsupportedError{Engine: e.name, Class: c}
	}
	switch c {
	case corpus.ClassWord, engine.ClassPhraseAnd, corpus.ClassNL, corpus.ClassAbsent, corpus.ClassTypo:
		return AndExpr(q), true, nil
	case corpus.ClassPhrase, corpus.ClassTitle:
		return PhraseExpr(q), true, nil
	case corpus.ClassField:
		return PhraseExpr(engine.FieldWords(q)), true, nil
	case corpus.ClassTag:
		return PhraseExpr(strings.TrimPrefix(q, "#")), true, nil
	case corpus.ClassPath:
		return "path : ^" + PhraseExpr(q), true, nil
	case corpus.ClassIdent, corpus.ClassSubstr:
		return PhraseExpr(q), false, nil
	}
	return "", false, &engine.UnsupportedError{Engine: e.name, Class: c}
}

// AndExpr is q's words, each quoted, AND-ed (FTS5's implicit operator).
// Quoting keeps FTS5 operators and punctuation in q from being parsed.
func AndExpr(q string) string {
	words := engine.Words(q)
	for i, w := range words {
		words[i] = quote(w)
	}
	return strings.Join(words, " ")
}

// PhraseExpr is q as one quoted FTS5 phrase.
func PhraseExpr(q string) string { return quote(q) }

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (e *Engine) stmt(sqlText string) (*sql.Stmt, error) {
	if e.db == nil {
		return nil, fmt.Errorf("%s: not open", e.name)
	}
	if s, ok := e.stmts[sqlText]; ok {
		return s, nil
	}
	s, err := e.db.Prepare(sqlText)
	if err != nil {
		return nil, fmt.Errorf("%s: preparing %q: %w", e.name, sqlText, err)
	}
	e.stmts[sqlText] = s
	return s, nil
}

// Query returns the top 10 (ranked) or first 10 (substring) rows with their paths.
func (e *Engine) Query(c corpus.Class, q string) (int, error) {
	expr, ranked, err := e.expr(c, q)
	if err != nil {
		return 0, err
	}
	sqlText := firstSQL
	if ranked {
		sqlText = rankedSQL
	}
	s, err := e.stmt(sqlText)
	if err != nil {
		return 0, err
	}
	rows, err := s.Query(expr)
	if err != nil {
		return 0, fmt.Errorf("%s: %s query %q (MATCH %s): %w", e.name, c, q, expr, err)
	}
	defer rows.Close()
	n := 0
	var rowid int64
	var path string
	for rows.Next() {
		if err := rows.Scan(&rowid, &path); err != nil {
			return 0, fmt.Errorf("%s: %w", e.name, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("%s: %s query %q (MATCH %s): %w", e.name, c, q, expr, err)
	}
	return n, nil
}

// Count counts every matching row.
func (e *Engine) Count(c corpus.Class, q string) (int, error) {
	expr, _, err := e.expr(c, q)
	if err != nil {
		return 0, err
	}
	s, err := e.stmt(countSQL)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.QueryRow(expr).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: counting %s query %q (MATCH %s): %w", e.name, c, q, expr, err)
	}
	return n, nil
}
