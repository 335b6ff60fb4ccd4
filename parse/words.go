package parse

import (
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// textScanner counts words and control bytes in one pass; Parse feeds it
// the file in pieces (the binary-detection sample first, then the rest),
// which must be split at character boundaries.
//
// Words are counted the way a reader would: runs of non-space characters
// that hold at least one letter or digit (so "well-known" and "don't" are
// one word each, and markdown rules like "---" or "|" none). Chinese,
// Japanese and Korean are written without spaces, so each Han, Kana or
// Hangul character counts as a word of its own.
//
// Said differently, a word starts at each letter or digit whose nearest
// preceding character that is not a symbol is a space (or the start of the
// file). That form can be computed eight ASCII bytes at a time with integer
// arithmetic (SWAR), which matters: this loop touches every byte of every
// file, and byte at a time it cost more than SHA-256.
type textScanner struct {
	words int
	// afterSpace is 1 when the last character that was not a symbol was a
	// space (or a CJK character, or nothing yet), 0 after a letter or digit.
	afterSpace uint64
	controls   int
	started    bool
}

const (
	lsbs = 0x0101010101010101 // the lowest bit of every byte
	msbs = 0x8080808080808080 // the highest bit of every byte
)

// atLeast returns msbs masked to the bytes of x that are >= k; every byte of
// x must be ASCII (< 0x80) and k <= 0x80. Setting each byte's top bit before
// subtracting keeps borrows from crossing bytes.
func atLeast(x uint64, k byte) uint64 {
	return ((x | msbs) - uint64(k)*lsbs) & msbs
}

func (ts *textScanner) scan(b []byte) {
	if !ts.started {
		ts.started, ts.afterSpace = true, 1
	}
	words, afterSpace, controls := ts.words, ts.afterSpace, ts.controls
	i := 0
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		if x&msbs != 0 {
			// Some byte is not ASCII: go character by character up to
			// the end of this block (or the character straddling it).
			end := i + 8
			for i < end {
				i, words, afterSpace, controls = scanChar(b, i, words, afterSpace, controls)
			}
			continue
		}
		space := msbs &^ atLeast(x, '!') // bytes <= ' ' (controls count as space)
		folded := x | 0x2020202020202020 // upper case to lower case
		alnum := atLeast(folded, 'a')&^atLeast(folded, 'z'+1) | atLeast(x, '0')&^atLeast(x, '9'+1)

		// For every byte, is the nearest non-symbol at or before it a
		// space? A segmented prefix fill over the 8 bytes, then the
		// state carried from before the block where the block has none.
		known, fill := space|alnum, space
		fill |= fill << 8 &^ known
		known |= known << 8
		fill |= fill << 16 &^ known
		known |= known << 16
		fill |= fill << 32 &^ known
		known |= known << 32
		fill |= afterSpace * msbs &^ known
		before := fill<<8 | afterSpace<<7 // the same, just before each byte
		words += bits.OnesCount64(alnum & before)
		afterSpace = fill >> 63

		if low := msbs &^ atLeast(x, 0x20); low|atLeast(x, 0x7f) != 0 {
			textual := atLeast(x, '\t')&^atLeast(x, '\r'+1) | atLeast(x, 0x1b)&^atLeast(x, 0x1c)
			controls += bits.OnesCount64(low&^textual | atLeast(x, 0x7f))
		}
		i += 8
	}
	for i < len(b) {
		i, words, afterSpace, controls = scanChar(b, i, words, afterSpace, controls)
	}
	ts.words, ts.afterSpace, ts.controls = words, afterSpace, controls
}

// scanChar is the character-at-a-time version of scan's block step.
func scanChar(b []byte, i, words int, afterSpace uint64, controls int) (int, int, uint64, int) {
	c := b[i]
	if c < utf8.RuneSelf {
		switch {
		case c <= ' ':
			afterSpace = 1
			if isControl(c) {
				controls++
			}
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			words += int(afterSpace)
			afterSpace = 0
		case c == 0x7f:
			controls++
		}
		return i + 1, words, afterSpace, controls
	}
	r, size := utf8.DecodeRune(b[i:])
	switch {
	case isCJK(r):
		words++
		afterSpace = 1
	case isSpaceRune(r):
		afterSpace = 1
	case afterSpace == 1 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		words++
		afterSpace = 0
	}
	return i + size, words, afterSpace, controls
}

// total is the number of words scanned so far.
func (ts *textScanner) total() int { return ts.words }

// countWords counts the words in b (see textScanner).
func countWords(b []byte) int {
	var ts textScanner
	ts.scan(b)
	return ts.total()
}

// isCJK reports whether r is a Han, Hiragana, Katakana or Hangul character.
// The common blocks are tested first: translated documentation is full of
// them and the table lookup is several times slower.
func isCJK(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r >= 0x4E00 && r <= 0x9FFF, // CJK Unified Ideographs
		r >= 0x3041 && r <= 0x3096, // Hiragana
		r >= 0x30A1 && r <= 0x30FA, // Katakana
		r >= 0xAC00 && r <= 0xD7A3: // Hangul Syllables
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// isSpaceRune is unicode.IsSpace for runes outside ASCII, spelled out
// because it runs for every such rune.
func isSpaceRune(r rune) bool {
	switch r {
	case 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}
