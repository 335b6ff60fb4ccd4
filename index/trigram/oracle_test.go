package trigram

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// This file holds the brute-force oracles the randomized tests compare
// with, and generators of texts and patterns that hit the awkward cases:
// letters whose case variants differ in UTF-8 length (k and the Kelvin
// sign, s and the long s, ß and ẞ), caseless CJK, invalid bytes, newlines.

// docTrigrams returns the set of trigrams of the folded text.
func docTrigrams(text []byte) map[string]bool {
	f := appendFolded(nil, text)
	set := make(map[string]bool)
	for i := 0; i+3 <= len(f); i++ {
		set[string(f[i:i+3])] = true
	}
	return set
}

// satisfies evaluates q on one document's trigram set, the definition the
// index implements.
func satisfies(q *Query, has map[string]bool) bool {
	switch q.Op {
	case QNone:
		return false
	case QAnd:
		for _, t := range q.Trigram {
			if len(t) == 3 && !has[t] {
				return false
			}
		}
		for _, s := range q.Sub {
			if !satisfies(s, has) {
				return false
			}
		}
		return true
	case QOr:
		for _, t := range q.Trigram {
			if len(t) != 3 || has[t] {
				return true
			}
		}
		for _, s := range q.Sub {
			if satisfies(s, has) {
				return true
			}
		}
		return false
	}
	return true
}

// bruteLines reports the matches of re in text the way MatchLines and
// FindSubstring promise to: regexp.FindAllIndex over the whole text, each
// match on the line where it starts.
func bruteLines(re *regexp.Regexp, text []byte, max int) []LineMatch {
	n := max
	if n < 1 {
		n = -1
	}
	var out []LineMatch
	for _, m := range re.FindAllIndex(text, n) {
		ls := strings.LastIndexByte(string(text[:m[0]]), '\n') + 1
		le := len(text)
		if i := strings.IndexByte(string(text[m[0]:]), '\n'); i >= 0 {
			le = m[0] + i
		}
		out = append(out, LineMatch{
			Line:   strings.Count(string(text[:m[0]]), "\n") + 1,
			Column: m[0] - ls + 1,
			Text:   string(text[ls:le]),
			Start:  m[0] - ls,
			End:    min(m[1], le) - ls,
		})
	}
	return out
}

// substringRegexp is the regexp FindSubstring must agree with.
func substringRegexp(s string) *regexp.Regexp {
	return regexp.MustCompile("(?i)" + regexp.QuoteMeta(s))
}

// trickyPieces are the building blocks of generated texts.
var trickyPieces = []string{
	"a", "b", "c", "e", "k", "K", "\u212a", "s", "S", "\u017f", "ß", "ẞ",
	"é", "É", "σ", "ς", "Σ", "ト", "レ", "ー", "ス", "可", "观", "_", ".", " ",
	"\n", "\r\n", "\xff", "\xe3\x83", "ab", "abc", "kelvin", "Straße",
	"OTEL_", "トレース", "\ufffd",
}

// randomText returns a text of about n pieces.
func randomText(rng *rand.Rand, n int) []byte {
	var b []byte
	for range n {
		b = append(b, trickyPieces[rng.IntN(len(trickyPieces))]...)
	}
	return b
}

// randomPattern returns a substring of text (starting and ending on rune
// boundaries, case changed at random) or, sometimes, a random text.
func randomPattern(rng *rand.Rand, text []byte) string {
	runes := []rune(string(text))
	if len(runes) == 0 || rng.IntN(8) == 0 {
		return string(randomText(rng, 1+rng.IntN(3)))
	}
	i := rng.IntN(len(runes))
	j := min(len(runes), i+1+rng.IntN(8))
	p := runes[i:j]
	for k, r := range p {
		switch rng.IntN(3) {
		case 0:
			p[k] = []rune(strings.ToUpper(string(r)))[0]
		case 1:
			p[k] = []rune(strings.ToLower(string(r)))[0]
		}
	}
	return string(p)
}

// randomRegexp builds an expression from pieces of the text: literals (some
// quoted, some case-changed), classes, alternations, repetitions, .* and
// anchors.
func randomRegexp(rng *rand.Rand, text []byte, depth int) string {
	lit := func() string { return regexp.QuoteMeta(randomPattern(rng, text)) }
	if depth <= 0 {
		return lit()
	}
	sub := func() string { return randomRegexp(rng, text, depth-1) }
	switch rng.IntN(11) {
	case 0:
		return sub() + sub()
	case 1:
		return "(" + sub() + "|" + sub() + ")"
	case 2:
		return sub() + ".*" + sub()
	case 3:
		return "^" + sub()
	case 4:
		return sub() + "$"
	case 5:
		return "(?:" + sub() + ")+"
	case 6:
		return sub() + "?" + lit()
	case 7:
		return "[" + regexp.QuoteMeta(randomPattern(rng, text)) + "]" + sub()
	case 8:
		return sub() + `\w*` + sub()
	case 9:
		return `\b` + sub()
	}
	return lit()
}

// checkCandidates compares what a Builder or Reader returns for q with the
// reference definition, and checks it contains every document re matches
// (a document may have been added in several parts).
func checkCandidates(t *testing.T, what string, got *roaring.Bitmap, q *Query, re *regexp.Regexp, parts [][][]byte, trigrams []map[string]bool) {
	t.Helper()
	var want []uint32
	for d := range parts {
		if len(parts[d]) > 0 && satisfies(q, trigrams[d]) {
			want = append(want, uint32(d))
		}
	}
	if diff := cmp.Diff(want, got.ToArray(), cmpEmptySlices); diff != "" {
		t.Fatalf("%s: Candidates(%s) differs from the reference (-want +got):\n%s", what, q, diff)
	}
	for d := range parts {
		for _, text := range parts[d] {
			if re.Match(text) && !slices.Contains(want, uint32(d)) {
				t.Fatalf("%s: query %s for %q excludes document %d, which matches", what, q, re, d)
			}
		}
	}
}

var cmpEmptySlices = cmpopts.EquateEmpty()
