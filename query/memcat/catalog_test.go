package memcat

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/query"
)

func docs() []index.Doc {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(path, text string, fields map[string]any, tags ...string) index.Doc {
		return index.Doc{Key: "c/" + path, Collection: "c", Path: path, Title: path, Text: []byte(text),
			Fields: fields, Tags: tags, Created: t0, Updated: t0, Lang: "markdown"}
	}
	return []index.Doc{
		mk("A.md", "apple apple banana", map[string]any{"Meta": map[string]any{"Owner": "Ana"}, "n": []any{int64(1), int64(9)}}, "Fruit/Red"),
		mk("b.md", "apple banana", map[string]any{"n": "5"}, "fruit"),
		mk("c.md", "apple banana", map[string]any{"n": 5.0}),
		mk("d.md", "cherry", nil),
	}
}

func TestKeywordsAndNumbers(t *testing.T) {
	c, err := New(docs())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		field, value string
		want         []uint32
	}{
		{"tag", "fruit/red", []uint32{0}},
		{"path", "a.md", []uint32{0}},
		{"field.meta.owner", "ana", []uint32{0}},
		{"field.n", "5", []uint32{1, 2}},
	} {
		b, _ := c.Keyword(tt.field, tt.value)
		if b == nil || !slices.Equal(b.ToArray(), tt.want) || c.KeywordCount(tt.field, tt.value) != len(tt.want) {
			t.Errorf("Keyword(%s, %s) = %v, want %v", tt.field, tt.value, b, tt.want)
		}
	}
	if b, _ := c.KeywordPrefix("tag", "fruit"); !slices.Equal(b.ToArray(), []uint32{0, 1}) {
		t.Errorf("KeywordPrefix(tag, fruit) = %v", b)
	}
	// Any element of a list is in range; the string "5" is not a number.
	if b, _ := c.Numeric("field.n", query.NumRange{Lo: 4, Hi: math.Inf(1), LoIncl: true}); !slices.Equal(b.ToArray(), []uint32{0, 2}) {
		t.Errorf("Numeric(field.n >= 4) = %v", b)
	}
	if b, _ := c.Exists("meta"); !slices.Equal(b.ToArray(), []uint32{0}) {
		t.Errorf("Exists(meta) = %v", b)
	}
	if _, err := New(append(docs(), docs()[0])); err == nil {
		t.Error("duplicate keys accepted")
	}
}

// With TopK, Search keeps every score tied with the K-th best.
func TestSearchTopKKeepsTies(t *testing.T) {
	c, err := New(docs())
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(context.Background(), query.SearchRequest{Query: query.Text{Value: "apple"}, Score: true, TopK: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matches.GetCardinality() != 3 || len(res.Scores) != 3 {
		t.Errorf("matches %v, scores %v: want 3 matches and 3 scores (two tied for second)", res.Matches, res.Scores)
	}
	res, _ = c.Search(context.Background(), query.SearchRequest{Query: query.Text{Value: "apple"}, Score: true, TopK: 1, Within: roaring.BitmapOf(0, 1)})
	if len(res.Scores) != 1 || res.Scores[0] <= 0 {
		t.Errorf("top 1 within {0,1}: %v", res.Scores)
	}
	if _, err := c.Search(context.Background(), query.SearchRequest{Query: query.Text{Kind: query.Regex, Value: "("}}); err == nil {
		t.Error("a bad regex searched")
	}
}

func TestOrdered(t *testing.T) {
	c, err := New(docs())
	if err != nil {
		t.Fatal(err)
	}
	var got []uint32
	ok, _ := c.Ordered("field.n", true, nil, func(id query.DocID) bool { got = append(got, id); return true })
	// Sort values use the first number: 1 (A), 5.0 (c); "5" (b) sorts as a
	// string after numbers; d has none.
	if !ok || !slices.Equal(got, []uint32{1, 2, 0}) {
		t.Errorf("Ordered(field.n, desc) = %v, %v", got, ok)
	}
	if ok, _ := c.Ordered("score", false, nil, func(query.DocID) bool { return true }); ok {
		t.Error("Ordered by score claimed support")
	}
}
