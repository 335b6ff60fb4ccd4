package search

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blevesearch/vellum/levenshtein"
)

// osaDistance is the textbook optimal string alignment distance over
// runes.
func osaDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// typoDistanceRef is the reference for levQuery: the optimal string
// alignment distance, an edit of the first rune costing 1 like any other.
func typoDistanceRef(word, term string) int {
	return osaDistance(word, term)
}

func TestLevQueryDistance(t *testing.T) {
	tests := []struct {
		word, term string
		dist       int
		want       int // -1: not within dist
	}{
		{"kubernetes", "kubernetes", 2, 0},
		{"kuberentes", "kubernetes", 2, 1}, // transposition
		{"concurency", "concurrency", 1, 1},
		{"blockchian", "blockchain", 1, 1},
		{"zettelkastn", "zettelkasten", 2, 1},
		{"abcdef", "badcfe", 2, -1}, // three transpositions
		{"abcdef", "acbdfe", 2, 2},
		{"café", "cafe", 1, 1},
		{"可观测性", "可观性", 1, 1},
		{"quaternion", "question", 2, -1},
		{"cab", "abc", 2, 2},     // OSA 2 (no transposition then edit)
		{"cab", "abc", 1, -1},    //
		{"caxyz", "acxyz", 2, 1}, // a transposition of the first two runes
		{"caxyz", "acxyz", 1, 1},
		// An edit of the first letter costs 1 like any other.
		{"cubernetes", "kubernetes", 1, 1}, // substitution
		{"kubernetes", "cubernetes", 1, 1},
		{"kubernetes", "ubernetes", 1, 1},   // deletion
		{"ubernetes", "kubernetes", 1, 1},   // insertion
		{"ukbernetes", "kubernetes", 1, 1},  // transposition
		{"kubernetes", "ubernetess", 2, 2},  // first letter and another
		{"kubernetes", "xubernetess", 2, 2}, // likewise
		{"kubernetes", "xybernetes", 2, 2},  // the first two letters
		{"kubernetes", "xybernetess", 2, -1},
		{"xollector", "collector", 1, 1},
		{"ollector", "collector", 1, 1},
		{"kollector", "collector", 2, 1},
		{"xollectr", "collector", 1, -1},
		{"xollectr", "collector", 2, 2},
		{"pipelines", "piplines", 1, 1},
		{"exportr", "exporter", 1, 1},
		{"exportr", "export", 1, 1},
		{"exportr", "exports", 1, 1},
	}
	for _, tt := range tests {
		d, ok := newLevQuery(tt.word, tt.dist).distance([]byte(tt.term))
		if !ok {
			d = -1
		}
		if d != tt.want {
			t.Errorf("distance(%q, %q) within %d = %d, want %d", tt.word, tt.term, tt.dist, d, tt.want)
		}
	}
}

// randomWord draws a word from a small alphabet (so that near words are
// common) with some multi-byte runes.
func randomWord(rng *rand.Rand, maxLen int) string {
	alphabet := []rune("abcdeé可观")
	n := 1 + rng.IntN(maxLen)
	w := make([]rune, n)
	for i := range w {
		w[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(w)
}

// buildFST writes a vellum FST of the sorted keys, each valued by its
// index (as segments value terms by their postings offset).
func buildTestFST(t testing.TB, keys []string) []byte {
	var buf bytes.Buffer
	if err := buildFST(&buf, len(keys), func(i int) ([]byte, uint64) { return []byte(keys[i]), uint64(i) * 37 }); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLevQueryWalkMatchesReference: walking a random dictionary's FST
// finds exactly the words the reference distance accepts (vellum's
// Levenshtein automaton, the engine's former matcher, agrees with the
// reference on the distance itself), with their distances and values.
func TestLevQueryWalkMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	builders := map[int]*levenshtein.LevenshteinAutomatonBuilder{}
	for d := 1; d <= 2; d++ {
		b, err := levenshtein.NewLevenshteinAutomatonBuilder(uint8(d), true)
		if err != nil {
			t.Fatal(err)
		}
		builders[d] = b
	}
	for round := range 300 {
		set := map[string]bool{}
		for range 1 + rng.IntN(400) {
			set[randomWord(rng, 8)] = true
		}
		dict := slices.Sorted(maps.Keys(set))
		r, ok := newFSTReader(buildTestFST(t, dict))
		if !ok {
			t.Fatal("newFSTReader rejected a vellum FST")
		}
		word := randomWord(rng, 7)
		if rng.IntN(3) == 0 {
			word = dict[rng.IntN(len(dict))]
		}
		dist := 1 + rng.IntN(2)
		dfa, err := builders[dist].BuildDfa(word, uint8(dist))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, w := range dict {
			if d := typoDistanceRef(word, w); d <= dist {
				want[w] = d
			}
			ok, d := dfa.MatchAndDistance(w)
			if ok != (osaDistance(word, w) <= dist) || (ok && int(d) != osaDistance(word, w)) {
				t.Fatalf("vellum and the reference disagree on %q, %q: %v %d vs %d", word, w, ok, d, osaDistance(word, w))
			}
		}
		got := map[string]int{}
		lq := newLevQuery(word, dist)
		ok = lq.walkFST(&r, func(key []byte, d int, val uint64) bool {
			if i, _ := slices.BinarySearch(dict, string(key)); uint64(i)*37 != val {
				t.Fatalf("%q: value %d, want %d", key, val, uint64(i)*37)
			}
			got[string(key)] = d
			return true
		})
		if !ok {
			t.Fatal("walk reports a malformed FST")
		}
		if !maps.Equal(got, want) {
			t.Fatalf("round %d: %q within %d over %d words: walk found %v, want %v", round, word, dist, len(dict), got, want)
		}
		for _, w := range dict {
			d, ok := lq.distance([]byte(w))
			wd, wok := want[w]
			if ok != wok || (ok && d != wd) {
				t.Fatalf("distance(%q, %q) = %d, %v; want %d, %v", word, w, d, ok, wd, wok)
			}
		}
	}
}

// TestLevQueryWalkStops: the walk ends when fn returns false.
func TestLevQueryWalkStops(t *testing.T) {
	r, _ := newFSTReader(buildTestFST(t, []string{"aaa", "aab", "aac", "aad"}))
	n := 0
	if !newLevQuery("aaa", 1).walkFST(&r, func([]byte, int, uint64) bool { n++; return n < 2 }) || n != 2 {
		t.Fatalf("fn called %d times after returning false, want 2", n)
	}
}

// TestFuzzyOverCorpus: over a real dictionary, the segment's walk finds
// what vellum's automaton intersected with the FST finds.
func TestFuzzyOverCorpus(t *testing.T) {
	if raceEnabled {
		t.Skip("indexes a whole corpus: run without -race")
	}
	idx, _ := corpusIndex(t, "opentelemetry-docs")
	defer idx.Close()
	snap, err := idx.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer idx.releaseSnapshot(snap)
	seg := snap.views[0].seg
	for _, tc := range []struct {
		word string
		dist int
	}{{"exportr", 1}, {"kuberentes", 2}, {"instrumentaton", 2}, {"quaternion", 2}, {"propogation", 2}, {"metrics", 1}, {"可观", 1}, {"トレース", 2},
		{"xollector", 1}, {"ollector", 1}, {"cubernetes", 2}, {"rometheus", 1}, {"xpentelemetry", 2}} {
		b, err := levenshtein.NewLevenshteinAutomatonBuilder(uint8(tc.dist), true)
		if err != nil {
			t.Fatal(err)
		}
		dfa, err := b.BuildDfa(tc.word, uint8(tc.dist))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		seg.iterate(seg.textFST, "test", dfa, nil, nil, func(k []byte, _ uint64) bool {
			_, d := dfa.MatchAndDistance(string(k))
			if int(d) <= tc.dist {
				want[string(k)] = int(d)
			}
			return true
		})
		got := map[string]int{}
		seg.fuzzyText(newLevQuery(tc.word, tc.dist), func(term []byte, d int) bool {
			got[string(term)] = d
			return true
		})
		if !maps.Equal(got, want) {
			t.Errorf("%q within %d: walk %v, automaton %v", tc.word, tc.dist, got, want)
		}
		if tc.word != "quaternion" && len(want) == 0 {
			t.Errorf("%q: nothing within %d in the corpus; the test checks nothing", tc.word, tc.dist)
		}
	}
	if c := seg.corrupt.Load(); c != nil {
		t.Fatal(c)
	}
}

func BenchmarkLevQueryWalk(b *testing.B) {
	idx, _ := corpusIndex(b, "opentelemetry-docs")
	defer idx.Close()
	snap, err := idx.acquire()
	if err != nil {
		b.Fatal(err)
	}
	defer idx.releaseSnapshot(snap)
	seg := snap.views[0].seg
	for _, tc := range []struct {
		word string
		dist int
	}{{"exportr", 1}, {"quaternion", 2}, {"instrumentaton", 2}} {
		b.Run(fmt.Sprintf("%s-%d", tc.word, tc.dist), func(b *testing.B) {
			for b.Loop() {
				seg.fuzzyText(newLevQuery(tc.word, tc.dist), func([]byte, int) bool { return true })
			}
		})
	}
}
