package search

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph/graphtest"
	"github.com/kotadb/kotadb/internal/vfs"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/query"
)

var longValue = strings.Repeat("long value ", 30) // longer than maxKeywordLen

func parsedDoc(t testing.TB, key, text string) index.Doc {
	t.Helper()
	coll, rel := splitKey(key)
	mod := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	pd, err := parse.Parse(parse.FileInfo{Path: rel, ModTime: mod}, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return graphtest.Doc(coll, pd, []byte(text))
}

// basicCatalog indexes a few documents: two flushed (one deleted, one
// updated later in the head) and two in the head.
func basicCatalog(t testing.TB) (*Index, *textStore, map[string]index.Doc) {
	texts := newTextStore()
	idx, _ := memIndex(t, Options{noWorker: true, TextSource: texts.source})
	t.Cleanup(func() { idx.Close() })
	a := parsedDoc(t, "c/a.md", "---\nstatus: Active\nempty: \"\"\nlist: []\nmap: {}\nnothing: null\nmeta:\n  Owner: Alice\n"+
		"tags: [x/y]\nlong: "+longValue+"\ncreated: 2024-01-02\n---\n# Alpha\n\nSee [[b]] and #inline.\n")
	b1 := parsedDoc(t, "c/B.md", "---\npriority: 3\n---\nfirst version\n")
	del := parsedDoc(t, "c/del.md", "doomed\n")
	b2 := parsedDoc(t, "c/B.md", "---\npriority: [2, 7]\naliases: [bee]\n---\n# Bee\nsecond version\n")
	code := parsedDoc(t, "d/sub/code.go", "package main // rust\n")
	apply := func(changes []index.Change) {
		texts.record(changes)
		mustApply(t, idx, changes)
	}
	apply(puts(1, &a, &b1, &del))
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	apply(puts(4, &b2, &code))
	apply(deletes(6, "c/del.md"))
	return idx, texts, map[string]index.Doc{a.Key: a, b2.Key: b2, code.Key: code}
}

func TestCatalogDocsAndValues(t *testing.T) {
	idx, texts, live := basicCatalog(t)
	cat, release, err := idx.Catalog(nil, texts.source)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if n := cat.Docs().GetCardinality(); n != uint64(len(live)) {
		t.Errorf("Docs() has %d documents, want the %d live ones", n, len(live))
	}
	for _, key := range []string{"c/del.md", "C/A.MD", "c/none.md"} {
		if id, ok := cat.ID(key); ok {
			t.Errorf("ID(%q) = %d, want none", key, id)
		}
	}
	names := []string{"key", "collection", "path", "folder", "title", "tags", "aliases", "links", "created", "updated",
		"lang", "fields", "field.status", "field.meta.owner", "field.META.OWNER", "field.priority", "field.nosuch", "field.empty", "nosuch"}
	for key, d := range live {
		id, ok := cat.ID(key)
		if !ok || !cat.Docs().Contains(id) {
			t.Fatalf("ID(%q) = %d, %v; want a live document", key, id, ok)
		}
		for _, name := range names {
			got, gotOK := cat.Value(id, name)
			want, wantOK := query.DocValue(&d, name)
			if gotOK != wantOK || !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
				t.Errorf("Value(%s, %s) = %#v, %v; the document has %#v, %v", key, name, got, gotOK, want, wantOK)
			}
		}
	}
	// Values spelled out, so that the comparison above is not circular.
	for _, tc := range []struct {
		key, name string
		want      any
	}{
		{"c/a.md", "field.meta.owner", "Alice"},
		{"c/a.md", "created", time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"c/a.md", "tags", []string{"inline", "x/y"}},
		{"c/B.md", "title", "Bee"},
		{"c/B.md", "field.priority", []any{int64(2), int64(7)}},
		{"c/B.md", "folder", "."},
		{"d/sub/code.go", "lang", "go"},
		{"d/sub/code.go", "path", "sub/code.go"},
		{"d/sub/code.go", "collection", "d"},
	} {
		id, _ := cat.ID(tc.key)
		if got, _ := cat.Value(id, tc.name); !cmp.Equal(got, tc.want) {
			t.Errorf("Value(%s, %s) = %#v, want %#v", tc.key, tc.name, got, tc.want)
		}
	}
	if err := cat.(*QueryCatalog).Err(); err != nil {
		t.Errorf("Err() = %v", err)
	}
}

func TestCatalogLookups(t *testing.T) {
	idx, texts, _ := basicCatalog(t)
	cat, release, err := idx.Catalog(nil, texts.source)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	keys := func(field string, b interface{ ToArray() []uint32 }) []string {
		var out []string
		for _, id := range b.ToArray() {
			k, _ := cat.Value(id, "key")
			out = append(out, k.(string))
		}
		return out
	}
	longLower := strings.ToLower(strings.TrimSpace(longValue))
	for _, tc := range []struct {
		name, field, value string
		prefix             bool
		want               []string
	}{
		{"tag", "tag", "x/y", false, []string{"c/a.md"}},
		{"tag subtree", "tag", "x/", true, []string{"c/a.md"}},
		{"path keeps no case", "path", "b.md", false, []string{"c/B.md"}},
		{"path prefix", "path", "sub/", true, []string{"d/sub/code.go"}},
		{"collection", "collection", "c", false, []string{"c/a.md", "c/B.md"}},
		{"lang", "lang", "go", false, []string{"d/sub/code.go"}},
		{"field", "field.status", "active", false, []string{"c/a.md"}},
		{"nested field", "field.meta.owner", "alice", false, []string{"c/a.md"}},
		{"number of a list", "field.priority", "7", false, []string{"c/B.md"}},
		{"old version is gone", "field.priority", "3", false, nil},
		{"deleted is gone", "path", "del.md", false, nil},
		{"long value", "field.long", longLower, false, []string{"c/a.md"}},
		{"long value, other end", "field.long", longLower[:maxKeywordLen] + "x", false, nil},
		{"long prefix", "field.long", longLower[:maxKeywordLen+5], true, []string{"c/a.md"}},
		{"long prefix, other end", "field.long", longLower[:maxKeywordLen] + "zz", true, nil},
		{"any value", "field.priority", "", true, []string{"c/B.md"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			if tc.prefix {
				b, err := cat.KeywordPrefix(tc.field, tc.value)
				if err != nil {
					t.Fatal(err)
				}
				got = keys(tc.field, b)
				if n := cat.KeywordPrefixCount(tc.field, tc.value); (n == 0) != (len(got) == 0) && len(got) > 0 {
					t.Errorf("KeywordPrefixCount = %d for %d matches", n, len(got))
				}
			} else {
				b, err := cat.Keyword(tc.field, tc.value)
				if err != nil {
					t.Fatal(err)
				}
				got = keys(tc.field, b)
				if n := cat.KeywordCount(tc.field, tc.value); n != len(got) {
					t.Errorf("KeywordCount = %d, want %d", n, len(got))
				}
			}
			if !cmp.Equal(got, tc.want, cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b string) bool { return a < b })) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"status", []string{"c/a.md"}},
		{"empty", []string{"c/a.md"}}, // "" has no keyword but exists
		{"list", []string{"c/a.md"}},
		{"map", []string{"c/a.md"}},
		{"nothing", nil}, // null does not exist
		{"meta", []string{"c/a.md"}},
		{"meta.owner", []string{"c/a.md"}},
		{"priority", []string{"c/B.md"}},
		{"aliases", []string{"c/B.md"}},
		{"nosuch", nil},
	} {
		b, err := cat.Exists(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		got := keys("", b)
		if !cmp.Equal(got, tc.want, cmpopts.EquateEmpty()) || cat.ExistsCount(tc.name) != len(tc.want) {
			t.Errorf("Exists(%s) = %q (count %d), want %q", tc.name, got, cat.ExistsCount(tc.name), tc.want)
		}
	}
	created := query.TimeNumber(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		field string
		r     query.NumRange
		want  []string
	}{
		{"created", query.NumRange{Lo: created, Hi: created + 86400, LoIncl: true}, []string{"c/a.md"}},
		{"created", query.NumRange{Lo: created, Hi: created, LoIncl: true}, nil}, // empty range
		{"field.priority", query.NumRange{Lo: 5, Hi: 8, LoIncl: true}, []string{"c/B.md"}},
		{"field.priority", query.NumRange{Lo: 3, Hi: 3, LoIncl: true, HiIncl: true}, nil},
	} {
		b, err := cat.Numeric(tc.field, tc.r)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys("", b); !cmp.Equal(got, tc.want, cmpopts.EquateEmpty()) || cat.NumericCount(tc.field, tc.r) != len(tc.want) {
			t.Errorf("Numeric(%s, %v) = %q, want %q", tc.field, tc.r, got, tc.want)
		}
	}
}

func TestCatalogRelease(t *testing.T) {
	idx, texts, _ := basicCatalog(t)
	cat, release, err := idx.Catalog(nil, texts.source)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := cat.ID("c/a.md")
	release()
	release() // twice is harmless
	if _, err := cat.Keyword("tag", "x/y"); !errors.Is(err, errs.ErrClosed) {
		t.Errorf("Keyword after release: %v, want ErrClosed", err)
	}
	if _, err := cat.Search(context.Background(), query.SearchRequest{Query: query.Text{Value: "alpha"}}); !errors.Is(err, errs.ErrClosed) {
		t.Errorf("Search after release: %v, want ErrClosed", err)
	}
	if _, ok := cat.Value(id, "key"); ok {
		t.Error("Value answers after release")
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := idx.Catalog(nil, nil); !errors.Is(err, errs.ErrClosed) {
		t.Errorf("Catalog on a closed index: %v, want ErrClosed", err)
	}
}

// TestCatalogDocSource reads values from documents the caller rebuilds,
// such as JSON documents, whose fields are not in a text to parse; and
// reports a document that cannot be rebuilt through Err.
func TestCatalogDocSource(t *testing.T) {
	idx, _ := memIndex(t, Options{noWorker: true})
	defer idx.Close()
	jsonDoc := &index.Doc{Key: "mem/fact", Collection: "mem", Path: "fact", Title: "fact", Lang: "json",
		Text: []byte(`{"kind": "fact", "weight": 2}`), Fields: map[string]any{"kind": "fact", "weight": float64(2)}}
	md := parsedDoc(t, "c/x.md", "---\nk: v\n---\nbody\n")
	mustApply(t, idx, puts(1, jsonDoc, &md))
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	cat, release, err := idx.CatalogDocs(nil, func(key string, seq uint64) (*index.Doc, error) {
		if key == jsonDoc.Key {
			return jsonDoc, nil
		}
		return nil, errors.New("not in this test's store")
	})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	id, _ := cat.ID(jsonDoc.Key)
	if v, ok := cat.Value(id, "field.weight"); !ok || v != float64(2) {
		t.Errorf("Value(field.weight) = %v, %v; want 2", v, ok)
	}
	if b, _ := cat.Keyword("field.kind", "fact"); !b.Contains(id) {
		t.Error("field.kind:fact does not find the JSON document")
	}
	if err := cat.(*QueryCatalog).Err(); err != nil {
		t.Fatalf("Err() = %v before any failure", err)
	}
	other, _ := cat.ID(md.Key)
	if _, ok := cat.Value(other, "field.k"); ok {
		t.Error("a value of a document the source cannot rebuild")
	}
	if err := cat.(*QueryCatalog).Err(); err == nil || !strings.Contains(err.Error(), "c/x.md") {
		t.Errorf("Err() = %v, want the failure to rebuild c/x.md", err)
	}
}

// TestCatalogExistsOnOldSegments opens the version 1 format sample, written
// before the "has" keyword existed: existence falls back to the fields'
// own keywords there.
func TestCatalogExistsOnOldSegments(t *testing.T) {
	dir := t.TempDir()
	entries, err := os.ReadDir(v1Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(v1Dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	idx, err := Open(vfs.OS, dir, Options{noWorker: true})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	cat, release, err := idx.Catalog(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	// Four documents are live; the update of db/postgres.md has no
	// priority.
	if n := cat.ExistsCount("priority"); n != 3 {
		t.Errorf("has:priority over the v1 sample = %d, want 3", n)
	}
	if n := cat.ExistsCount("nosuch"); n != 0 {
		t.Errorf("has:nosuch over the v1 sample = %d, want 0", n)
	}
}

func TestEngineQuery(t *testing.T) {
	for _, tc := range []struct {
		in   query.Text
		want Query
	}{
		{query.Text{Value: "Rust", Exact: true, Field: "title"}, Term{Field: "title", Text: "Rust", Exact: true}},
		{query.Text{Value: "colour", Fuzzy: 2}, Term{Text: "colour", Fuzzy: true}},
		{query.Text{Kind: query.Phrase, Value: "error handling"}, Phrase{Terms: []string{"error handling"}}},
		{query.Text{Kind: query.Prefix, Value: "rus"}, Prefix{Text: "rus"}},
		{query.Text{Kind: query.Prefix, Value: "foo-"}, Phrase{Terms: []string{"foo"}}},
		{query.Text{Kind: query.Prefix, Value: "error han", Field: "body"}, And{Phrase{Field: "body", Terms: []string{"error"}}, Prefix{Field: "body", Text: "han"}}},
		{query.Text{Kind: query.Prefix, Value: "--"}, Prefix{}},
		{query.Text{Kind: query.Substring, Value: "TODO", Exact: true}, Substring{Text: "TODO"}},
		{query.Text{Kind: query.Substring, Value: "rror han"}, Substring{Text: "rror han", CaseInsensitive: true}},
		{query.Text{Kind: query.Regex, Value: "(?i)err(or)?"}, Regex{Pattern: "(?i)err(or)?"}},
	} {
		got, err := engineQuery(tc.in)
		if err != nil || !cmp.Equal(got, tc.want) {
			t.Errorf("engineQuery(%+v) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
	if _, err := engineQuery(query.Text{Kind: 99}); err == nil {
		t.Error("engineQuery accepts an unknown kind")
	}
}
