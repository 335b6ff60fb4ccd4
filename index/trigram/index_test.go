package trigram

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/google/go-cmp/cmp"
)

// randomQuery returns a query planned from a random substring or regexp of
// one of the documents, with the regexp every match must satisfy.
func randomQuery(t *testing.T, rng *rand.Rand, docs [][]byte) (*Query, *regexp.Regexp) {
	t.Helper()
	src := docs[rng.IntN(len(docs))]
	for {
		if rng.IntN(2) == 0 {
			s := randomPattern(rng, src)
			if s == "" || !utf8Valid(s) {
				continue
			}
			return PlanSubstring(s), substringRegexp(s)
		}
		q, re, err := PlanRegexp(randomRegexp(rng, src, rng.IntN(3)), rng.IntN(2) == 0)
		if err == nil {
			return q, re
		}
	}
}

// TestCandidatesRandom adds generated documents in random order (with gaps
// in the numbering, and some added in several parts), querying the Builder
// between adds and the Reader of its section at the end. Candidates must
// equal the reference evaluation of the query on each document's trigrams,
// contain every document the pattern matches, and be the same from both.
func TestCandidatesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 40 {
		n := 1 + rng.IntN(60)
		parts := make([][][]byte, n) // texts added per document
		trigrams := make([]map[string]bool, n)
		for i := range trigrams {
			trigrams[i] = map[string]bool{}
		}
		var all [][]byte // every text, to draw patterns from
		b := NewBuilder()
		add := func(d int, text []byte) {
			parts[d] = append(parts[d], text)
			all = append(all, text)
			for tr := range docTrigrams(text) {
				trigrams[d][tr] = true
			}
			b.Add(uint32(d), text)
		}
		for step, d := range rng.Perm(n) {
			if rng.IntN(5) == 0 {
				continue // a gap: never added
			}
			add(d, randomText(rng, rng.IntN(30)))
			if rng.IntN(4) == 0 { // more text for some document
				add(rng.IntN(n), randomText(rng, rng.IntN(10)))
			}
			if step%7 == 0 {
				q, re := randomQuery(t, rng, all)
				checkCandidates(t, "builder", b.Candidates(q), q, re, parts, trigrams)
			}
		}
		if len(all) == 0 {
			continue
		}
		added := roaring.New()
		for d := range parts {
			if len(parts[d]) > 0 {
				added.Add(uint32(d))
			}
		}
		r, err := Open(writeSection(t, b))
		if err != nil {
			t.Fatalf("round %d: Open: %v", round, err)
		}
		if !r.Candidates(allQuery).Equals(added) || !b.Candidates(allQuery).Equals(added) {
			t.Fatalf("round %d: All query does not return exactly the added documents", round)
		}
		for range 30 {
			q, re := randomQuery(t, rng, all)
			got := r.Candidates(q)
			checkCandidates(t, "reader", got, q, re, parts, trigrams)
			if want := b.Candidates(q); !got.Equals(want) {
				t.Fatalf("round %d: Reader.Candidates(%s) = %v, Builder's = %v", round, q, got.ToArray(), want.ToArray())
			}
		}
	}
}

// TestHandBuiltQueries checks operators and shapes the planner never
// produces but a caller may build: nil, unknown operators, trigrams that
// are not three bytes, empty And and Or.
func TestHandBuiltQueries(t *testing.T) {
	docs := []string{"alpha beta", "gamma delta", "alphabet"}
	b := NewBuilder()
	for i, d := range docs {
		b.Add(uint32(i), []byte(d))
	}
	r, err := Open(writeSection(t, b))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    *Query
		want []uint32
	}{
		{"nil", nil, []uint32{0, 1, 2}},
		{"all", &Query{Op: QAll}, []uint32{0, 1, 2}},
		{"none", &Query{Op: QNone}, nil},
		{"unknown op", &Query{Op: QueryOp(42)}, []uint32{0, 1, 2}},
		{"empty and", &Query{Op: QAnd}, []uint32{0, 1, 2}},
		{"empty or", &Query{Op: QOr}, nil},
		{"and", &Query{Op: QAnd, Trigram: []string{"alp", "bet"}}, []uint32{0, 2}},
		{"and unsorted", &Query{Op: QAnd, Trigram: []string{"bet", "alp", "a b"}}, []uint32{0}},
		{"and absent", &Query{Op: QAnd, Trigram: []string{"alp", "zzz"}}, nil},
		{"and short trigram ignored", &Query{Op: QAnd, Trigram: []string{"al", "gam"}}, []uint32{1}},
		{"or", &Query{Op: QOr, Trigram: []string{"gam", "bet"}}, []uint32{0, 1, 2}},
		{"or long trigram is unknown", &Query{Op: QOr, Trigram: []string{"gamm"}}, []uint32{0, 1, 2}},
		{"or absent", &Query{Op: QOr, Trigram: []string{"zzz", "yyy"}}, nil},
		{"nested", &Query{Op: QAnd, Trigram: []string{"alp"}, Sub: []*Query{
			{Op: QOr, Trigram: []string{"a b", "bet"}},
			{Op: QOr, Sub: []*Query{{Op: QAnd, Trigram: []string{"het", "abe"}}, {Op: QAll}}},
		}}, []uint32{0, 2}},
		{"or of and", &Query{Op: QOr, Sub: []*Query{
			{Op: QAnd, Trigram: []string{"gam", "del"}},
			{Op: QAnd, Trigram: []string{"hab"}},
		}}, []uint32{1, 2}},
	}
	for _, tt := range tests {
		for name, got := range map[string]*roaring.Bitmap{"builder": b.Candidates(tt.q), "reader": r.Candidates(tt.q)} {
			if diff := cmp.Diff(tt.want, got.ToArray(), cmpEmptySlices); diff != "" {
				t.Errorf("%s: %s.Candidates(%s) (-want +got):\n%s", tt.name, name, tt.q, diff)
			}
		}
	}
}

// TestCorpora builds over the real corpora and checks random substrings
// (CJK and case-changed ones included) and regexps built from them: the
// candidates contain every matching document, and verifying the
// candidates gives exactly the documents brute force finds.
func TestCorpora(t *testing.T) {
	for _, name := range corpusNames {
		t.Run(name, func(t *testing.T) {
			if testing.Short() && name != corpusNames[0] {
				t.Skip("-short: the first corpus only")
			}
			c := loadCorpus(t, name)
			b := c.build()
			r, err := Open(writeSection(t, b))
			if err != nil {
				t.Fatal(err)
			}
			folded := make([][]byte, len(c.docs))
			for i, d := range c.docs {
				folded[i] = appendFolded(nil, d)
			}
			rng := rand.New(rand.NewPCG(7, uint64(len(c.docs))))
			patterns := append([]string(nil), c.substringQueries()...)
			nPatterns, nRegexps := 60, 12
			if testing.Short() {
				nPatterns, nRegexps = 20, 4
			}
			for len(patterns) < nPatterns {
				patterns = append(patterns, corpusPattern(rng, c.docs))
			}
			for _, s := range patterns {
				want := roaring.New()
				fs := appendFolded(nil, []byte(s))
				for d := range folded {
					if bytes.Contains(folded[d], fs) {
						want.Add(uint32(d))
					}
				}
				checkVerified(t, r, PlanSubstring(s), want, func(d uint32) bool {
					found := len(FindSubstring(c.docs[d], s, 1)) > 0
					if ContainsSubstring(c.docs[d], s) != found {
						t.Fatalf("%q in document %d: ContainsSubstring and FindSubstring disagree", s, d)
					}
					return found
				}, s)
			}
			for i := range nRegexps {
				expr := regexp.QuoteMeta(corpusPattern(rng, c.docs))
				switch i % 4 {
				case 1:
					expr = expr + `\w*`
				case 2:
					expr = `(` + expr + `|` + regexp.QuoteMeta(corpusPattern(rng, c.docs)) + `)`
				case 3:
					expr = `^\s*` + expr + `.*` + regexp.QuoteMeta(corpusPattern(rng, c.docs))
				}
				q, re, err := PlanRegexp(expr, i%2 == 0)
				if err != nil {
					t.Fatalf("PlanRegexp(%q): %v", expr, err)
				}
				want := roaring.New()
				for d, text := range c.docs {
					if re.Match(text) {
						want.Add(uint32(d))
					}
				}
				checkVerified(t, r, q, want, func(d uint32) bool {
					found := len(MatchLines(re, c.docs[d], 1)) > 0
					if MatchRegexp(re, c.docs[d]) != found {
						t.Fatalf("%q in document %d: MatchRegexp and MatchLines disagree", expr, d)
					}
					return found
				}, expr)
			}
		})
	}
}

// checkVerified checks candidates ⊇ want and verified candidates == want.
func checkVerified(t *testing.T, r *Reader, q *Query, want *roaring.Bitmap, verify func(uint32) bool, pattern string) {
	t.Helper()
	cand := r.Candidates(q)
	if missing := roaring.AndNot(want, cand); !missing.IsEmpty() {
		t.Fatalf("%q: candidates miss matching documents %v (query %s)", pattern, missing.ToArray(), q)
	}
	got := roaring.New()
	for it := cand.Iterator(); it.HasNext(); {
		if d := it.Next(); verify(d) {
			got.Add(d)
		}
	}
	if !got.Equals(want) {
		t.Fatalf("%q: verified %v, brute force %v", pattern, got.ToArray(), want.ToArray())
	}
}

// corpusPattern draws a substring of a document, changing its case at
// random, on rune boundaries.
func corpusPattern(rng *rand.Rand, docs [][]byte) string {
	for {
		d := docs[rng.IntN(len(docs))]
		runes := []rune(string(d))
		if len(runes) < 8 {
			continue
		}
		i := rng.IntN(len(runes) - 4)
		p := runes[i:min(len(runes), i+3+rng.IntN(12))]
		if slices.Contains(p, '\n') || slices.Contains(p, 0xFFFD) {
			continue
		}
		s := string(p)
		switch rng.IntN(3) {
		case 0:
			s = string(bytes.ToUpper([]byte(s)))
		case 1:
			s = string(bytes.ToLower([]byte(s)))
		}
		return s
	}
}

// TestConcurrentQueries runs queries on one Reader and one Builder from
// several goroutines (run with -race).
func TestConcurrentQueries(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	var docs [][]byte
	b := NewBuilder()
	for i := range 50 {
		docs = append(docs, randomText(rng, 40))
		b.Add(uint32(i), docs[i])
	}
	r, err := Open(writeSection(t, b))
	if err != nil {
		t.Fatal(err)
	}
	var queries []*Query
	for range 20 {
		q, _ := randomQuery(t, rng, docs)
		queries = append(queries, q)
	}
	want := make([]*roaring.Bitmap, len(queries))
	for i, q := range queries {
		want[i] = r.Candidates(q)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := (i + g) % len(queries)
				if got := r.Candidates(queries[k]); !got.Equals(want[k]) {
					t.Errorf("reader: concurrent query %s differs", queries[k])
				}
				if got := b.Candidates(queries[k]); !got.Equals(want[k]) {
					t.Errorf("builder: concurrent query %s differs", queries[k])
				}
				FindSubstring(docs[k], "abc", 2)
			}
		})
	}
	wg.Wait()
}
