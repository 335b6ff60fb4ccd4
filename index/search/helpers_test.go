package search

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/internal/testcorpus"
	"github.com/kotadb/kotadb/internal/vfs"
)

// loadCorpus reads up to max markdown files of a corpus as documents, in
// path order (max <= 0: all).
func loadCorpus(t testing.TB, name string, max int) []*index.Doc {
	t.Helper()
	root := testcorpus.Dir(t, name)
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	if max > 0 && len(paths) > max {
		paths = paths[:max]
	}
	docs := make([]*index.Doc, 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		docs = append(docs, markdownDoc(name, filepath.ToSlash(rel), data))
	}
	return docs
}

// markdownDoc builds an index.Doc the way the parser would, simply:
// frontmatter (title, tags, other scalar fields), ATX headings, the first
// heading or the file name as title.
func markdownDoc(collection, rel string, data []byte) *index.Doc {
	d := &index.Doc{Key: collection + "/" + rel, Collection: collection, Path: rel, Text: data, Lang: "markdown", Fields: map[string]any{}}
	lines := strings.Split(string(data), "\n")
	body := 0
	if len(lines) > 0 && strings.TrimSpace(lines[0]) == "---" {
		off := len(lines[0]) + 1
		for i := 1; i < len(lines); i++ {
			l := lines[i]
			if strings.TrimSpace(l) == "---" {
				body = off + len(l) + 1
				if body > len(data) {
					body = len(data)
				}
				break
			}
			if k, v, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(l, " ") {
				k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"'`)
				switch strings.ToLower(k) {
				case "title":
					d.Title = v
				case "tags", "tag":
					for _, tag := range strings.FieldsFunc(strings.Trim(v, "[]"), func(r rune) bool { return r == ',' || r == ' ' }) {
						if tag = strings.ToLower(strings.Trim(tag, `"'#`)); tag != "" {
							d.Tags = append(d.Tags, tag)
						}
					}
				case "date":
					if tm, err := time.Parse(time.DateOnly, v); err == nil {
						d.Fields["date"] = tm
						d.Created = tm
					}
				default:
					if v != "" {
						d.Fields[strings.ToLower(k)] = v
					}
				}
			}
			off += len(l) + 1
		}
	}
	d.BodyStart = body
	fence := false
	for i, l := range strings.Split(string(data[body:]), "\n") {
		line := 1 + bytes.Count(data[:body], []byte{'\n'}) + i
		if strings.HasPrefix(l, "```") {
			fence = !fence
		}
		if fence || !strings.HasPrefix(l, "#") {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "#"))
		if n <= 6 && len(l) > n && l[n] == ' ' {
			h := strings.TrimSpace(l[n:])
			d.Headings = append(d.Headings, index.Heading{Level: n, Text: h, Line: line})
			if d.Title == "" && n == 1 {
				d.Title = h
			}
		}
	}
	if d.Title == "" {
		d.Title = strings.TrimSuffix(filepath.Base(rel), ".md")
	}
	return d
}

// memIndex opens an index in a fresh MemFS.
func memIndex(t testing.TB, opts Options) (*Index, *vfs.MemFS) {
	t.Helper()
	mfs := vfs.NewMem()
	idx, err := Open(mfs, "/idx", opts)
	if err != nil {
		t.Fatal(err)
	}
	return idx, mfs
}

// puts makes changes that put docs at consecutive seqs from first.
func puts(first uint64, docs ...*index.Doc) []index.Change {
	out := make([]index.Change, len(docs))
	for i, d := range docs {
		out[i] = index.Change{Seq: first + uint64(i), Key: d.Key, Doc: d}
	}
	return out
}

func mustApply(t testing.TB, idx *Index, changes []index.Change) {
	t.Helper()
	if err := idx.Apply(changes); err != nil {
		t.Fatal(err)
	}
}

func mustSearch(t testing.TB, idx *Index, q Query, so SearchOptions) *Results {
	t.Helper()
	res, err := idx.Search(context.Background(), q, so)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustCheck(t testing.TB, idx *Index) {
	t.Helper()
	if err := idx.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

func hitKeys(res *Results) []string {
	keys := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		keys[i] = h.Key
	}
	return keys
}

// textDoc makes a small document with a title and a body.
func textDoc(key, title, body string) *index.Doc {
	return &index.Doc{Key: key, Collection: "c", Path: strings.TrimPrefix(key, "c/"), Title: title, Text: []byte(body)}
}

// deletes makes changes that delete keys at consecutive seqs from first.
func deletes(first uint64, keys ...string) []index.Change {
	out := make([]index.Change, len(keys))
	for i, k := range keys {
		out[i] = index.Change{Seq: first + uint64(i), Key: k, Delete: true}
	}
	return out
}

// textStore keeps every version's text, as the store does, for
// Options.TextSource.
type textStore struct {
	mu    sync.Mutex
	texts map[string][]byte
}

func newTextStore() *textStore { return &textStore{texts: map[string][]byte{}} }

func (s *textStore) record(changes []index.Change) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range changes {
		if !c.Delete {
			s.texts[fmt.Sprintf("%s@%d", c.Key, c.Seq)] = c.Doc.Text
		}
	}
}

func (s *textStore) source(key string, seq uint64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.texts[fmt.Sprintf("%s@%d", key, seq)]
	if !ok {
		return nil, fmt.Errorf("no version %s@%d", key, seq)
	}
	return t, nil
}
