// Package corpus loads a benchmark corpus: the files under DIR/data and the
// classified queries in DIR/queries.tsv.
//
// queries.tsv format (version 1, written by the corpus maintainers, read
// here): UTF-8, one header line then one query per line, five tab-separated
// columns:
//
//	class  query  df_all_terms  df_phrase  note
//
// class is one of the Class constants; df_all_terms is the number of files
// containing every term, df_phrase the number containing the exact phrase
// (both -1 here when the cell is empty); note is free text (for typo queries,
// the intended word). Blank lines are ignored.
package corpus

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// QueriesFormatVersion is the queries.tsv layout this package reads.
const QueriesFormatVersion = 1

// queriesHeader is the expected first line of queries.tsv.
var queriesHeader = []string{"class", "query", "df_all_terms", "df_phrase", "note"}

// Class is a query class from queries.tsv.
type Class string

// The classes the corpora use. See each corpus README.
const (
	ClassWord   Class = "word"   // a single word
	ClassPhrase Class = "phrase" // 2–4 words, measured both AND-ed and as an exact phrase
	ClassNL     Class = "nl"     // a natural-language question (terms AND-ed)
	ClassIdent  Class = "ident"  // a rare identifier, searched as a substring
	ClassSubstr Class = "substr" // a substring (CJK text)
	ClassTypo   Class = "typo"   // a misspelling; exact hits are 0
	ClassTag    Class = "tag"    // #tag
	ClassPath   Class = "path"   // a path prefix
	ClassField  Class = "field"  // key:value of a frontmatter field
	ClassTitle  Class = "title"  // an exact page title
	ClassAbsent Class = "absent" // no document contains it
)

// KnownClasses lists the classes ParseQueries accepts, in report order.
var KnownClasses = []Class{
	ClassWord, ClassPhrase, ClassNL, ClassIdent, ClassSubstr, ClassTypo,
	ClassTag, ClassPath, ClassField, ClassTitle, ClassAbsent,
}

func knownClass(c Class) bool {
	for _, k := range KnownClasses {
		if k == c {
			return true
		}
	}
	return false
}

// Query is one line of queries.tsv.
type Query struct {
	Class      Class  `json:"class"`
	Text       string `json:"query"`
	DFAllTerms int    `json:"df_all_terms"` // -1 when not given
	DFPhrase   int    `json:"df_phrase"`    // -1 when not given
	Note       string `json:"note,omitempty"`
	Line       int    `json:"line"` // 1-based line in queries.tsv
}

// ParseQueries reads queries.tsv from r; name is used in error messages
// (name:line:col).
func ParseQueries(r io.Reader, name string) ([]Query, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var out []Query
	line := 0
	sawHeader := false
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if !utf8.ValidString(text) {
			return nil, fmt.Errorf("%s:%d:1: line is not valid UTF-8", name, line)
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		cols := strings.Split(text, "\t")
		if !sawHeader {
			sawHeader = true
			if err := checkHeader(cols, name, line); err != nil {
				return nil, err
			}
			continue
		}
		q, err := parseQueryLine(cols, name, line)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: reading: %w", name, line+1, err)
	}
	if !sawHeader {
		return nil, fmt.Errorf("%s:1:1: empty file: want a header line %q", name, strings.Join(queriesHeader, "\t"))
	}
	return out, nil
}

func checkHeader(cols []string, name string, line int) error {
	if len(cols) != len(queriesHeader) {
		return fmt.Errorf("%s:%d:1: header has %d columns, want %d (%s)", name, line, len(cols), len(queriesHeader), strings.Join(queriesHeader, ", "))
	}
	col := 1
	for i, want := range queriesHeader {
		if strings.TrimSpace(cols[i]) != want {
			return fmt.Errorf("%s:%d:%d: header column %d is %q, want %q", name, line, col, i+1, cols[i], want)
		}
		col += len(cols[i]) + 1
	}
	return nil
}

func parseQueryLine(cols []string, name string, line int) (Query, error) {
	if len(cols) != len(queriesHeader) {
		return Query{}, fmt.Errorf("%s:%d:1: %d tab-separated columns, want %d (%s)", name, line, len(cols), len(queriesHeader), strings.Join(queriesHeader, ", "))
	}
	// colAt is the 1-based byte column where field i starts.
	colAt := func(i int) int {
		c := 1
		for _, s := range cols[:i] {
			c += len(s) + 1
		}
		return c
	}
	q := Query{Class: Class(cols[0]), Text: cols[1], Note: cols[4], Line: line}
	if !knownClass(q.Class) {
		return Query{}, fmt.Errorf("%s:%d:1: unknown query class %q", name, line, cols[0])
	}
	if strings.TrimSpace(q.Text) == "" {
		return Query{}, fmt.Errorf("%s:%d:%d: empty query", name, line, colAt(1))
	}
	var err error
	if q.DFAllTerms, err = parseDF(cols[2]); err != nil {
		return Query{}, fmt.Errorf("%s:%d:%d: df_all_terms: %w", name, line, colAt(2), err)
	}
	if q.DFPhrase, err = parseDF(cols[3]); err != nil {
		return Query{}, fmt.Errorf("%s:%d:%d: df_phrase: %w", name, line, colAt(3), err)
	}
	return q, nil
}

// parseDF parses a document-frequency cell: a non-negative integer, or empty
// for "not given" (-1).
func parseDF(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	if n < 0 {
		return 0, fmt.Errorf("%d is negative", n)
	}
	return n, nil
}
