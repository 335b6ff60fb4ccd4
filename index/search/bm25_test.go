package search

import (
	"math"
	"testing"
)

// TestBM25Reference computes BM25F scores by hand from raw counts of a tiny
// collection and checks the engine's scores to 1e-9, in the head, in a
// segment and after a delete changes N, df and the average lengths.
func TestBM25Reference(t *testing.T) {
	// "apple" occurs only in titles and bodies (paths a.md, b.md, c.md do
	// not contain it), so only those two fields contribute.
	idx, _ := memIndex(t, Options{})
	defer idx.Close()
	mustApply(t, idx, puts(1,
		textDoc("c/a.md", "apple pie", "apple apple banana"), // title 2, body 3, path 2
		textDoc("c/b.md", "banana", "apple cherry cherry cherry"),
		textDoc("c/c.md", "cherry", "banana banana"),
	))
	p := DefaultBM25
	// bm25f from the formula in bm25.go, written out independently.
	score := func(n, df, avgTitle, avgBody, tfTitle, lenTitle, tfBody, lenBody float64) float64 {
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		tfn := 0.0
		if tfTitle > 0 {
			tfn += 3 * tfTitle / (1 - 0.75 + 0.75*lenTitle/avgTitle)
		}
		if tfBody > 0 {
			tfn += 1 * tfBody / (1 - 0.75 + 0.75*lenBody/avgBody)
		}
		return idf * tfn / (p.K1 + tfn)
	}
	check := func(name string, want map[string]float64) {
		t.Helper()
		res := mustSearch(t, idx, Term{Text: "apple", Exact: true}, SearchOptions{Exact: true})
		if len(res.Hits) != len(want) {
			t.Fatalf("%s: %d hits, want %d", name, len(res.Hits), len(want))
		}
		for _, h := range res.Hits {
			if math.Abs(h.Score-want[h.Key]) > 1e-9 {
				t.Errorf("%s: %s scored %.15f, reference %.15f", name, h.Key, h.Score, want[h.Key])
			}
		}
	}
	// N=3; "apple" in a (title 1 of 2, body 2 of 3) and b (body 1 of 4).
	// avg title (2+1+1)/3, avg body (3+4+2)/3.
	want := map[string]float64{
		"c/a.md": score(3, 2, 4.0/3, 3, 1, 2, 2, 3),
		"c/b.md": score(3, 2, 4.0/3, 3, 0, 1, 1, 4),
	}
	check("head", want)
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	check("segment", want)
	// Deleting c: N=2, avg title 3/2, avg body 7/2.
	mustApply(t, idx, deletes(10, "c/c.md"))
	want = map[string]float64{
		"c/a.md": score(2, 2, 1.5, 3.5, 1, 2, 2, 3),
		"c/b.md": score(2, 2, 1.5, 3.5, 0, 1, 1, 4),
	}
	check("after delete", want)
	mustCheck(t, idx)
}

func TestBM25PhraseAndFieldRestriction(t *testing.T) {
	idx, _ := memIndex(t, Options{})
	defer idx.Close()
	mustApply(t, idx, puts(1,
		textDoc("c/a.md", "x", "red fox red fox"),
		textDoc("c/b.md", "red fox", "fox red"),
	))
	// Phrase "red fox": idf is the sum of the words' idfs (both df 2, N 2);
	// a: body tf 2 (len 4); b: title tf 1 (len 2), body 0.
	idfWord := math.Log(1 + 0.5/2.5) // N 2, df 2: ln(1 + (N-df+0.5)/(df+0.5))
	avgTitle, avgBody := 1.5, 3.0
	tfnA := 2 / (0.25 + 0.75*4/avgBody)
	tfnB := 3 * 1 / (0.25 + 0.75*2/avgTitle)
	want := map[string]float64{
		"c/a.md": 2 * idfWord * tfnA / (1.2 + tfnA),
		"c/b.md": 2 * idfWord * tfnB / (1.2 + tfnB),
	}
	res := mustSearch(t, idx, Phrase{Terms: []string{"red", "fox"}}, SearchOptions{})
	for _, h := range res.Hits {
		if math.Abs(h.Score-want[h.Key]) > 1e-9 {
			t.Errorf("phrase: %s scored %.15f, reference %.15f", h.Key, h.Score, want[h.Key])
		}
	}
	if len(res.Hits) != 2 {
		t.Fatalf("phrase: %d hits", len(res.Hits))
	}
	// Restricted to the title, "fox" has df 1 and only b's title counts.
	res = mustSearch(t, idx, Term{Field: "title", Text: "fox", Exact: true}, SearchOptions{})
	idfTitle := math.Log(2) // N 2, df 1: ln(1 + (2-1+0.5)/(1+0.5))
	tfn := 3 * 1 / (0.25 + 0.75*2/avgTitle)
	if len(res.Hits) != 1 || math.Abs(res.Hits[0].Score-idfTitle*tfn/(1.2+tfn)) > 1e-9 {
		t.Fatalf("title:fox = %+v, want b with %.15f", res.Hits, idfTitle*tfn/(1.2+tfn))
	}
}
