package kotadb

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// exampleVault is the vault the README's quick start indexes.
const exampleVault = "examples/vault"

func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "kotadb.db"), &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// TestIndexExampleVault indexes examples/vault and checks the figures
// counted by hand from its files: 37 markdown notes outside drafts/, one
// .txt and one .py are documents; the PNG is skipped as binary; drafts/ is
// ignored by .kotadbignore; broken-frontmatter.md has the one warning.
func TestIndexExampleVault(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	sum, err := db.Index(ctx, exampleVault, IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Collection != "vault" || sum.Seen != 40 || sum.Added != 39 || sum.Changed+sum.Deleted+sum.Unchanged != 0 ||
		sum.Skipped["binary"] != 1 || sum.SkippedTotal() != 1 || sum.WarningCount != 1 {
		t.Errorf("first index: %s", sum)
	}

	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Documents != 39 || st.Versions != 39 || st.Deletes != 0 || st.Tags != 56 || st.Links != 138 || st.Warnings != 1 {
		t.Errorf("stats: documents %d, versions %d, deletes %d, tags %d, links %d, warnings %d; want 39, 39, 0, 56, 138, 1",
			st.Documents, st.Versions, st.Deletes, st.Tags, st.Links, st.Warnings)
	}
	if st.RawBytes <= 0 || st.StoredBytes <= 0 || st.Ratio <= 1 {
		t.Errorf("stats: raw %d, stored %d, ratio %.2f: want sizes and some compression", st.RawBytes, st.StoredBytes, st.Ratio)
	}
	if len(st.Collections) != 1 || st.Collections[0].Name != "vault" || st.Collections[0].Tags != 56 || st.Collections[0].Links != 138 {
		t.Errorf("collections: %+v", st.Collections)
	}
	if len(st.ParseWarnings) != 1 {
		t.Fatalf("parse warnings: %v", st.ParseWarnings)
	}
	w := st.ParseWarnings[0]
	if w.Key != "vault/broken-frontmatter.md" || w.Position != (Position{File: w.Key, Line: 4, Column: 7}) ||
		!strings.Contains(w.Message, "invalid YAML in frontmatter") {
		t.Errorf("warning: %+v; want vault/broken-frontmatter.md:4:7 invalid YAML", w)
	}

	var keys []string
	if err := db.Ls("vault/", func(v Version) error { keys = append(keys, v.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 39 {
		t.Errorf("ls: %d keys, want 39", len(keys))
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "vault/drafts/") || strings.HasSuffix(k, ".png") {
			t.Errorf("ls: %s should not be indexed", k)
		}
	}

	r, err := db.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != VerdictClean || len(r.Problems) != 0 || len(r.Sources) != 1 || r.Sources[0].Drifted() {
		t.Errorf("verify: %+v", r)
	}

	again, err := db.Index(ctx, exampleVault, IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Added+again.Changed+again.Deleted+again.Moved != 0 || again.Unchanged != 39 {
		t.Errorf("second index changed something: %s", again)
	}
}

// TestExampleVaultDocuments checks what the parser made of notes that
// exercise each feature of the vault (tags as list, comma string and
// inline; nested tags; links of every kind; a code block with #not-a-tag).
func TestExampleVaultDocuments(t *testing.T) {
	db := openTestDB(t)
	if _, err := db.Index(context.Background(), exampleVault, IndexOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key       string
		kind      string
		tags      []string
		links     int
		warnings  int
		linkKinds []string // distinct kinds, sorted
	}{
		{"vault/README.md", "markdown", []string{"home", "index", "project/kota"}, 16, 0, []string{"embed", "markdown", "wikilink"}},
		{"vault/projects/kota.md", "markdown", []string{"active", "project/kota", "project/kota/quality"}, 7, 0, []string{"embed", "frontmatter", "wikilink"}},
		{"vault/projects/data-pipeline.md", "markdown", []string{"on-hold", "project/data-pipeline"}, 4, 0, []string{"wikilink"}},
		{"vault/projects/onboarding-portal.md", "markdown", []string{"active", "area/hiring", "project/onboarding"}, 8, 0, []string{"markdown", "wikilink"}},
		{"vault/reading-list.md", "markdown", []string{"area/research", "area/research/ml", "reading", "research"}, 4, 0, []string{"wikilink"}},
		{"vault/meetings/2025-01-06-weekly-sync.md", "markdown", []string{"meeting", "project/kota", "weekly"}, 4, 0, []string{"wikilink"}},
		{"vault/research/fuzzy-search.md", "markdown", []string{"area/research", "research", "search"}, 3, 0, []string{"wikilink"}},
		{"vault/broken-frontmatter.md", "markdown", nil, 2, 1, []string{"wikilink"}},
		{"vault/notes.txt", "text", nil, 0, 0, nil},
		{"vault/snippets/retry.py", "text", nil, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			e, err := db.Get(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			d, err := db.Document(e)
			if err != nil || d == nil {
				t.Fatalf("Document = %v, %v", d, err)
			}
			doc := *d
			var kinds []string
			for _, l := range doc.Links {
				kinds = append(kinds, string(l.Kind))
			}
			slices.Sort(kinds)
			got := struct {
				Kind      string
				Tags      []string
				Links     int
				Warnings  int
				LinkKinds []string
			}{doc.Kind, doc.Tags, len(doc.Links), len(doc.Warnings), slices.Compact(kinds)}
			want := struct {
				Kind      string
				Tags      []string
				Links     int
				Warnings  int
				LinkKinds []string
			}{tt.kind, tt.tags, tt.links, tt.warnings, tt.linkKinds}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.key, diff)
			}
			if slices.Contains(doc.Tags, "not-a-tag") {
				t.Errorf("%s: a tag inside a code block was extracted", tt.key)
			}
		})
	}
}

// TestExampleVaultPNG checks that the attachment is a real PNG (the file
// the indexer must skip as binary).
func TestExampleVaultPNG(t *testing.T) {
	f, err := os.Open(filepath.Join(exampleVault, "attachments", "diagram.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("diagram.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 96 || b.Dy() != 24 {
		t.Errorf("diagram.png is %v, want 96x24", b)
	}
}
