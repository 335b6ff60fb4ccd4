package trigram

import (
	"encoding/binary"
	"slices"
)

// slot is a Builder's hash table slot, 16 bytes: a trigram and its list of
// documents, in one of three forms:
//
//   - one document: head and tail are 0, the document is last;
//   - up to 7 bytes of the list's varint form, inline: tail is
//     inlineTag|n<<24|bytes 4–6 and head is bytes 0–3 (little-endian),
//     where n is the length (half the lists of two documents or more
//     are that short for the shared corpora);
//   - a list in the slab from head to tail.
type slot struct {
	// key holds the trigram key + 1 in its low 25 bits (0 marks the slot
	// empty) and above them, for a list in the slab, the bytes left in its
	// last slice (0 otherwise).
	key  uint32
	last uint32 // the list's largest document
	head uint32
	tail uint32
}

const (
	inlineTag = 0xF0000000 // tail ≥ inlineTag: an inline list
	maxInline = 7
)

// inline returns the bytes of an inline list.
func (s *slot) inline() ([8]byte, int) {
	var buf [8]byte
	binary.LittleEndian.PutUint32(buf[:], s.head)
	binary.LittleEndian.PutUint32(buf[4:], s.tail)
	return buf, int(s.tail>>24) & 7
}

// setInline makes the list of s p, at most maxInline bytes.
func (s *slot) setInline(p []byte) {
	var buf [8]byte
	copy(buf[:], p)
	s.head = binary.LittleEndian.Uint32(buf[:])
	s.tail = inlineTag | uint32(len(p))<<24 | binary.LittleEndian.Uint32(buf[4:])&0xFFFFFF
	s.key &= keyMask
}

// setTail notes where the list of s ends after a write to the slab, unless
// the write failed: then the slab is full and the Builder answers for no
// list any more (see Candidates).
func (s *slot) setTail(tail, left uint32, ok bool) {
	if ok {
		s.tail, s.key = tail, s.key&keyMask|left<<keyBits
	}
}

// appendList appends the varint form of the list of s to dst.
func (b *Builder) appendList(dst []byte, s *slot) []byte {
	switch {
	case s.tail >= inlineTag:
		buf, n := s.inline()
		return append(dst, buf[:n]...)
	case s.head == 0:
		return binary.AppendUvarint(dst, uint64(s.last))
	}
	return b.lists.appendList(dst, s.head, s.tail)
}

// setList makes the list of s p, the varint form of two documents or more,
// inline or in the slab: in place, if the list is there already (p must be
// at least as long then).
func (b *Builder) setList(s *slot, p []byte) {
	switch {
	case len(p) <= maxInline:
		s.setInline(p)
	case s.head != 0 && s.tail < inlineTag:
		s.setTail(b.lists.rewrite(s.head, s.tail, p))
	default:
		head, left := b.lists.newList()
		if head == 0 {
			return
		}
		s.head = head
		s.setTail(b.lists.put(head, left, p))
	}
}

// append adds doc, newer than the last document of the list of s, to it:
// record's slow path, for a gap of more than a byte, a full slice, or a
// list outgrowing its slot.
func (b *Builder) append(s *slot, doc uint32) {
	var buf [maxInline + binary.MaxVarintLen32]byte
	if s.head != 0 && s.tail < inlineTag {
		p := binary.AppendUvarint(buf[:0], uint64(doc-s.last-1))
		s.setTail(b.lists.put(s.tail, s.key>>keyBits, p))
	} else {
		p := b.appendList(buf[:0], s)
		b.setList(s, binary.AppendUvarint(p, uint64(doc-s.last-1)))
	}
	s.last = doc
}

// insert adds doc, older than the list's last document, to the list of s.
func (b *Builder) insert(s *slot, doc uint32) {
	docs := b.list(s).decodeInto(nil)
	j, found := slices.BinarySearch(docs, doc)
	if found {
		return
	}
	// The list only grows: a gap split in two takes at least its bytes.
	b.setList(s, appendVarintList(nil, slices.Insert(docs, j, doc)))
}

// list returns the posting of s, copying the list out of the slab only
// when it spans several slices.
func (b *Builder) list(s *slot) posting {
	if s.head == 0 && s.tail == 0 {
		return posting{kind: kindSingle, single: s.last, count: 1}
	}
	var data []byte
	if s.tail < inlineTag {
		data, _ = b.lists.single(s.head, s.tail)
	}
	if data == nil {
		data = b.appendList(nil, s)
	}
	return posting{kind: kindVarint, data: data, count: varintCount(data)}
}
