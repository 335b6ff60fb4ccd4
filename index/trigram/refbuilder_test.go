package trigram

// This file keeps the Builder as it was before its lists moved into a
// shared slab of chained slices: refBuilder, the reference model the
// Builder's sections are compared with byte for byte (TestBuilderMatchesReference).

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
)

// refBuilder is the former Builder: a hash table of slots pointing at list
// headers, each list a separately allocated, append-doubled []byte.
type refBuilder struct {
	// slots is an open-addressing hash table from trigram key to its refList,
	// probed once per byte of text by Add (15M times for 15 MB), once per
	// distinct trigram of a document by AddKeys. With a Go map in its place
	// building over opentelemetry-docs took 315 ms of CPU instead of 242 ms.
	slots []refSlot
	shift uint // 32 - log2(len(slots))
	used  int

	keys  []uint32  // trigram key of each refList, by refList number
	lists []refList // documents of each refList
	docs  *roaring.Bitmap
	pairs int // total postings, for sizing
	size  int // bytes held by the lists' encodings
}

// refList is one trigram's documents in the section's varint form (the first
// document, then each gap minus one, as uvarints), so that the lists take
// about a byte per posting instead of four and are written out as they
// are. Documents added in increasing order append; an older one (adding a
// document again) re-encodes the refList.
type refList struct {
	data  []byte
	count uint32
	last  uint32 // largest document
}

// refSlot is a hash table refSlot; key1 == 0 marks it empty.
type refSlot struct {
	key1    uint32 // trigram key + 1
	refList uint32 // index into keys and lists
}

// newRefBuilder returns an empty refBuilder.
func newRefBuilder() *refBuilder {
	b := &refBuilder{docs: roaring.New()}
	b.resize(1 << 12)
	return b
}

func (b *refBuilder) resize(n int) {
	old := b.slots
	b.slots = make([]refSlot, n)
	b.shift = uint(32 - bits.Len(uint(n-1)))
	for _, s := range old {
		if s.key1 != 0 {
			b.slots[b.find(s.key1-1)] = s
		}
	}
}

// find returns the refSlot index holding key, or the empty refSlot where it
// belongs.
func (b *refBuilder) find(key uint32) int {
	mask := len(b.slots) - 1
	i := int((key * 0x9E3779B1) >> b.shift)
	for {
		s := &b.slots[i]
		if s.key1 == key+1 || s.key1 == 0 {
			return i
		}
		i = (i + 1) & mask
	}
}

// Add indexes text as document doc. Adding documents in increasing order
// is fastest; adding a document again merges its trigrams with the old ones.
func (b *refBuilder) Add(doc uint32, text []byte) {
	b.docs.Add(doc)
	var key uint32
	n := 0
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			key = (key<<8 | uint32(asciiFold[c])) & 0xFFFFFF
			i++
			if n++; n >= 3 {
				b.record(key, doc)
			}
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		i += size
		for _, fc := range utf8.AppendRune(buf[:0], foldRune(r)) {
			key = (key<<8 | uint32(fc)) & 0xFFFFFF
			if n++; n >= 3 {
				b.record(key, doc)
			}
		}
	}
}

// AddKeys indexes document doc as containing the trigram keys (each a
// trigram's three bytes as a big-endian number, as Extractor returns them).
// It is Add with the text already taken apart, which Extractor can do on
// other goroutines.
func (b *refBuilder) AddKeys(doc uint32, keys []uint32) {
	b.docs.Add(doc)
	for _, k := range keys {
		b.record(k&0xFFFFFF, doc)
	}
}

// AddPacked is AddKeys with the keys packed by PackKeys.
func (b *refBuilder) AddPacked(doc uint32, packed []byte) {
	b.docs.Add(doc)
	for i := 0; i+2 < len(packed); i += 3 {
		b.record(uint32(packed[i])<<16|uint32(packed[i+1])<<8|uint32(packed[i+2]), doc)
	}
}

// record notes that doc contains the trigram key.
func (b *refBuilder) record(key, doc uint32) {
	i := b.find(key)
	s := &b.slots[i]
	if s.key1 == 0 {
		if 2*(b.used+1) > len(b.slots) {
			b.resize(2 * len(b.slots))
			i = b.find(key)
			s = &b.slots[i]
		}
		*s = refSlot{key1: key + 1, refList: uint32(len(b.keys))}
		b.keys = append(b.keys, key)
		b.lists = append(b.lists, refList{})
		b.used++
	}
	l := &b.lists[s.refList]
	if l.count > 0 && l.last == doc {
		return // a repeat within the document being added
	}
	before := cap(l.data)
	switch {
	case l.count == 0:
		l.data = binary.AppendUvarint(l.data, uint64(doc))
		l.last = doc
	case doc > l.last:
		l.data = binary.AppendUvarint(l.data, uint64(doc-l.last-1))
		l.last = doc
	case doc == l.last:
		return
	default:
		docs := posting{kind: kindVarint, data: l.data}.decodeInto(nil)
		j, found := slices.BinarySearch(docs, doc)
		if found {
			return
		}
		l.data = appendVarintList(l.data[:0], slices.Insert(docs, j, doc))
	}
	l.count++
	b.pairs++
	b.size += cap(l.data) - before
}

// lookup implements postingSource.
func (b *refBuilder) lookup(key uint32) posting {
	s := b.slots[b.find(key)]
	if s.key1 == 0 {
		return posting{}
	}
	return b.lists[s.refList].posting()
}

func (l *refList) posting() posting {
	if l.count == 1 {
		return posting{kind: kindSingle, single: l.last, count: 1}
	}
	return posting{kind: kindVarint, data: l.data, count: int(l.count)}
}

func (b *refBuilder) universe() *roaring.Bitmap { return b.docs }

// Candidates returns the documents that may match q: a superset of the
// added documents whose text satisfies the pattern q was planned from.
func (b *refBuilder) Candidates(q *Query) *roaring.Bitmap { return candidates(b, q) }

// NumTrigrams returns the number of distinct trigrams added so far.
func (b *refBuilder) NumTrigrams() int { return len(b.keys) }

// MemSize estimates the bytes the Builder holds: lists, keys and the hash
// table.
func (b *refBuilder) MemSize() int {
	return b.size + len(b.lists)*(24+8) + len(b.keys)*4 + len(b.slots)*8
}

// WriteTo writes the trigram section (format in reader.go) to w.
func (b *refBuilder) WriteTo(w io.Writer) (int64, error) {
	numDocs := uint32(0)
	if !b.docs.IsEmpty() {
		if b.docs.Maximum() == 1<<32-1 {
			return 0, fmt.Errorf("trigram: document number %d leaves no room for the section's document count", b.docs.Maximum())
		}
		numDocs = b.docs.Maximum() + 1
	}
	bsLen := bitsetLen(numDocs)

	// The lists in key order: each key with its refList index in one word,
	// sorted as plain integers (no comparison callback).
	sorted := make([]uint64, len(b.keys))
	for i, k := range b.keys {
		sorted[i] = uint64(k)<<32 | uint64(i)
	}
	slices.Sort(sorted)
	order := make([]uint32, len(sorted))
	for i, x := range sorted {
		order[i] = uint32(x)
	}

	universe := appendUniverse(nil, b.docs.ToArray(), bsLen)
	// The table and block index are built in memory; the lists, most of
	// the section, are streamed from the Builder's own encodings, once
	// for the checksum (which the header, written first, carries) and
	// once to write them.
	nBlocks := (len(order) + blockSize - 1) / blockSize
	blocks := make([]byte, 0, nBlocks*blockHdrSize)
	table := make([]byte, 0, 6*len(order)+16)
	postLen := 0
	for b0 := 0; b0 < len(order); b0 += blockSize {
		block := order[b0:min(b0+blockSize, len(order))]
		blocks = binary.LittleEndian.AppendUint32(blocks, b.keys[block[0]])
		blocks = binary.LittleEndian.AppendUint32(blocks, uint32(len(table)))
		blocks = binary.LittleEndian.AppendUint32(blocks, uint32(postLen))
		for _, li := range block {
			k := b.keys[li]
			table = append(table, byte(k>>16), byte(k>>8), byte(k))
		}
		for _, li := range block {
			l := &b.lists[li]
			switch vl := len(l.data); {
			case l.count == 1:
				table = binary.AppendUvarint(table, 1<<1)
				table = binary.AppendUvarint(table, uint64(l.last))
			case vl < bsLen:
				table = binary.AppendUvarint(table, uint64(l.count)<<1)
				table = binary.AppendUvarint(table, uint64(vl))
				postLen += vl
			default:
				table = binary.AppendUvarint(table, uint64(l.count)<<1|1)
				postLen += bsLen
			}
		}
	}
	var scratch []uint32
	var bitset []byte
	lists := func(fn func([]byte) error) error {
		for _, li := range order {
			l := &b.lists[li]
			switch {
			case l.count == 1:
			case len(l.data) < bsLen:
				if err := fn(l.data); err != nil {
					return err
				}
			default:
				scratch = l.posting().decodeInto(scratch[:0])
				bitset = appendBitset(bitset[:0], scratch, bsLen)
				if err := fn(bitset); err != nil {
					return err
				}
			}
		}
		return nil
	}

	return writeSectionParts(w, numDocs, uint32(len(order)), uint32(b.docs.GetCardinality()), universe, blocks, table, postLen, lists)
}
