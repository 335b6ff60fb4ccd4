package search

import (
	"encoding/binary"
	"hash/crc32"
	"sync/atomic"
)

// Lazy verification of version 3 segments (see the format in segment.go).
//
// Opening a segment verifies only what open itself parses. Every reader
// entry point of segment.go then asks, before it decodes anything, for the
// bytes it is about to read: verified for a range of a section (a posting
// list, a doc entry), lookup for the states of a dictionary a point lookup
// goes through, sectionVerified for a whole dictionary before a walk
// (prefix, typo, range). Each block's checksum is computed once, on first
// need. A mismatch is recorded with noteCorrupt, which makes Search and
// the catalog return the corruption instead of an answer; the entry point
// itself answers "nothing here".

// segmentBlockShift is log2 of the block size new segments are written
// with. A page-sized block keeps what a query verifies close to what it
// reads: the first query of the test corpora verified 68 and 80 KiB with
// 4 KiB blocks against 208 and 176 KiB with 16 KiB ones (a dictionary
// lookup touches a state here and there), and the table stays at 1/1024
// of the file. Tests lower it to put many block boundaries in small
// segments.
var segmentBlockShift uint8 = 12

// Bounds of the block size a reader accepts.
const (
	minBlockShift = 6
	maxBlockShift = 30
)

// blockSums are the block checksums of a segment.
type blockSums struct {
	shift uint8
	end   uint64 // bytes covered: [0, end)
	sums  []byte // uint32 CRC-32C per block
	ok    []atomic.Bool
	// whole marks sections verified entirely, so that the dictionaries,
	// checked on every lookup, cost one load once verified.
	whole [numSections + 1]atomic.Bool
}

// eagerSection reports whether a lazily opened segment verifies section id
// at open: the sections open parses whole, and the block checksums.
func eagerSection(id uint32) bool {
	switch id {
	case secMeta, secNorms, secNumeric, secBlockSums:
		return true
	}
	return false
}

// parseBlockSums reads the block checksum section; the blocks cover the
// file up to the section's start, and so every other section.
func (s *segment) parseBlockSums(sec []byte) (*blockSums, error) {
	end := s.base[secBlockSums]
	if len(sec) < 1 || sec[0] < minBlockShift || sec[0] > maxBlockShift {
		return nil, s.corruptf("section block checksums", "malformed header")
	}
	b := &blockSums{shift: sec[0], end: end, sums: sec[1:]}
	n := (end + 1<<b.shift - 1) >> b.shift
	if uint64(len(b.sums)) != 4*n {
		return nil, s.corruptf("section block checksums", "%d bytes of checksums for %d blocks", len(b.sums), n)
	}
	for _, e := range s.toc {
		if e.id != secBlockSums && e.off+e.length > end {
			return nil, s.corruptf("TOC", "%s ends at %d, after the checksummed blocks (%d)", s.sectionName(e.id), e.off+e.length, end)
		}
	}
	b.ok = make([]atomic.Bool, n)
	return b, nil
}

// verify checks the blocks holding file bytes [from, to) that are not
// checked yet, and reports whether they all match.
func (b *blockSums) verify(s *segment, from, to uint64) bool {
	if to > b.end || from > to {
		s.noteCorrupt(s.corruptf("block checksums", "bytes %d..%d outside the checksummed %d", from, to, b.end))
		return false
	}
	if from == to {
		return true
	}
	for i := from >> b.shift; i <= (to-1)>>b.shift; i++ {
		if b.ok[i].Load() {
			continue
		}
		lo := i << b.shift
		hi := min(lo+1<<b.shift, b.end)
		got := crc32.Checksum(s.data[lo:hi], castagnoli)
		if want := binary.LittleEndian.Uint32(b.sums[4*i:]); got != want {
			s.noteCorrupt(s.corruptf("block checksums", "block %d (bytes %d..%d) has checksum %08x, want %08x", i, lo, hi, got, want))
			return false
		}
		b.ok[i].Store(true)
	}
	return true
}

// verified reports whether bytes [from, to) of section id match their
// checksums (always, for a segment verified whole at open).
func (s *segment) verified(id int, from, to uint64) bool {
	b := s.blocks
	if b == nil {
		return true
	}
	if from > to {
		s.noteCorrupt(s.corruptf(s.sectionName(uint32(id)), "range %d..%d", from, to))
		return false
	}
	return b.verify(s, s.base[id]+from, s.base[id]+to)
}

// sectionVerified reports whether the whole of section id matches its
// checksums.
func (s *segment) sectionVerified(id int) bool {
	b := s.blocks
	if b == nil || b.whole[id].Load() {
		return true
	}
	if !b.verify(s, s.base[id], s.base[id]+s.sectionLen(id)) {
		return false
	}
	b.whole[id].Store(true)
	return true
}

// sectionLen is the length of section id (0 when absent).
func (s *segment) sectionLen(id int) uint64 { return s.length[id] }

// lookup is r.lookup over dictionary section id, verifying the bytes of
// each state it decodes (and the footer, which gives the root) before
// following it: a point lookup decodes a state per key byte, so verifying
// the whole dictionary first would cost the first query more than the
// rest of its work.
func (s *segment) lookup(id int, r *fstReader, key []byte) (val uint64, found, bad bool) {
	if b := s.blocks; b == nil || b.whole[id].Load() {
		return r.lookup(key)
	}
	n := s.length[id]
	if n < fstHeaderSize+fstFooterSize || !s.verified(id, n-fstFooterSize, n) {
		return 0, false, true
	}
	var nd fstNode
	addr, total := r.root, uint64(0)
	state := func() bool {
		// A state's bytes run from nd.bottom up to its address; node
		// reads nothing else, and find reads within them.
		return r.node(addr, &nd) && (addr == fstEmptyAddr || s.verified(id, uint64(nd.bottom), uint64(addr)+1))
	}
	for _, c := range key {
		if !state() {
			return 0, false, true
		}
		next, out, ok := nd.find(r.data, c, addr)
		if !ok {
			return 0, false, false
		}
		addr, total = next, total+out
	}
	if !state() {
		return 0, false, true
	}
	return total + nd.finalOut, nd.final, false
}

// verifyAll checks every block not checked yet: merges read whole
// segments, and must not copy damage into a new one with fresh checksums.
func (s *segment) verifyAll() error {
	if b := s.blocks; b != nil && !b.verify(s, 0, b.end) {
		return s.corrupt.Load()
	}
	return nil
}

// stemEntryEnd finds where the stem table entry at off ends, so that its
// bytes can be verified before they are used.
func (s *segment) stemEntryEnd(off uint64) (uint64, bool) {
	r := byteReader{b: s.stemTable, off: int(off)}
	r.uvarint()
	n := r.uvarint()
	for range min(n, uint64(len(s.stemTable))) {
		if s.version == 1 {
			r.bytes()
		}
		r.uvarint()
		if r.err {
			return 0, false
		}
	}
	return uint64(r.off), !r.err
}
