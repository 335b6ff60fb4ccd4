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
	"github.com/kotadb/kotadb/parse"
)

// CorpusDir returns ../shared/corpus/<name>/data relative to the repository
// root (the folder holding go.mod), or skips the test when it is absent.
func CorpusDir(tb testing.TB, name string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("corpus: no go.mod above the working directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "corpus", name, "data")
	if _, err := os.Stat(data); err != nil {
		tb.Skipf("corpus %s not available at %s (see the corpus README); skipping", name, data)
	}
	return data
}

// modTime is the fixed time every loaded file gets, so that tests do not
// depend on when the corpus was copied.
var modTime = time.Date(2024, 8, 9, 12, 0, 0, 0, time.UTC)

// Load parses every markdown file of corpus name into the collection of the
// same name, in path order.
func Load(tb testing.TB, name string) []index.Doc {
	tb.Helper()
	root := CorpusDir(tb, name)
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
