package trigram

import (
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPairFilterNext compares pairFilter.next and scan, whose vector and
// word scans test many starts at once, with a byte-by-byte scan, from every
// start of texts long enough for several vector blocks.
func TestPairFilterNext(t *testing.T) {
	withAndWithoutVector(func() { testPairFilterNext(t) })
}

// withAndWithoutVector runs f with the Go pair scan, then with the vector
// kernel when this machine has one.
func withAndWithoutVector(f func()) {
	saved := haveVectorPairs
	defer func() { haveVectorPairs = saved }()
	for _, vector := range []bool{false, true} {
		if vector && !saved {
			continue // no vector kernel on this machine
		}
		haveVectorPairs = vector
		f()
	}
}

func testPairFilterNext(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("aAbB_ \x83\xe3\xff")
	for i := range 3000 {
		// Half the texts are sparse, so that whole vector blocks pass
		// nothing before one does.
		text := make([]byte, rng.IntN(300))
		sparse := rng.IntN(2) == 0
		for j := range text {
			text[j] = alphabet[rng.IntN(len(alphabet))]
			if sparse && rng.IntN(20) != 0 {
				text[j] = 'z'
			}
		}
		var p pairFilter
		p.ok = true
		for k := range 2 {
			p.off[k] = rng.IntN(12)
			c := alphabet[rng.IntN(len(alphabet))]
			mask, value := byte(0), c
			if c|0x20 >= 'a' && c|0x20 <= 'b' && rng.IntN(2) == 0 {
				mask, value = 0x20, c|0x20
			}
			p.mask[k], p.value[k] = uint64(mask)*lowBits, uint64(value)*lowBits
		}
		p.span = max(p.off[0], p.off[1]) + 1
		accepts := func(st int) bool {
			for k := range 2 {
				if text[st+p.off[k]]|byte(p.mask[k]) != byte(p.value[k]) {
					return false
				}
			}
			return true
		}
		// scan tries the starts next would return, and stops at the
		// first that its verify (here: every third) accepts.
		verify := func(st int) (int, bool) { return st + 1, st%3 == 0 }
		want, wantScan := -1, -1
		for from := len(text); from >= 0; from-- {
			if from+p.span <= len(text) && accepts(from) {
				want = from
				if from%3 == 0 {
					wantScan = from
				}
			}
			if got := p.next(text, from); got != want {
				t.Fatalf("vector %v, case %d: next(%q, %d) with %+v = %d, want %d", haveVectorPairs, i, text, from, p, got, want)
			}
			st, end, ok := p.scan(text, from, verify)
			if !ok {
				st, end = -1, 0
			}
			if st != wantScan || (ok && end != st+1) {
				t.Fatalf("vector %v, case %d: scan(%q, %d) with %+v = %d, %d, %v, want %d", haveVectorPairs, i, text, from, p, st, end, ok, wantScan)
			}
		}
	}
}

// fillerPieces make up most of the long texts of
// TestFindSubstringLongRandom: prose, identifiers and kana, among which the
// pair filters' vector blocks run long before a case variant of another
// width (trickyPieces) turns up.
var fillerPieces = []string{
	"the ", "Tracer", "Provider ", "span", "Kind", "OTEL_EXPORTER_", "http.", "route ",
	"トレース", "の", "可观测性", "\n", "ok ", "mask ", "S", "k",
}

// TestFindSubstringLongRandom compares FindSubstring, ContainsSubstring and
// MatchLines with the (?i) regexp on texts long enough for the vector pair
// scan, with and without it.
func TestFindSubstringLongRandom(t *testing.T) {
	withAndWithoutVector(func() {
		vector := haveVectorPairs
		finderCache.Clear() // finders choose pairs by haveVectorPairs
		finderCacheLen.Store(0)
		rng := rand.New(rand.NewPCG(5, 6))
		for i := range 1500 {
			var text []byte
			for range 20 + rng.IntN(300) {
				if rng.IntN(40) == 0 {
					text = append(text, trickyPieces[rng.IntN(len(trickyPieces))]...)
				} else {
					text = append(text, fillerPieces[rng.IntN(len(fillerPieces))]...)
				}
			}
			pat := randomPattern(rng, text)
			if !utf8Valid(pat) || pat == "" {
				continue
			}
			re := substringRegexp(pat)
			want := bruteLines(re, text, 0)
			if diff := cmp.Diff(want, FindSubstring(text, pat, 0)); diff != "" {
				t.Fatalf("vector %v, case %d: FindSubstring(%q, %q) (-regexp +got):\n%s", vector, i, text, pat, diff)
			}
			if c := ContainsSubstring(text, pat); c != (len(want) > 0) {
				t.Fatalf("vector %v, case %d: ContainsSubstring(%q, %q) = %v", vector, i, text, pat, c)
			}
			_, pre, err := PlanRegexp(regexp.QuoteMeta(pat), true)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, MatchLines(pre, text, 0)); diff != "" {
				t.Fatalf("vector %v, case %d: MatchLines(%q, %q) (-regexp +got):\n%s", vector, i, text, pat, diff)
			}
			if m := MatchRegexp(pre, text); m != (len(want) > 0) {
				t.Fatalf("vector %v, case %d: MatchRegexp(%q, %q) = %v", vector, i, text, pat, m)
			}
		}
	})
	finderCache.Clear()
}
