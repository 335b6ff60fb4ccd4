package ingest

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/parse"
)

// sameAsEncodingJSON fails the test unless encodeMeta gives what
// json.Marshal gives for doc (with the warnings encodeMeta attributes to
// the file): the same bytes, or an error from both.
func sameAsEncodingJSON(t *testing.T, what string, doc *parse.Document) {
	t.Helper()
	got, gotErr := encodeMeta(doc, doc.Path)
	want, wantErr := json.Marshal(doc)
	switch {
	case (wantErr != nil) != (gotErr != nil):
		t.Fatalf("%s: encodeMeta error %v, encoding/json error %v", what, gotErr, wantErr)
	case !bytes.Equal(got, want):
		t.Fatalf("%s: encodeMeta differs from encoding/json:\n got %s\nwant %s", what, got, want)
	}
}

func TestEncodeMetaMatchesEncodingJSON(t *testing.T) {
	when := time.Date(2024, 3, 9, 10, 11, 12, 130000000, time.FixedZone("", 5*3600+30*60))
	full := func() parse.Document {
		return parse.Document{Path: "a/b.md", Kind: "markdown", Lang: "markdown", Title: "T", Words: 3, Lines: 4,
			Hash: "ab", Size: 9, Created: when, Updated: when.UTC(), Body: 12}
	}
	tests := []struct {
		name string
		doc  func() parse.Document
	}{
		{"empty", func() parse.Document { return parse.Document{} }},
		{"plain", full},
		{"escapes", func() parse.Document {
			d := full()
			d.Title = "<a href=\"x\">&amp;</a>\\ \b\f\n\r\t\x00\x01\x1f\x7f"
			d.Path = "bad\xff\xfeutf8 \u2028\u2029 é 日本 😀 \xed\xa0\x80"
			return d
		}},
		{"lists", func() parse.Document {
			d := full()
			d.Tags = []string{"a/b", "c<d"}
			d.Aliases = []string{""}
			d.Links = []parse.Link{{Kind: parse.LinkWiki, Target: "x", Line: 1},
				{Kind: parse.LinkMarkdown, Target: "../y.md", Heading: "h", Alias: "al", Line: 2}}
			d.Headings = []parse.Heading{{Level: 2, Text: "Hé & co", Anchor: "h-co", Line: 7}}
			d.Warnings = []parse.Warning{{Position: errs.Position{Line: 3, Column: 4}, Message: "bad \"yaml\""}}
			return d
		}},
		{"empty lists are omitted", func() parse.Document {
			d := full()
			d.Tags, d.Links, d.Frontmatter = []string{}, []parse.Link{}, map[string]any{}
			return d
		}},
		{"frontmatter", func() parse.Document {
			d := full()
			d.Frontmatter = map[string]any{
				"Z": "upper sorts first", "é": "bytes sort", "": "empty key", "nil": nil,
				"title": "x", "b": true, "n": nil, "i": int64(-42), "int": 7, "u": uint64(math.MaxUint64),
				"f": 1.5, "big": 1e21, "small": 1e-7, "tiny": 5e-324, "neg": -0.0000012, "whole": 3.0, "max": math.MaxFloat64,
				"date": when, "list": []any{"a", int64(1), []any{}, map[string]any{}, nil},
				"nested": map[string]any{"z": map[string]any{"<k>": []any{when}}, "a": []any(nil), "m": map[string]any(nil)},
			}
			return d
		}},
		{"frontmatter with an unusual type", func() parse.Document {
			d := full()
			d.Frontmatter = map[string]any{"f32": float32(0.1), "strs": []string{"a"}, "kind": parse.LinkWiki}
			return d
		}},
		{"NaN", func() parse.Document {
			d := full()
			d.Frontmatter = map[string]any{"x": []any{math.NaN()}}
			return d
		}},
		{"infinity", func() parse.Document {
			d := full()
			d.Frontmatter = map[string]any{"x": math.Inf(-1)}
			return d
		}},
		{"year 10000", func() parse.Document {
			d := full()
			d.Updated = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			return d
		}},
		{"negative year in frontmatter", func() parse.Document {
			d := full()
			d.Frontmatter = map[string]any{"t": time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
			return d
		}},
		{"zone offset of 24 hours", func() parse.Document {
			d := full()
			d.Created = time.Date(2000, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))
			return d
		}},
		{"deep nesting", func() parse.Document {
			d := full()
			var v any = "leaf"
			for range maxValueDepth + 5 {
				v = []any{v}
			}
			d.Frontmatter = map[string]any{"deep": v}
			return d
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc()
			sameAsEncodingJSON(t, tt.name, &doc)
		})
	}
}

func TestEncodeMetaAttributesWarnings(t *testing.T) {
	doc := &parse.Document{Warnings: []parse.Warning{{Message: "m"}, {Position: errs.Position{File: "other.md"}, Message: "n"}}}
	meta, err := encodeMeta(doc, "dir/a.md")
	if err != nil {
		t.Fatal(err)
	}
	var back parse.Document
	if err := json.Unmarshal(meta, &back); err != nil {
		t.Fatal(err)
	}
	if back.Warnings[0].File != "dir/a.md" || back.Warnings[1].File != "other.md" {
		t.Fatalf("warnings %+v: want the first attributed to dir/a.md, the second kept", back.Warnings)
	}
}

// TestEncodeMetaCorpora checks every document of the shared corpora.
func TestEncodeMetaCorpora(t *testing.T) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		t.Run(name, func(t *testing.T) {
			dir := corpusDir(t, name)
			n := 0
			err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				content, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				fi, err := d.Info()
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(dir, p)
				doc, err := parse.Parse(parse.FileInfo{Path: filepath.ToSlash(rel), ModTime: fi.ModTime()}, content)
				if err != nil {
					return nil // not indexed either
				}
				sameAsEncodingJSON(t, rel, doc)
				n++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatalf("no documents parsed in %s", dir)
			}
		})
	}
}

// FuzzEncodeMeta parses arbitrary files and compares encodeMeta with
// encoding/json on the Document.
func FuzzEncodeMeta(f *testing.F) {
	f.Add("a.md", []byte("---\ntitle: \"<T>\"\ntags: [a, b/c]\ndate: 2024-01-02\nn: 1.5e-9\nm: {x: [1, null, true]}\n---\n# H & h\n\n[[x|y]] [l](../b.md)\n"))
	f.Add("b.txt", []byte("plain \u2028 text\xff"))
	f.Add("c.md", []byte("---\nbad: [\n---\nbody"))
	f.Fuzz(func(t *testing.T, path string, content []byte) {
		doc, err := parse.Parse(parse.FileInfo{Path: path, ModTime: time.Unix(1700000000, 5)}, content)
		if err != nil {
			return
		}
		sameAsEncodingJSON(t, "fuzz", doc)
	})
}

// FuzzAppendString compares the string encoding with encoding/json's on
// arbitrary bytes.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<>&\"\\", "\x00\x1f\x7f", "\xff\xfe", "\u2028\u2029", "é日😀", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, encoding/json %s", s, got, want)
		}
	})
}

func BenchmarkEncodeMeta(b *testing.B) {
	dir := corpusDir(b, "dwarves-brain")
	var docs []*parse.Document
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if doc, err := parse.Parse(parse.FileInfo{Path: p}, content); err == nil {
			docs = append(docs, doc)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("appendDocument", func(b *testing.B) {
		for b.Loop() {
			for _, d := range docs {
				if _, err := encodeMeta(d, d.Path); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			for _, d := range docs {
				if _, err := json.Marshal(d); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
