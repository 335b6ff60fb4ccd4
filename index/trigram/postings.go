package trigram

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// postingKind says how a posting list is represented.
type postingKind uint8

const (
	kindAbsent postingKind = iota // the trigram occurs in no document
	kindSingle                    // one document, held in posting.single
	kindVarint                    // delta-uvarint bytes (see reader.go)
	kindBitset                    // a bitset over document numbers
	kindSlice                     // a sorted []uint32 (the in-memory Builder)
)

// posting is one trigram's document list as found by a lookup, still in its
// stored form: evaluation decodes only as much as it needs.
type posting struct {
	kind   postingKind
	count  int
	single uint32
	data   []byte   // kindVarint, kindBitset
	docs   []uint32 // kindSlice
}

// appendVarintList encodes sorted, distinct docs: the first as a uvarint,
// each following one as a uvarint of its gap minus one.
func appendVarintList(dst []byte, docs []uint32) []byte {
	prev := uint32(0)
	for i, d := range docs {
		v := d
		if i > 0 {
			v = d - prev - 1
		}
		dst = binary.AppendUvarint(dst, uint64(v))
		prev = d
	}
	return dst
}

// varintListLen returns the encoded size of appendVarintList(nil, docs).
func varintListLen(docs []uint32) int {
	n, prev := 0, uint32(0)
	for i, d := range docs {
		v := d
		if i > 0 {
			v = d - prev - 1
		}
		n += uvarintLen(v)
		prev = d
	}
	return n
}

func uvarintLen(v uint32) int { return (bits.Len32(v|1) + 6) / 7 }

// appendBitset appends a bitset of size bytes with bit d set for each doc
// (bit d is bit d%8 of byte d/8).
func appendBitset(dst []byte, docs []uint32, size int) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, size)...)
	for _, d := range docs {
		dst[start+int(d>>3)] |= 1 << (d & 7)
	}
	return dst
}

// appendVarintBitset appends a bitset of size bytes with the bits of the
// documents of list, in appendVarintList's form, set: appendBitset without
// decoding into a slice first. Documents past the bitset are left out.
func appendVarintBitset(dst, list []byte, size int) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, size)...)
	bs := dst[start:]
	doc := ^uint32(0) // so that adding the first value plus one gives it
	var v uint32
	var shift uint
	for _, c := range list {
		v |= uint32(c&0x7f) << shift
		if c >= 0x80 {
			shift += 7
			continue
		}
		doc += v + 1
		if i := int(doc >> 3); i < len(bs) {
			bs[i] |= 1 << (doc & 7)
		}
		v, shift = 0, 0
	}
	return dst
}

// readUvarint32 decodes a uvarint that must fit in 32 bits from b[i:]. It
// returns the value and the index after it, or next < 0 when the bytes are
// truncated or the value overflows.
func readUvarint32(b []byte, i int) (v uint32, next int) {
	if i < len(b) && b[i] < 0x80 {
		return uint32(b[i]), i + 1
	}
	var x uint64
	for shift := uint(0); shift < 35; shift += 7 {
		if i >= len(b) {
			return 0, -1
		}
		c := b[i]
		i++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			if x > 1<<32-1 {
				return 0, -1
			}
			return uint32(x), i
		}
	}
	return 0, -1
}

// varintIter walks a delta-uvarint list. The lists a Reader hands out were
// validated by Open, so a decoding failure only ends the walk early.
type varintIter struct {
	data  []byte
	pos   int
	prev  uint32
	first bool
}

func newVarintIter(data []byte) varintIter { return varintIter{data: data, first: true} }

func (it *varintIter) next() (uint32, bool) {
	if it.pos >= len(it.data) {
		return 0, false
	}
	v, n := readUvarint32(it.data, it.pos)
	if n < 0 {
		it.pos = len(it.data)
		return 0, false
	}
	it.pos = n
	if !it.first {
		v += it.prev + 1
	}
	it.first = false
	it.prev = v
	return v, true
}

// decodeInto appends every document of p to dst.
func (p posting) decodeInto(dst []uint32) []uint32 {
	switch p.kind {
	case kindSingle:
		return append(dst, p.single)
	case kindSlice:
		return append(dst, p.docs...)
	case kindVarint:
		it := newVarintIter(p.data)
		for d, ok := it.next(); ok; d, ok = it.next() {
			dst = append(dst, d)
		}
	case kindBitset:
		for i := 0; i+8 <= len(p.data); i += 8 {
			w := binary.LittleEndian.Uint64(p.data[i:])
			for w != 0 {
				dst = append(dst, uint32(i*8+bits.TrailingZeros64(w)))
				w &= w - 1
			}
		}
		for i := len(p.data) &^ 7; i < len(p.data); i++ {
			for c := p.data[i]; c != 0; c &= c - 1 {
				dst = append(dst, uint32(i*8+bits.TrailingZeros8(c)))
			}
		}
	}
	return dst
}

// intersectInPlace keeps the documents of sorted cur that p contains,
// reusing cur's storage.
func (p posting) intersectInPlace(cur []uint32) []uint32 {
	w := 0
	switch p.kind {
	case kindAbsent:
		return cur[:0]
	case kindSingle:
		if _, ok := slices.BinarySearch(cur, p.single); ok {
			return append(cur[:0], p.single)
		}
		return cur[:0]
	case kindBitset:
		for _, d := range cur {
			if i := int(d >> 3); i < len(p.data) && p.data[i]&(1<<(d&7)) != 0 {
				cur[w] = d
				w++
			}
		}
	case kindVarint:
		it := newVarintIter(p.data)
		v, ok := it.next()
		for _, d := range cur {
			for ok && v < d {
				v, ok = it.next()
			}
			if !ok {
				break
			}
			if v == d {
				cur[w] = d
				w++
			}
		}
	case kindSlice:
		return intersectSorted(cur, p.docs)
	}
	return cur[:w]
}

// intersectSorted keeps the elements of sorted a that sorted b contains,
// reusing a's storage. It binary-searches b when b is much longer.
func intersectSorted(a, b []uint32) []uint32 {
	w := 0
	if len(b) > 16*len(a) {
		for _, d := range a {
			i, ok := slices.BinarySearch(b, d)
			if ok {
				a[w] = d
				w++
			}
			b = b[i:]
		}
		return a[:w]
	}
	j := 0
	for _, d := range a {
		for j < len(b) && b[j] < d {
			j++
		}
		if j == len(b) {
			break
		}
		if b[j] == d {
			a[w] = d
			w++
		}
	}
	return a[:w]
}

// unionSortedDocs appends the sorted union of sorted a and b to dst.
func unionSortedDocs(dst, a, b []uint32) []uint32 {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			dst = append(dst, a[i])
			i++
		case a[i] > b[j]:
			dst = append(dst, b[j])
			j++
		default:
			dst = append(dst, a[i])
			i++
			j++
		}
	}
	dst = append(dst, a[i:]...)
	return append(dst, b[j:]...)
}
