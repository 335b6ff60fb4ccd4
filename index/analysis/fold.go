package analysis

import (
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Folding lower-cases and removes diacritics so that "Café", "cafe" and
// "CAFÉ" are one term. Diacritics are removed only for the alphabetic scripts
// where they are accents (Latin, Greek, Cyrillic, Armenian and Latin Extended
// Additional): in Japanese kana or Indic scripts the combining marks change
// the letter (デ is not テ), so those runes are only lower-cased.

// foldRanges are the rune ranges whose folded forms are precomputed (NFD,
// drop nonspacing marks, lower-case). Everything else is lower-cased only.
var foldRanges = [...][2]rune{{0x80, 0x530}, {0x1E00, 0x1F00}}

// foldTable maps a rune in foldRanges to its folded UTF-8 form. Built on
// first use (about a thousand runes) so that opening an index does not pay
// for it unless text with accents is analyzed.
var foldTable = sync.OnceValue(func() [][]string {
	tables := make([][]string, len(foldRanges))
	for i, rg := range foldRanges {
		t := make([]string, rg[1]-rg[0])
		var buf []byte
		for r := rg[0]; r < rg[1]; r++ {
			buf = buf[:0]
			for _, d := range norm.NFD.String(string(unicode.ToLower(r))) {
				if unicode.Is(unicode.Mn, d) {
					continue
				}
				buf = utf8.AppendRune(buf, unicode.ToLower(d))
			}
			t[r-rg[0]] = string(buf)
		}
		tables[i] = t
	}
	return tables
})

// isCombiningDiacritic reports the combining accents folding drops even when
// they come as separate runes (decomposed input).
func isCombiningDiacritic(r rune) bool { return r >= 0x300 && r < 0x370 }

// noCase reports runes of the CJK and Hangul blocks, which have no case
// and are not in foldRanges: folding keeps them as they are without
// unicode.ToLower's table search, which made up most of analyzing CJK
// text (TestNoCase checks every rune).
func noCase(r rune) bool {
	return r >= 0x2E80 && r < 0xA640 || r >= 0xAC00 && r < 0xD7A4
}

// asciiLower maps an ASCII byte to lower case.
func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// AppendFold appends the folded form of src to dst.
func AppendFold(dst, src []byte) []byte {
	// ASCII first, byte by byte into room made once; the rest from the
	// first byte that is not.
	n := len(dst)
	dst = slices.Grow(dst, len(src))[:n+len(src)]
	i := 0
	for ; i < len(src); i++ {
		c := src[i]
		if c >= utf8.RuneSelf {
			break
		}
		dst[n+i] = asciiLower(c)
	}
	dst = dst[:n+i]
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			dst = append(dst, asciiLower(c))
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		i += size
		dst = appendFoldRune(dst, r)
	}
	return dst
}

// Fold returns the folded form of s.
func Fold(s string) string { return string(AppendFold(nil, []byte(s))) }

func appendFoldRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return append(dst, asciiLower(byte(r)))
	}
	if isCombiningDiacritic(r) {
		return dst
	}
	if noCase(r) {
		return utf8.AppendRune(dst, r)
	}
	for i, rg := range foldRanges {
		if r >= rg[0] && r < rg[1] {
			return append(dst, foldTable()[i][r-rg[0]]...)
		}
	}
	return utf8.AppendRune(dst, unicode.ToLower(r))
}
