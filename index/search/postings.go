package search

import (
	"encoding/binary"
	"math"
)

// Postings encoding, shared by the in-memory head and by segment files (the
// head appends to the same streams a segment stores, so one cursor reads
// both).
//
// Text postings of one term are two byte streams:
//
//	docs: per document, in increasing doc order:
//	        uvarint  doc - (previous doc + 1)   (previous starts at -1)
//	        byte     field mask (bit f set: the term occurs in text field f)
//	        uvarint  term frequency, once per set bit, in field order
//	        uvarint  length in bytes of the document's entry in pos
//	pos:  per document, per set field in field order, the term's positions
//	      in that field as uvarint deltas (the first from 0).
//
// Keeping positions apart lets scoring and counting skip them, and the
// per-entry length lets a cursor step over positions without decoding them.
// In segments a term's streams are preceded by a header with skip entries
// (see segment.go); the head's lists have none.
//
// Keyword postings are a single stream of uvarint doc deltas (same rule).

// noDoc is the doc id cursors report when exhausted.
const noDoc = math.MaxUint32

// skipInterval is how many postings one skip entry covers.
const skipInterval = 128

// skipEntrySize is the fixed size of a skip entry: the last doc of the
// block before (uint32), then the offsets of the next block in the docs and
// pos streams (uint32 each).
const skipEntrySize = 12

// appendTextPosting appends one document's entry to a term's streams.
func appendTextPosting(docs, pos []byte, prevDoc int64, doc uint32, mask uint8, tf *[numTextFields]uint32, positions []uint32) ([]byte, []byte) {
	docs = binary.AppendUvarint(docs, uint64(int64(doc)-prevDoc-1))
	docs = append(docs, mask)
	for f := range numTextFields {
		if mask&(1<<f) != 0 {
			docs = binary.AppendUvarint(docs, uint64(tf[f]))
		}
	}
	start := len(pos)
	i := 0
	for f := range numTextFields {
		if mask&(1<<f) == 0 {
			continue
		}
		prev := uint32(0)
		for _, p := range positions[i : i+int(tf[f])] {
			pos = binary.AppendUvarint(pos, uint64(p-prev))
			prev = p
		}
		i += int(tf[f])
	}
	docs = binary.AppendUvarint(docs, uint64(len(pos)-start))
	return docs, pos
}

// textCursor iterates one term's text postings. The zero value is
// exhausted. A cursor never fails: malformed bytes (only possible in a
// segment whose checksums matched but whose writer was broken) end the
// list and set bad, which Check reports.
type textCursor struct {
	docs   []byte
	pos    []byte
	skips  []byte // skip entries, skipEntrySize each
	limit  uint32 // docs >= limit are past the end (head snapshots)
	off    int    // next entry in docs
	posOff int    // start of the current doc's entry in pos
	posLen int
	doc    uint32
	mask   uint8
	tf     [numTextFields]uint32
	bad    bool
	df     uint32 // the list's length (dead docs and docs past limit included)
}

func (c *textCursor) reset(docs, pos, skips []byte, limit uint32, df uint32) {
	*c = textCursor{docs: docs, pos: pos, skips: skips, limit: limit, df: df}
	c.next(true)
}

// next moves to the next entry; first is true for the first entry.
func (c *textCursor) next(first bool) uint32 {
	if !first && c.doc == noDoc {
		return noDoc
	}
	if c.off >= len(c.docs) {
		c.doc = noDoc
		return noDoc
	}
	var prev int64 = -1
	if !first {
		prev = int64(c.doc)
		c.posOff += c.posLen
	}
	return c.decode(prev)
}

// decode reads the entry at c.off, whose previous doc is prev.
func (c *textCursor) decode(prev int64) uint32 {
	d, n := binary.Uvarint(c.docs[c.off:])
	if n <= 0 || c.off+n >= len(c.docs) {
		return c.fail()
	}
	c.off += n
	doc := prev + 1 + int64(d)
	if doc >= noDoc {
		return c.fail()
	}
	c.mask = c.docs[c.off]
	c.off++
	if c.mask == 0 || c.mask >= 1<<numTextFields {
		return c.fail()
	}
	for f := range numTextFields {
		c.tf[f] = 0
		if c.mask&(1<<f) != 0 {
			v, n := binary.Uvarint(c.docs[c.off:])
			if n <= 0 || v == 0 || v > math.MaxUint32 {
				return c.fail()
			}
			c.tf[f] = uint32(v)
			c.off += n
		}
	}
	l, n := binary.Uvarint(c.docs[c.off:])
	if n <= 0 || l > uint64(len(c.pos)-c.posOff) {
		return c.fail()
	}
	c.off += n
	c.posLen = int(l)
	if uint32(doc) >= c.limit {
		c.doc = noDoc
		return noDoc
	}
	c.doc = uint32(doc)
	return c.doc
}

func (c *textCursor) fail() uint32 {
	c.bad = true
	c.doc = noDoc
	return noDoc
}

// advance moves to the first doc >= target, using skip entries when they
// let it jump past whole blocks.
func (c *textCursor) advance(target uint32) uint32 {
	if c.doc >= target {
		return c.doc
	}
	if len(c.skips) > 0 {
		// Find the last skip entry whose previous-block last doc < target.
		lo, hi := 0, len(c.skips)/skipEntrySize
		for lo < hi {
			mid := (lo + hi) / 2
			if binary.LittleEndian.Uint32(c.skips[mid*skipEntrySize:]) < target {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo > 0 {
			e := c.skips[(lo-1)*skipEntrySize:]
			last := binary.LittleEndian.Uint32(e)
			docsOff := int(binary.LittleEndian.Uint32(e[4:]))
			posOff := int(binary.LittleEndian.Uint32(e[8:]))
			if last >= c.doc && docsOff > c.off && docsOff < len(c.docs) && posOff <= len(c.pos) {
				c.off = docsOff
				c.posOff = posOff
				c.posLen = 0
				if c.decode(int64(last)) == noDoc {
					return noDoc
				}
			}
		}
	}
	for c.doc < target {
		c.next(false)
	}
	return c.doc
}

// positions decodes the current doc's positions in field f into buf.
func (c *textCursor) positions(f int, buf []uint32) []uint32 {
	buf = buf[:0]
	if c.mask&(1<<f) == 0 {
		return buf
	}
	p := c.pos[c.posOff : c.posOff+c.posLen]
	off := 0
	for g := 0; g < f; g++ {
		if c.mask&(1<<g) == 0 {
			continue
		}
		for range c.tf[g] {
			_, n := binary.Uvarint(p[off:])
			if n <= 0 {
				c.bad = true
				return buf
			}
			off += n
		}
	}
	var cur uint64
	for range c.tf[f] {
		d, n := binary.Uvarint(p[off:])
		if n <= 0 {
			c.bad = true
			return buf
		}
		off += n
		cur += d
		if cur > math.MaxUint32 {
			c.bad = true
			return buf
		}
		buf = append(buf, uint32(cur))
	}
	return buf
}

// kwCursor iterates keyword postings (doc deltas only).
type kwCursor struct {
	data  []byte
	off   int
	limit uint32
	doc   uint32
	bad   bool
}

func (c *kwCursor) reset(data []byte, limit uint32) {
	*c = kwCursor{data: data, limit: limit}
	c.step(-1)
}

func (c *kwCursor) step(prev int64) uint32 {
	if c.off >= len(c.data) {
		c.doc = noDoc
		return noDoc
	}
	d, n := binary.Uvarint(c.data[c.off:])
	doc := prev + 1 + int64(d)
	if n <= 0 || doc >= noDoc {
		c.bad = true
		c.doc = noDoc
		return noDoc
	}
	c.off += n
	if uint32(doc) >= c.limit {
		c.doc = noDoc
		return noDoc
	}
	c.doc = uint32(doc)
	return c.doc
}

func (c *kwCursor) next() uint32 {
	if c.doc == noDoc {
		return noDoc
	}
	return c.step(int64(c.doc))
}
