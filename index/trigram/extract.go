package trigram

import (
	"math/bits"
	"unicode/utf8"
)

// Extractor takes a text's distinct trigrams apart from any Builder, so that
// the per-byte work of indexing (folding, hashing every position) can run
// on many goroutines while one Builder takes the much shorter lists with
// AddKeys. An Extractor is reused from text to text and is not safe for
// concurrent use.
type Extractor struct {
	// set is an open-addressing table of key+1 (0: empty), sized to the
	// text: small enough to stay in cache, unlike a Builder's.
	set []uint32
}

// Keys appends to dst the distinct trigram keys of text (folded as Add
// folds them), in order of first occurrence.
func (e *Extractor) Keys(dst []uint32, text []byte) []uint32 {
	// Sized for a text with as many distinct trigrams as bytes, up to 8K
	// (texts have far fewer: a 200 KB document may have 20K); it grows.
	n := 64
	if len(text) > n/2 {
		n = 1 << bits.Len(uint(min(2*len(text), 1<<14)-1))
	}
	if cap(e.set) < n {
		e.set = make([]uint32, n)
	} else {
		e.set = e.set[:n]
		clear(e.set)
	}
	shift := uint(32 - bits.Len(uint(n-1)))
	start := len(dst)
	add := func(key uint32) {
		// Invalid UTF-8 folds to U+FFFD, three bytes for one: a text can
		// have more trigrams than bytes, so the table grows when half full.
		if 2*(len(dst)-start+1) > len(e.set) {
			e.set = make([]uint32, 2*len(e.set))
			shift--
			for _, k := range dst[start:] {
				e.insert(k, shift)
			}
		}
		if e.insert(key, shift) {
			dst = append(dst, key)
		}
	}
	var key uint32
	count := 0
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			key = (key<<8 | uint32(asciiFold[c])) & 0xFFFFFF
			i++
			if count++; count >= 3 {
				add(key)
			}
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		i += size
		for _, fc := range utf8.AppendRune(buf[:0], foldRune(r)) {
			key = (key<<8 | uint32(fc)) & 0xFFFFFF
			if count++; count >= 3 {
				add(key)
			}
		}
	}
	if len(e.set) > 1<<17 {
		e.set = nil // a huge text's table is not kept
	}
	return dst
}

// insert adds key to the set, reporting whether it was new.
func (e *Extractor) insert(key uint32, shift uint) bool {
	mask := len(e.set) - 1
	i := int((key * 0x9E3779B1) >> shift)
	for {
		switch e.set[i] {
		case key + 1:
			return false
		case 0:
			e.set[i] = key + 1
			return true
		}
		i = (i + 1) & mask
	}
}
