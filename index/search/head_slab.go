package search

import "math/bits"

// headSlab holds the head's postings lists. A bulk build's head is mostly
// small lists (about half of the terms occur in one document, with a docs
// entry and positions of two or three bytes each), and as Go slices each
// cost a 24-byte header plus an allocation rounded up to 8 bytes or more,
// grown by copying. Here a list is a region of a shared page, its capacity
// the power of two (from 4 bytes) at or above its length, so that a
// list's reference is 8 bytes (slabList) and the capacity follows from the
// length. A list that outgrows its region moves to one that fits it and
// leaves the old one to a free list of its size class, which the next
// list of that class reuses. Lists over maxSmallList bytes (few, and
// long) are plain slices.
//
// A list's bytes are contiguous, so readers get a plain slice (cursors
// and the flush read them as before). Regions are only written by the
// writer, under the head's lock; a freed region is reused only by a later
// write, which readers holding the read lock never overlap.
type headSlab struct {
	pages [][]byte // up to slabPage bytes each
	used  int      // bytes handed out of the last page
	free  [numSlabClasses]uint32
	big   [][]byte
	size  int // bytes allocated (pages and big lists), for memBytes
}

// slabList is a list in a headSlab: n bytes at at, a byte offset into the
// pages (page<<slabPageShift | offset), or, with bigList set, an index
// into big.
type slabList struct {
	at uint32
	n  uint32
}

const (
	slabPageShift  = 18 // pages of at most 256 KiB
	slabPage       = 1 << slabPageShift
	minSlabPage    = 4 << 10
	minSlabShift   = 2 // 4-byte regions hold a free-list link
	maxSmallList   = 16 << 10
	numSlabClasses = 13 // 4 B .. 16 KiB
	bigList        = 1 << 31
)

// maxSlabPages keeps page offsets below bigList. Past them (a head of
// about 2 GiB) new lists are big ones. Offset 0 is never a region (page 0 starts with a
// pad), so that 0 ends a free list. (A variable for tests.)
var maxSlabPages = bigList >> slabPageShift

// slabClass is the size class of a region that holds n (1..maxSmallList)
// bytes: its capacity is 1<<(slabClass(n)+minSlabShift).
func slabClass(n int) int {
	if n <= 1<<minSlabShift {
		return 0
	}
	return bits.Len(uint(n-1)) - minSlabShift
}

// bytes returns l's bytes (not to be appended to).
func (s *headSlab) bytes(l slabList) []byte {
	if l.n == 0 {
		return nil
	}
	if l.at&bigList != 0 {
		return s.big[l.at&^bigList]
	}
	p := s.pages[l.at>>slabPageShift]
	off := l.at & (slabPage - 1)
	return p[off : off+l.n : off+l.n]
}

// append adds b to the end of l.
func (s *headSlab) append(l *slabList, b []byte) {
	if len(b) == 0 {
		return
	}
	n := int(l.n) + len(b)
	if l.n > 0 && l.at&bigList != 0 {
		i := l.at &^ bigList
		old := s.big[i]
		grown := append(old, b...)
		s.size += cap(grown) - cap(old)
		s.big[i] = grown
		l.n = uint32(n)
		return
	}
	if l.n > 0 && n <= 1<<(slabClass(int(l.n))+minSlabShift) {
		copy(s.pages[l.at>>slabPageShift][l.at&(slabPage-1)+l.n:], b)
		l.n = uint32(n)
		return
	}
	old := s.bytes(*l)
	size := 1 << (slabClass(n) + minSlabShift)
	if n > maxSmallList || (s.free[slabClass(n)] == 0 && s.full(size) && len(s.pages) >= maxSlabPages) {
		nb := make([]byte, 0, 2*n)
		nb = append(append(nb, old...), b...)
		s.size += cap(nb)
		s.release(*l)
		s.big = append(s.big, nb)
		*l = slabList{at: uint32(len(s.big)-1) | bigList, n: uint32(n)}
		return
	}
	at := s.alloc(slabClass(n))
	p := s.pages[at>>slabPageShift]
	off := at & (slabPage - 1)
	copy(p[off+uint32(copy(p[off:], old)):], b)
	s.release(*l)
	*l = slabList{at: at, n: uint32(n)}
}

// alloc returns a free region of class c.
func (s *headSlab) alloc(c int) uint32 {
	if at := s.free[c]; at != 0 {
		p := s.pages[at>>slabPageShift]
		off := at & (slabPage - 1)
		s.free[c] = uint32(p[off]) | uint32(p[off+1])<<8 | uint32(p[off+2])<<16 | uint32(p[off+3])<<24
		return at
	}
	size := 1 << (c + minSlabShift)
	if s.full(size) {
		// Pages double from 4 KiB, so that a head of a few documents (a
		// DB write) stays small.
		n := minSlabPage
		if len(s.pages) > 0 {
			n = min(2*len(s.pages[len(s.pages)-1]), slabPage)
		}
		n = max(n, size)
		s.pages = append(s.pages, make([]byte, n))
		s.size += n
		s.used = 0
		if len(s.pages) == 1 {
			s.used = 1 << minSlabShift
		}
	}
	at := uint32(len(s.pages)-1)<<slabPageShift | uint32(s.used)
	s.used += size
	return at
}

// full reports whether the last page has no room for size bytes.
func (s *headSlab) full(size int) bool {
	return len(s.pages) == 0 || s.used+size > len(s.pages[len(s.pages)-1])
}

// release puts l's region on its class's free list.
func (s *headSlab) release(l slabList) {
	if l.n == 0 || l.at&bigList != 0 {
		return
	}
	c := slabClass(int(l.n))
	p := s.pages[l.at>>slabPageShift]
	off := l.at & (slabPage - 1)
	next := s.free[c]
	p[off], p[off+1], p[off+2], p[off+3] = byte(next), byte(next>>8), byte(next>>16), byte(next>>24)
	s.free[c] = l.at
}
