package kotadb

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kotadb/kotadb/ingest"
	"github.com/kotadb/kotadb/internal/testcorpus"
	"github.com/kotadb/kotadb/store"
)

// checkParsed checks that every document Index handed to the indices is
// exactly the one derived again from its stored version (DB.Document), and
// that the index.Doc made of it is the one a catch-up from the store makes.
func checkParsed(t *testing.T, db *DB, got []ingest.Parsed) {
	t.Helper()
	for _, p := range got {
		e, err := db.GetAtSeq(p.Version.Key, p.Version.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != p.Version.Seq || !reflect.DeepEqual(e.Version, p.Version) {
			t.Fatalf("%s: handed version %+v, stored %+v", p.Version.Key, p.Version, e.Version)
		}
		want, err := db.Document(e)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.Doc, want) {
			t.Errorf("%s@%d: ingestion parsed\n%+v\nthe stored version gives\n%+v", e.Key, e.Seq, p.Doc, want)
		}
		wantDoc, err := db.buildDoc(e.Version, e.Value, e.Meta)
		if err != nil {
			t.Fatal(err)
		}
		// Held with its content, and without (read from the store).
		for _, limit := range []int{parsedContentLimit, 0} {
			db.parsed.reset()
			db.parsed.bytes = parsedContentLimit - limit
			db.parsed.add([]ingest.Parsed{p})
			doc, ok, err := db.parsedIndexDoc(e.Version)
			if err != nil || !ok {
				t.Fatalf("%s@%d: not taken (%v)", e.Key, e.Seq, err)
			}
			if !reflect.DeepEqual(doc, wantDoc) {
				t.Errorf("%s@%d: index doc from ingestion\n%+v\nfrom the store\n%+v", e.Key, e.Seq, doc, wantDoc)
			}
		}
		db.parsed.reset()
	}
}

func indexParsed(t *testing.T, db *DB, dir, name string) (ingest.Summary, []ingest.Parsed) {
	t.Helper()
	var got []ingest.Parsed
	sum, err := db.Index(context.Background(), dir, IndexOptions{Name: name, BatchDocs: 7,
		OnParsed: func(ps []ingest.Parsed) { got = append(got, ps...) }})
	if err != nil {
		t.Fatal(err)
	}
	return sum, got
}

func TestParsedMatchesStoreVault(t *testing.T) {
	dir := copyVault(t)
	db := openTestDB(t)
	sum, got := indexParsed(t, db, dir, "vault")
	if len(got) != sum.Added || sum.Added == 0 {
		t.Fatalf("%d documents handed over for %s", len(got), sum)
	}
	checkParsed(t, db, got)

	// A changed file is handed over too; an added one with the content of
	// a removed one is a move, which is indexed from the store.
	if err := os.WriteFile(filepath.Join(dir, "changed.md"), []byte("# Changed\n\n#tag [[x]]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "changed.md"), later, later); err != nil {
		t.Fatal(err)
	}
	sum, got = indexParsed(t, db, dir, "vault")
	if len(got) != 1 || sum.Added != 1 {
		t.Fatalf("%d documents handed over for %s", len(got), sum)
	}
	checkParsed(t, db, got)
	if len(db.parsed.docs) != 0 {
		t.Errorf("%d documents left after Index", len(db.parsed.docs))
	}
}

func TestParsedMatchesStoreCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("parses 885 files twice; skipped with -short")
	}
	dir := testcorpus.Dir(t, "dwarves-brain")
	db := openTestDB(t)
	sum, got := indexParsed(t, db, dir, "brain")
	if len(got) != sum.Added {
		t.Fatalf("%d documents handed over for %s", len(got), sum)
	}
	checkParsed(t, db, got)
}

// TestParsedTakeChecksVersion: a held document is only used for the very
// version it was parsed for.
func TestParsedTakeChecksVersion(t *testing.T) {
	db := openTestDB(t)
	_, got := indexParsed(t, db, copyVault(t), "vault")
	p := got[0]
	other := func(f func(v *store.Version)) store.Version {
		v := p.Version
		f(&v)
		return v
	}
	for name, v := range map[string]store.Version{
		"key":    other(func(v *store.Version) { v.Key = "vault/other.md" }),
		"hash":   other(func(v *store.Version) { v.Hash[0] ^= 1 }),
		"times":  other(func(v *store.Version) { v.Doc.ModTime = v.Doc.ModTime.Add(time.Second) }),
		"delete": other(func(v *store.Version) { v.Op = store.OpDelete }),
	} {
		var pd parsedDocs
		pd.add([]ingest.Parsed{p})
		if _, _, _, ok := pd.take(v); ok {
			t.Errorf("%s differs: taken", name)
		}
		if len(pd.docs) != 0 || pd.bytes != 0 {
			t.Errorf("%s differs: still held", name)
		}
	}
}
