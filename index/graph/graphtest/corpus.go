// Package graphtest loads the shared test corpora as index.Doc values, for
// the tests and benchmarks of the link graph and the query planner. It is
// test support: nothing in kotadb imports it.
package graphtest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/internal/testcorpus"
	"github.com/kotadb/kotadb/parse"
)

// modTime is the fixed time every loaded file gets, so that tests do not
// depend on when the corpus was copied.
var modTime = time.Date(2024, 8, 9, 12, 0, 0, 0, time.UTC)

// Load parses every markdown file of corpus name into the collection of the
// same name, in path order.
func Load(tb testing.TB, name string) []index.Doc {
	tb.Helper()
	root := testcorpus.Dir(tb, name)
	var docs []index.Doc
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := parse.Parse(parse.FileInfo{Path: filepath.ToSlash(rel), ModTime: modTime}, content)
		if errors.Is(err, errs.ErrBinary) {
			return nil
		}
		if err != nil {
			return err
		}
		docs = append(docs, Doc(name, doc, content))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return docs
}

// Doc converts a parsed document into what the indices are fed.
func Doc(collection string, d *parse.Document, content []byte) index.Doc {
	out := index.Doc{
		Key:        collection + "/" + d.Path,
		Collection: collection,
		Path:       d.Path,
		Title:      d.Title,
		Tags:       d.Tags,
		Aliases:    d.Aliases,
		Fields:     d.Frontmatter,
		Created:    d.Created,
		Updated:    d.Updated,
		Text:       content,
		BodyStart:  d.Body,
		Lang:       d.Lang,
	}
	for _, h := range d.Headings {
		out.Headings = append(out.Headings, index.Heading{Level: h.Level, Text: h.Text, Line: h.Line})
	}
	for _, l := range d.Links {
		out.Links = append(out.Links, index.Link{Kind: string(l.Kind), Target: l.Target, Heading: l.Heading, Line: l.Line})
	}
	return out
}
