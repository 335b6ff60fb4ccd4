package search

import (
	"encoding/binary"
	"math/bits"
)

// deadSet is the set of a unit's documents that stopped being live, with the
// summed field lengths of those documents (so that the live averages BM25
// needs are one subtraction away). It is immutable once published in a
// snapshot: writers clone it, change the clone and publish the clone.
type deadSet struct {
	bits   []uint64
	count  uint32
	lenSum [numTextFields]uint64
}

func (d *deadSet) has(doc uint32) bool {
	if d == nil {
		return false
	}
	w := doc >> 6
	return int(w) < len(d.bits) && d.bits[w]&(1<<(doc&63)) != 0
}

func (d *deadSet) clone() *deadSet {
	if d == nil {
		return &deadSet{}
	}
	c := *d
	c.bits = append([]uint64(nil), d.bits...)
	return &c
}

// add marks doc dead; norms holds the unit's field lengths. It reports
// false when the doc already was dead.
func (d *deadSet) add(doc uint32, norms []byte) bool {
	w := int(doc >> 6)
	for len(d.bits) <= w {
		d.bits = append(d.bits, 0)
	}
	if d.bits[w]&(1<<(doc&63)) != 0 {
		return false
	}
	d.bits[w] |= 1 << (doc & 63)
	d.count++
	for f := range numTextFields {
		d.lenSum[f] += uint64(fieldLen(norms, doc, f))
	}
	return true
}

// each calls fn for every dead doc in increasing order.
func (d *deadSet) each(fn func(doc uint32)) {
	if d == nil {
		return
	}
	for w, word := range d.bits {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			fn(uint32(w*64 + b))
			word &= word - 1
		}
	}
}

// normsEntrySize is the size of one document's field lengths: a uint32 per
// text field, little-endian. Head and segments store norms the same way.
const normsEntrySize = 4 * numTextFields

func fieldLen(norms []byte, doc uint32, f int) uint32 {
	off := int(doc)*normsEntrySize + 4*f
	if off+4 > len(norms) {
		return 0
	}
	return binary.LittleEndian.Uint32(norms[off:])
}
