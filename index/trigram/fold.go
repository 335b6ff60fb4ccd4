package trigram

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// asciiFold maps every byte below 0x80 to its folded form (A-Z to a-z).
// Bytes from 0x80 up start or continue multi-byte runes and are never looked
// up here.
var asciiFold = func() (t [128]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i + 'a' - 'A')
		}
	}
	return t
}()

// bmpFold holds foldRune for every rune of the Basic Multilingual Plane,
// where nearly all cased text lives. Walking a SimpleFold orbit costs a few
// table searches per rune; the table makes building over CJK or Cyrillic text
// as cheap as over ASCII. The smallest member of an orbit is never above the
// rune itself, so uint16 suffices. It is built on first use (128 KiB).
var bmpFold = sync.OnceValue(func() []uint16 {
	t := make([]uint16, 0x10000)
	for r := range t {
		t[r] = uint16(orbitCanon(rune(r)))
	}
	return t
})

// orbitCanon computes the canonical member of r's case-folding orbit: the
// smallest rune, with ASCII upper case replaced by lower case.
func orbitCanon(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if 'A' <= m && m <= 'Z' {
		m += 'a' - 'A'
	}
	return m
}

// foldRune returns the canonical case-folded form of r. Invalid runes
// (including utf8.RuneError from a bad byte) fold to utf8.RuneError.
func foldRune(r rune) rune {
	switch {
	case r < 0x80 && r >= 0:
		return rune(asciiFold[r])
	case r < 0x10000 && r >= 0:
		if 0xD800 <= r && r <= 0xDFFF {
			return utf8.RuneError
		}
		return rune(bmpFold()[r])
	case r <= unicode.MaxRune && r >= 0:
		return orbitCanon(r)
	}
	return utf8.RuneError
}

// appendFolded appends the folded UTF-8 form of text to dst.
func appendFolded(dst, text []byte) []byte {
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			dst = append(dst, asciiFold[c])
			i++
			continue
		}
		r, n := utf8.DecodeRune(text[i:])
		dst = utf8.AppendRune(dst, foldRune(r))
		i += n
	}
	return dst
}

// foldString returns the folded form of s.
func foldString(s string) string {
	return string(appendFolded(make([]byte, 0, len(s)), []byte(s)))
}

// foldedRunes returns the folded runes of s, decoding invalid bytes as
// utf8.RuneError like regexp does.
func foldedRunes(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, foldRune(r))
	}
	return out
}

// orbit returns every rune whose folded form is canon (canon must be a
// folded rune), canon first. For utf8.RuneError only the rune itself is
// returned: invalid bytes also fold to it, which callers handle
// separately. The result is shared and must not be modified.
func orbit(canon rune) []rune {
	if 0 <= canon && canon < utf8.RuneSelf {
		return asciiOrbits[canon]
	}
	out := []rune{canon}
	for f := unicode.SimpleFold(canon); f != canon; f = unicode.SimpleFold(f) {
		out = append(out, f)
	}
	return out
}

// asciiOrbits holds the orbits of the ASCII runes (k and s include the
// Kelvin sign and the long s).
var asciiOrbits = func() (t [utf8.RuneSelf][]rune) {
	for r := range t {
		t[r] = []rune{rune(r)}
		for f := unicode.SimpleFold(rune(r)); f != rune(r); f = unicode.SimpleFold(f) {
			t[r] = append(t[r], f)
		}
	}
	return t
}()
