package kotadb

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// Versions store no document: DB.Document derives it from the content and
// the file's time the version records. It must be exactly what parsing the
// file as it was indexed gives, the JSON too (`kotadb get --meta`).
func TestDocumentOfIndexedFiles(t *testing.T) {
	db := openTestDB(t)
	if _, err := db.Index(context.Background(), exampleVault, IndexOptions{}); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := db.Ls("vault/", func(v Version) error {
		n++
		rel := v.Key[len("vault/"):]
		fi, err := os.Stat(filepath.Join(exampleVault, rel))
		if err != nil {
			return err
		}
		content, err := os.ReadFile(filepath.Join(exampleVault, rel))
		if err != nil {
			return err
		}
		want, err := parse.Parse(parse.FileInfo{Path: rel, ModTime: fi.ModTime()}, content)
		if err != nil {
			return err
		}
		e, err := db.Get(v.Key)
		if err != nil {
			return err
		}
		if e.Meta != nil || e.Doc.Kind != store.DocFile || !e.Doc.ModTime.Equal(fi.ModTime()) {
			t.Errorf("%s: stored with %d bytes of metadata and %+v; want none, a file and mtime %s", v.Key, len(e.Meta), e.Doc, fi.ModTime())
		}
		got, err := db.Document(e)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: Document (-parse +derived):\n%s", v.Key, diff)
		}
		wantJSON, _ := json.Marshal(want)
		gotJSON, _ := json.Marshal(got)
		if string(wantJSON) != string(gotJSON) {
			t.Errorf("%s: JSON\n got %s\nwant %s", v.Key, gotJSON, wantJSON)
		}
		return nil
	})
	if err != nil || n != 39 {
		t.Fatalf("checked %d documents: %v", n, err)
	}
}

func TestDocumentOfJSONAndFormat1(t *testing.T) {
	db := openTestDB(t)
	value := []byte(`{"title": "Alice", "n": 2, "tags": ["a"]}`)
	v, err := db.Put("agents/alice", value, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if v.Doc.Kind != store.DocJSON || v.Meta != (store.Hash{}) {
		t.Fatalf("put made %+v", v)
	}
	want, err := jsonDocument("agents/alice", value)
	if err != nil {
		t.Fatal(err)
	}
	e, err := db.Get("agents/alice")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.Document(e); err != nil || !cmp.Equal(want, got) {
		t.Fatalf("Document of a JSON put = %+v, %v; want %+v", got, err, want)
	}
	if again, err := db.Put("agents/alice", value, "cli"); err != nil || again.Seq != v.Seq {
		t.Fatalf("the same put again = %+v, %v: want no new version", again, err)
	}

	// Format 1 stored a file's document as JSON: its frontmatter comes back
	// typed (parsed again with the stored times), its warnings as stored.
	content := []byte("---\ndate: 2024-01-02\nn: 3\ntags: [x]\n---\n# T\nbody [[link]]\n")
	mod := time.Date(2025, 2, 3, 4, 5, 6, 7, time.FixedZone("", 3600))
	doc, err := parse.Parse(parse.FileInfo{Path: "a.md", ModTime: mod}, content)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Store().Put("old/a.md", content, meta, "fs"); err != nil {
		t.Fatal(err)
	}
	e, err = db.Get("old/a.md")
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Document(e)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(doc, got); diff != "" {
		t.Errorf("format-1 document (-stored +derived):\n%s", diff)
	}
	if _, ok := got.Frontmatter["n"].(int64); !ok {
		t.Errorf("frontmatter n is %T, want int64 (parsed again, not read from JSON)", got.Frontmatter["n"])
	}

	// A value stored without a document has none.
	if _, err := db.Store().Put("raw/x", []byte("x"), nil, "t"); err != nil {
		t.Fatal(err)
	}
	if e, err = db.Get("raw/x"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Document(e); got != nil || err != nil {
		t.Errorf("Document of a bare value = %+v, %v; want nil, nil", got, err)
	}
	st, err := db.Stats()
	if err != nil || st.Tags != 1 || st.Links != 1 {
		t.Errorf("Stats over JSON, format-1 and bare versions: tags %d links %d, %v; want 1 and 1", st.Tags, st.Links, err)
	}
}

var updateDocuments = flag.Bool("update-documents", false, "rewrite testdata/documents.golden")

// testdata/documents.golden holds, for every text file of the example
// vault with a fixed modification time, the metadata JSON format 1 stored
// (written by the encoder ingestion used then). The document derived from
// the content and the recorded time must be those same bytes: `kotadb get
// --meta` shows what it showed before. Regenerate (-update-documents) only
// for a deliberate change of the parser.
func TestDocumentJSONGolden(t *testing.T) {
	mod := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	var out strings.Builder
	err := filepath.WalkDir(exampleVault, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(exampleVault, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		v := store.Version{Seq: 1, Op: store.OpPut, Key: "vault/" + rel, Doc: store.DocInfo{Kind: store.DocFile, ModTime: mod}}
		doc, err := documentOf("test.db", v, content, nil)
		if errors.Is(err, ErrBinary) {
			return nil
		}
		if err != nil {
			return err
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		fmt.Fprintf(&out, "%s\t%s\n", rel, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "documents.golden")
	if *updateDocuments {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("derived document JSON differs from what format 1 stored (-golden +derived):\n%s", diff)
	}
}
