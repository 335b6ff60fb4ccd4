package kotadb

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kotadb/kotadb/query"
)

// TestSearchPersistsAndCatchesUp indexes the example vault, answers a set of
// queries, closes, and reopens: the indices must be reopened from disk, not
// rebuilt (their seq already equals the store's before any replay), and give
// the same answers. Then files change and writes happen while the indices
// are closed: the next search must reflect them.
func TestSearchPersistsAndCatchesUp(t *testing.T) {
	ctx := context.Background()
	vault := copyVault(t)
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Index(ctx, vault, IndexOptions{Name: "vault"}); err != nil {
		t.Fatal(err)
	}
	queries := []string{"kota", `"trigram index"`, "bbolt OR trigram", "kota -roadmap", "sub:CGO_ENABLED", "triagram"}
	kql := []string{"tag:project/kota", "path:decisions/**", "links:[[kota]]", "kota tag:decision", "status:active"}
	before := answers(t, db, queries, kql)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for _, p := range []string{"search/MANIFEST", "graph/graph.snap"} {
		if _, err := os.Stat(filepath.Join(indexDir(path), p)); err != nil {
			t.Fatalf("index file missing after close: %v", err)
		}
	}

	db, err = Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ix, err := db.openIndices(true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ix.search.Seq(), db.Store().LastSeq(); got != want {
		t.Fatalf("reopened search index covers seq %d, store is at %d: it was rebuilt or lost data", got, want)
	}
	if diff := cmp.Diff(before, answers(t, db, queries, kql)); diff != "" {
		t.Fatalf("answers changed across reopen (-before +after):\n%s", diff)
	}

	// Change the vault: a new note, a deleted note; and a JSON put.
	if err := os.WriteFile(filepath.Join(vault, "zebra.md"), []byte("---\ntags: [animals]\n---\n# Zebra\nStripes everywhere.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(vault, "decisions", "adr-001-use-bbolt.md")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Index(ctx, vault, IndexOptions{Name: "vault"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Put("notes/n1", []byte(`{"title":"Okapi","status":"active"}`), "test"); err != nil {
		t.Fatal(err)
	}
	hits := keys(t, db, "stripes")
	if !slices.Equal(hits, []string{"vault/zebra.md"}) {
		t.Errorf("search stripes = %v, want the new note", hits)
	}
	if hits := keys(t, db, "bbolt"); slices.Contains(hits, "vault/decisions/adr-001-use-bbolt.md") {
		t.Errorf("deleted note still found: %v", hits)
	}
	res, err := db.Query(ctx, query.MustParseKQL("status:active in:notes"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].Key != "notes/n1" {
		t.Errorf("query status:active in:notes = %+v, want notes/n1", res.Hits)
	}
	if err := ix.search.Check(); err != nil {
		t.Fatal(err)
	}
}

// answers runs search and KQL queries and returns their hit keys in order.
func answers(t *testing.T, db *DB, searches, kql []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, q := range searches {
		out["search "+q] = keys(t, db, q)
	}
	for _, q := range kql {
		parsed, err := query.ParseKQL(q + " limit:1000")
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.Query(context.Background(), parsed, nil)
		if err != nil {
			t.Fatalf("query %q: %v", q, err)
		}
		var ks []string
		for _, h := range res.Hits {
			ks = append(ks, h.Key)
		}
		if len(ks) == 0 {
			t.Errorf("query %q found nothing in the example vault", q)
		}
		out["query "+q] = ks
	}
	return out
}

func keys(t *testing.T, db *DB, q string) []string {
	t.Helper()
	res, err := db.Search(context.Background(), q, SearchOptions{Limit: 100, NoSnippets: true})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var ks []string
	for _, h := range res.Hits {
		ks = append(ks, h.Key)
	}
	return ks
}

// copyVault copies examples/vault into a temporary folder the test may
// change.
func copyVault(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "vault")
	err := filepath.Walk("examples/vault", func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "examples/vault")
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
