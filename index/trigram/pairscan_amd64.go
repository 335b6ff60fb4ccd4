//go:build amd64 && !purego

package trigram

import "golang.org/x/sys/cpu"

// haveVectorPairs: pairFilter.blocks has a vector kernel here.
var haveVectorPairs = cpu.X86.HasAVX2

// pairMaskAVX2 is in pairscan_amd64.s.
//
//go:noescape
func pairMaskAVX2(p0, p1 *byte, n int, m0, v0, m1, v1 byte) (block int, mask uint32)

// blocks tests the starts [from, from+n&^31) of text 32 at a time,
// returning the first block (its first start) holding starts that both
// lanes accept and the mask of those starts (bit j: start block+j); or, when
// there is none, block -1 and where the blocks end. Without AVX2 it tests
// nothing and returns (-1, 0, from). The caller makes sure text holds every
// byte the blocks read: from+n <= len(text)-p.span+1.
func (p *pairFilter) blocks(text []byte, from, n int) (block int, mask uint32, end int) {
	if !haveVectorPairs || n < pairBlock {
		return -1, 0, from
	}
	k, mask := pairMaskAVX2(&text[from+p.off[0]], &text[from+p.off[1]], n,
		byte(p.mask[0]), byte(p.value[0]), byte(p.mask[1]), byte(p.value[1]))
	if k >= 0 {
		return from + k, mask, 0
	}
	return -1, 0, from + n&^(pairBlock-1)
}
