package trigram

import (
	"encoding/binary"
	"math/bits"
)

// pairFilter finds the starts where two bytes of the pattern, at fixed
// offsets from the start, are both present, testing 32 starts per step
// with AVX2 (see blocks) or else eight with word-wide arithmetic. When the
// pattern's rarest byte is still common (every letter of "TracerProvider"
// is), one IndexByte call per hit costs more than this steady scan, and
// two bytes together are rare enough that almost every start it reports is
// a match.
//
// A lane accepts text byte b when b|mask == value: mask 0 for one exact
// byte, 0x20 for two bytes that differ only in that bit (an ASCII letter
// and its capital).
type pairFilter struct {
	off         [2]int    // offsets from the match start
	mask, value [2]uint64 // the lane's mask and value in every byte
	span        int       // max(off)+1: bytes a start needs
	ok          bool
}

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
	// pairThreshold: use the word-wide pair filter when the best single
	// anchor is expected to hit more often than this per byte. At about 40
	// cycles per IndexByte hit against a third of a cycle per byte for the
	// pair scan, the two break even near one hit in a hundred bytes. The
	// vector kernel (see blocks) scans 23 to 35 bytes per nanosecond on the
	// 2-core Xeon of BENCHMARKS.md, the word-wide scan 5 (BenchmarkPairScan
	// on 1 MiB and 16 KiB), close to IndexByte between hits, so with it the
	// pair filter is used whenever there is one.
	pairThreshold = 0.006
	// pairMinDistance: see newPairFilter.
	pairMinDistance = 3
	// pairBlock is the number of starts a vector kernel (see blocks) tests
	// at a time.
	pairBlock = 32
)

// lane returns the mask and value accepting exactly the bytes of set, or
// false when no single lane does.
func lane(set []byte) (mask, value byte, ok bool) {
	switch {
	case len(set) == 1:
		return 0, set[0], true
	case len(set) == 2 && set[0]^set[1] == 0x20:
		return 0x20, set[0] | 0x20, true
	}
	return 0, 0, false
}

// newPairFilter picks the rarest anchor at a fixed offset whose bytes a
// lane can test, and a second one as rare as possible at least
// pairMinDistance bytes away: neighbouring letters come in common pairs
// ("ov" of every "Provider"), distant ones are closer to independent.
func newPairFilter(anchors []anchor) pairFilter {
	type cand struct {
		off         int
		mask, value byte
	}
	var cs []cand // rarest first
	for _, a := range anchors {
		if mask, value, ok := lane(a.bytes); ok && a.fixedBefore {
			cs = append(cs, cand{a.before + a.inRune, mask, value})
		}
	}
	if len(cs) < 2 {
		return pairFilter{}
	}
	second := -1
	for i, c := range cs[1:] {
		d := c.off - cs[0].off
		if d >= pairMinDistance || -d >= pairMinDistance {
			second = i + 1
			break
		}
		if second < 0 && c.off != cs[0].off {
			second = i + 1 // the fallback: the rarest at any other offset
		}
	}
	if second < 0 {
		return pairFilter{}
	}
	p := pairFilter{ok: true}
	for k, c := range []cand{cs[0], cs[second]} {
		p.off[k], p.mask[k], p.value[k] = c.off, uint64(c.mask)*lowBits, uint64(c.value)*lowBits
	}
	p.span = max(p.off[0], p.off[1]) + 1
	return p
}

// next returns the first start at or after from where both bytes match, or
// -1.
func (p *pairFilter) next(text []byte, from int) int {
	i := from
	if n := len(text) - p.span + 1 - i; n > 0 {
		block, mask, end := p.blocks(text, i, n)
		if block >= 0 {
			return block + bits.TrailingZeros32(mask)
		}
		i = end
	}
	if n := len(text) - p.span - 7; i < n {
		t0, t1 := text[p.off[0]:], text[p.off[1]:]
		m0, v0, m1, v1 := p.mask[0], p.value[0], p.mask[1], p.value[1]
		for ; i < n; i += 8 {
			a := (binary.LittleEndian.Uint64(t0[i:i+8]) | m0) ^ v0
			b := (binary.LittleEndian.Uint64(t1[i:i+8]) | m1) ^ v1
			x := a | b // a zero byte where both lanes match
			// The lowest zero byte of x is flagged exactly; flags above it
			// may be false, and the scan resumes after the start returned.
			if t := (x - lowBits) &^ x & highBits; t != 0 {
				return i + bits.TrailingZeros64(t)/8
			}
		}
	}
	m0, v0, m1, v1 := byte(p.mask[0]), byte(p.value[0]), byte(p.mask[1]), byte(p.value[1])
	for ; i+p.span <= len(text); i++ {
		if text[i+p.off[0]]|m0 == v0 && text[i+p.off[1]]|m1 == v1 {
			return i
		}
	}
	return -1
}

// scan returns the first start at or after from that the pair filter
// and then verify accept.
//
// The starts of a vector block that pass are tried from its mask: where
// the pattern's bytes are common in the text (every "Provider" passes the
// filter of "TracerProvider"), a call per start would cost more than the
// scan.
func (p *pairFilter) scan(text []byte, from int, verify func(st int) (int, bool)) (start, end int, ok bool) {
	for n := len(text) - p.span + 1; from < n; {
		block, mask, blocksEnd := p.blocks(text, from, n-from)
		if block < 0 {
			from = blocksEnd
			break
		}
		for ; mask != 0; mask &= mask - 1 {
			st := block + bits.TrailingZeros32(mask)
			if end, ok := verify(st); ok {
				return st, end, true
			}
		}
		from = block + pairBlock
	}
	for st := p.next(text, from); st >= 0; st = p.next(text, st+1) {
		if end, ok := verify(st); ok {
			return st, end, true
		}
	}
	return 0, 0, false
}
