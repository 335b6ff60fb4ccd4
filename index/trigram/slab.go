package trigram

import "encoding/binary"

// slab holds the Builder's posting lists, as Lucene's ByteBlockPool holds
// its postings: fixed-size blocks carved into slices, each list a chain of
// slices of growing size. A list of a few documents takes a few bytes
// rather than its own allocation, and growing a list never copies it.
//
// A slice of level l is sliceSizes[l] bytes: its payload, then a 4-byte
// trailer. Until the slice is full, the trailer holds a marker, the level
// plus one in its first byte. A list's owner keeps where its next byte
// goes (its tail) and how many bytes are left in its last slice, so that
// appending a byte is a store the CPU need not wait for; when none are
// left, the list chains a slice of the next level (the marker says which)
// and the trailer becomes the new slice's offset (little-endian).
//
// An offset is block<<slabBlockShift | position in the block; slices never
// straddle blocks. Offset 0 is never a slice, so a list can use it for
// "no slice yet".
type slab struct {
	blocks [][]byte
	pos    uint32 // bytes used of the last block
	full   bool   // an allocation failed: offsets ran out
}

const (
	slabBlockShift = 15
	slabBlockSize  = 1 << slabBlockShift
	slabBlockMask  = slabBlockSize - 1
	slabMaxBlocks  = inlineTag >> slabBlockShift // offsets stay below inlineTag
	trailerSize    = 4
)

// sliceSizes are the slice sizes by level, trailer included. Most trigrams
// have few documents, so the first slices are small; the sizes are those
// that took the fewest slab bytes over the shared corpora, lists of up to
// 7 bytes being inline in the Builder's slots: 1.26× the lists' bytes for
// dwarves-brain and 1.34× for opentelemetry-docs, where doubling sizes
// take 1.33× and 1.44×, Lucene's 1.30× and 1.36×. A payload is at most
// 124 bytes, so that the bytes left in a slice fit in the 7 bits the
// Builder's slot has for them.
var sliceSizes = [...]uint32{16, 24, 32, 48, 64, 96, 128}

const maxLevel = len(sliceSizes) - 1

// alloc returns the offset of a new slice of level l, or 0 when the slab's
// 3.75 GiB of offsets are used up.
func (s *slab) alloc(l int) uint32 {
	size := sliceSizes[l]
	if len(s.blocks) == 0 || s.pos+size > slabBlockSize {
		if len(s.blocks) == slabMaxBlocks {
			s.full = true
			return 0
		}
		s.blocks = append(s.blocks, make([]byte, slabBlockSize))
		s.pos = 0
		if len(s.blocks) == 1 {
			s.pos = trailerSize // keep offset 0 free
		}
	}
	blk := len(s.blocks) - 1
	off := uint32(blk)<<slabBlockShift | s.pos
	s.pos += size
	s.blocks[blk][s.pos-trailerSize] = byte(l + 1)
	return off
}

// newList allocates a list's first slice, returning its offset (the list's
// head and tail) and payload size, or 0 when the slab is full.
func (s *slab) newList() (off, left uint32) {
	return s.alloc(0), sliceSizes[0] - trailerSize
}

// put appends p to the list whose next byte goes at tail, with left bytes
// free in its last slice, chaining new slices as they fill. It returns the
// new tail and left; ok is false when the slab is full.
func (s *slab) put(tail, left uint32, p []byte) (newTail, newLeft uint32, ok bool) {
	for len(p) > 0 {
		if left == 0 {
			if tail, left = s.extend(tail); tail == 0 {
				return 0, 0, false
			}
		}
		blk := s.blocks[tail>>slabBlockShift]
		n := copy(blk[tail&slabBlockMask:][:min(left, uint32(len(p)))], p)
		p = p[n:]
		tail += uint32(n)
		left -= uint32(n)
	}
	return tail, left, true
}

// extend chains a slice after the full slice whose trailer is at tail and
// returns the new slice's offset and payload size (0 when the slab is
// full). The trailer's marker says the full slice's level.
func (s *slab) extend(tail uint32) (off, left uint32) {
	blk := s.blocks[tail>>slabBlockShift][tail&slabBlockMask:]
	l := min(int(blk[0]), maxLevel) // the marker is the level plus one
	if off = s.alloc(l); off == 0 {
		return 0, 0
	}
	binary.LittleEndian.PutUint32(blk, off)
	return off, sliceSizes[l] - trailerSize
}

// slice returns the bytes of the list's slice at off, of level l, up to
// tail, and whether it is the last slice. The capacity of p is the whole
// slice, trailer included.
func (s *slab) slice(off uint32, l int, tail uint32) (p []byte, last bool) {
	blk := s.blocks[off>>slabBlockShift]
	i := off & slabBlockMask
	size := sliceSizes[l]
	n := size - trailerSize
	if tail-off <= n { // unsigned: tail is in this slice
		n, last = tail-off, true
	}
	return blk[i : i+n : i+size], last
}

// nextSlice returns the offset of the slice after the full slice p.
func (s *slab) nextSlice(p []byte) uint32 {
	return binary.LittleEndian.Uint32(p[len(p) : len(p)+trailerSize])
}

// single returns the list's bytes when they are in one slice (nil, false
// otherwise), without copying.
func (s *slab) single(head, tail uint32) ([]byte, bool) {
	if p, last := s.slice(head, 0, tail); last {
		return p[:len(p):len(p)], true
	}
	return nil, false
}

// appendList appends the list's bytes from head to tail to dst.
func (s *slab) appendList(dst []byte, head, tail uint32) []byte {
	for off, l := head, 0; ; l = min(l+1, maxLevel) {
		p, last := s.slice(off, l, tail)
		dst = append(dst, p...)
		if last {
			return dst
		}
		off = s.nextSlice(p)
	}
}

// rewrite replaces the list's bytes from head to tail with p, which must
// be at least as long: it overwrites the list's slices in place, then
// appends the rest, returning the list's new tail and left as put does.
func (s *slab) rewrite(head, tail uint32, p []byte) (newTail, newLeft uint32, ok bool) {
	for off, l := head, 0; ; l = min(l+1, maxLevel) {
		old, last := s.slice(off, l, tail)
		if last {
			n := sliceSizes[l] - trailerSize
			k := uint32(copy(old[:n:n], p))
			return s.put(off+k, n-k, p[k:])
		}
		p = p[copy(old, p):]
		off = s.nextSlice(old)
	}
}

// memSize returns the bytes the slab holds.
func (s *slab) memSize() int { return len(s.blocks)*slabBlockSize + cap(s.blocks)*24 }
