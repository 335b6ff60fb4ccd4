package trigram

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kotadb/kotadb/internal/testcorpus"
)

// testCorpus is one of the shared real corpora, loaded once per test binary.
type testCorpus struct {
	name    string
	paths   []string
	docs    [][]byte
	bytes   int64
	queries []corpusQuery
}

// corpusQuery is one line of the corpus's queries.tsv.
type corpusQuery struct {
	class, text string
}

var corpusCache sync.Map // name -> *testCorpus

// corpusNames are the shared corpora tests and benchmarks run over.
var corpusNames = []string{"dwarves-brain", "opentelemetry-docs"}

// loadCorpus returns the named corpus from ../shared/corpus next to the
// repository root, skipping the test when it is absent.
func loadCorpus(tb testing.TB, name string) *testCorpus {
	tb.Helper()
	if c, ok := corpusCache.Load(name); ok {
		return c.(*testCorpus)
	}
	data := testcorpus.Dir(tb, name)
	dir := filepath.Dir(data) // the corpus folder, with queries.tsv
	c := &testCorpus{name: name}
	err := filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		c.paths = append(c.paths, p)
		return nil
	})
	if err != nil {
		tb.Fatalf("walking corpus %s: %v", name, err)
	}
	slices.Sort(c.paths)
	for _, p := range c.paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		c.docs = append(c.docs, b)
		c.bytes += int64(len(b))
	}
	c.queries, err = readQueries(filepath.Join(dir, "queries.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	corpusCache.Store(name, c)
	return c
}

// readQueries reads the class and query columns of queries.tsv.
func readQueries(path string) ([]corpusQuery, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []corpusQuery
	sc := bufio.NewScanner(bytes.NewReader(b))
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 2 || cols[1] == "" {
			continue
		}
		out = append(out, corpusQuery{class: cols[0], text: cols[1]})
	}
	return out, sc.Err()
}

// substringQueries returns the ident and substr queries: those the trigram
// index serves.
func (c *testCorpus) substringQueries() []string {
	var out []string
	for _, q := range c.queries {
		if q.class == "ident" || q.class == "substr" {
			out = append(out, q.text)
		}
	}
	return out
}

// build indexes the corpus with document numbers in path order.
func (c *testCorpus) build() *Builder {
	b := NewBuilder()
	for i, d := range c.docs {
		b.Add(uint32(i), d)
	}
	return b
}
