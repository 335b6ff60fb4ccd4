package analysis

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// slowIsCJK is isCJK without its fast path: the script tables alone.
func slowIsCJK(r rune) bool {
	return r >= 0x1100 && (r == 0x30FC || r == 0x3005 ||
		unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r))
}

// TestIsCJKFastPath: the block ranges isCJK answers first agree with the
// script tables on every rune.
func TestIsCJKFastPath(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := isCJK(r), slowIsCJK(r); got != want {
			t.Fatalf("isCJK(%U) = %v, the tables say %v", r, got, want)
		}
	}
}

// TestNoCase: folding a rune noCase reports gives the rune itself, as the
// general path (lower-casing) would.
func TestNoCase(t *testing.T) {
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if !noCase(r) {
			continue
		}
		if unicode.ToLower(r) != r || isCombiningDiacritic(r) {
			t.Fatalf("noCase(%U) but folding changes it", r)
		}
		for _, rg := range foldRanges {
			if r >= rg[0] && r < rg[1] {
				t.Fatalf("noCase(%U) is in the fold table range %U-%U", r, rg[0], rg[1])
			}
		}
		if got := appendFoldRune(nil, r); string(got) != string(utf8.AppendRune(nil, r)) {
			t.Fatalf("appendFoldRune(%U) = %q", r, got)
		}
	}
}
