package search

import (
	"context"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kotadb/kotadb/query"
)

// FuzzCatalogText feeds arbitrary text clauses and keyword lookups to a
// catalog: bad input is an error, never a panic, and what comes back is
// consistent (live documents only, estimates 0 only when nothing matches,
// scores only for matches, restriction to candidates honoured).
func FuzzCatalogText(f *testing.F) {
	idx, texts, _ := basicCatalog(f)
	f.Add(int(query.Term), "alpha", "", false, 0)
	f.Add(int(query.Term), "versoin", "body", false, 2)
	f.Add(int(query.Phrase), "second version", "", true, 0)
	f.Add(int(query.Prefix), "ver", "title", false, 0)
	f.Add(int(query.Prefix), "error han", "", false, 0)
	f.Add(int(query.Substring), "main //", "", true, 0)
	f.Add(int(query.Regex), "(?i)rust|bee", "", false, 0)
	f.Add(int(query.Regex), "(unclosed", "", false, 0)
	f.Add(int(query.Term), "x", "nosuchfield", false, 0)
	f.Add(9, "", "", false, 0)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, kind int, value, field string, exact bool, fuzzy int) {
		cat, release, err := idx.Catalog(nil, texts.source)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		live := cat.Docs()
		tq := query.Text{Kind: query.TextKind(kind), Value: value, Field: field, Exact: exact, Fuzzy: fuzzy}
		est := cat.SearchCount(tq)
		res, err := cat.Search(ctx, query.SearchRequest{Query: tq, Score: true})
		if err == nil {
			if !roaring.AndNot(res.Matches, live).IsEmpty() {
				t.Fatalf("%+v matches documents that are not live", tq)
			}
			if est == 0 && !res.Matches.IsEmpty() {
				t.Fatalf("%+v: SearchCount 0 but %d matches", tq, res.Matches.GetCardinality())
			}
			for id := range res.Scores {
				if !res.Matches.Contains(id) {
					t.Fatalf("%+v: a score for %d, which does not match", tq, id)
				}
			}
			within := roaring.New()
			for i, id := range live.ToArray() {
				if i%2 == 0 {
					within.Add(id)
				}
			}
			part, err := cat.Search(ctx, query.SearchRequest{Query: tq, Within: within})
			if err != nil {
				t.Fatalf("%+v: %v with candidates, none without", tq, err)
			}
			if !part.Matches.Equals(roaring.And(res.Matches, within)) {
				t.Fatalf("%+v: restricted to candidates gives other matches", tq)
			}
		}
		lookups := []func() (*roaring.Bitmap, error){
			func() (*roaring.Bitmap, error) { return cat.Keyword("field."+field, value) },
			func() (*roaring.Bitmap, error) { return cat.KeywordPrefix("path", value) },
			func() (*roaring.Bitmap, error) { return cat.KeywordPrefix(field, value) },
			func() (*roaring.Bitmap, error) { return cat.Exists(value) },
		}
		for i, lookup := range lookups {
			b, err := lookup()
			if err != nil {
				t.Fatalf("lookup %d of %q %q: %v", i, field, value, err)
			}
			if !roaring.AndNot(b, live).IsEmpty() {
				t.Fatalf("lookup %d of %q %q returns documents that are not live", i, field, value)
			}
		}
		if id, ok := cat.ID(value); ok && !live.Contains(id) {
			t.Fatalf("ID(%q) = %d, not live", value, id)
		}
	})
}
