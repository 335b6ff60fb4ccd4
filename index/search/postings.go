package search

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
)

// Postings encoding, shared by the in-memory head and by segment files (the
// head appends to the same streams a segment stores, so one cursor reads
// both).
//
// Text postings of one term are two byte streams. Version 2 (the head and
// segment format 2):
//
//	docs: per document, in increasing doc order:
//	        uvarint  (doc - (previous doc + 1)) << 1 | once (previous
//	                 starts at -1); once is 1 when the term occurs once in
//	                 the body and nowhere else, and then the entry ends
//	        byte     code: f<<5 | tf (f < 5, 1 <= tf <= 31) when the term
//	                 occurs in one text field f, tf times; else 0xE0 | mask
//	                 (bit f set: the term occurs in text field f) followed
//	                 by the uvarint term frequency of each set field, in
//	                 field order
//	pos:  per document, per set field in field order, the term's positions
//	      in that field as uvarint deltas (the first from 0).
//
// Most postings are one byte (a word once in the body, the commonest
// case by far) or two (delta and code). A document's
// positions are the next (sum of its frequencies) varints of pos; a cursor
// only counts its way to them when a phrase asks (skip entries give the pos
// offset of each block).
//
// Version 1 (segment format 1, still read) differs in the docs stream
// only: after the delta, a mask byte, the uvarint frequency of each set
// field and the uvarint length in bytes of the document's positions.
//
// Keeping positions apart lets scoring and counting skip them. In segments
// a term's streams are preceded by a header with skip entries (see
// segment.go); the head's lists have none.
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

// Codes of the version 2 docs stream.
const (
	codeMaxTF  = 31   // highest frequency a one-field code holds
	codeSingle = 0xA0 // codes below are one-field codes
	codeMulti  = 0xE0 // 0xE0 | mask: frequencies follow
)

// appendTextPosting appends one document's entry to a term's streams
// (version 2). positions holds the positions of each set field in turn.
func appendTextPosting(docs, pos []byte, prevDoc int64, doc uint32, mask uint8, tf *[numTextFields]uint32, positions []uint32) ([]byte, []byte) {
	docs = appendEntry(docs, uint64(int64(doc)-prevDoc-1), mask, tf)
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
	return docs, pos
}

// appendEntry appends a version 2 docs-stream entry.
func appendEntry(docs []byte, delta uint64, mask uint8, tf *[numTextFields]uint32) []byte {
	if mask == 1<<FieldBody && tf[FieldBody] == 1 {
		return binary.AppendUvarint(docs, delta<<1|1)
	}
	docs = binary.AppendUvarint(docs, delta<<1)
	if bits.OnesCount8(mask) == 1 {
		f := bits.TrailingZeros8(mask)
		if tf[f] <= codeMaxTF {
			return append(docs, byte(f<<5)|byte(tf[f]))
		}
	}
	docs = append(docs, codeMulti|mask)
	for f := range numTextFields {
		if mask&(1<<f) != 0 {
			docs = binary.AppendUvarint(docs, uint64(tf[f]))
		}
	}
	return docs
}

// entry is one decoded docs-stream entry.
type entry struct {
	doc    uint32
	mask   uint8
	tf     [numTextFields]uint32
	sumTF  uint64 // version 2: the number of position varints
	posLen int    // version 1: the byte length of the positions
	next   int    // offset of the next entry
}

// decodeEntry decodes the entry at off of a docs stream whose previous doc
// is prev. It reports false on malformed bytes.
func decodeEntry(docs []byte, off int, prev int64, v1 bool, e *entry) bool {
	if off >= len(docs) {
		return false
	}
	var d uint64
	if b := docs[off]; b < 0x80 {
		d = uint64(b)
		off++
	} else {
		v, n := binary.Uvarint(docs[off:])
		if n <= 0 {
			return false
		}
		d, off = v, off+n
	}
	once := false
	if !v1 {
		d, once = d>>1, d&1 != 0
	}
	doc := prev + 1 + int64(d)
	if d >= noDoc || doc >= noDoc {
		return false
	}
	e.doc = uint32(doc)
	e.tf = [numTextFields]uint32{}
	if once {
		e.mask, e.tf[FieldBody], e.sumTF, e.next = 1<<FieldBody, 1, 1, off
		return true
	}
	if off >= len(docs) {
		return false
	}
	code := docs[off]
	off++
	if !v1 && code < codeSingle {
		f, tf := code>>5, uint32(code&codeMaxTF)
		if tf == 0 {
			return false
		}
		e.mask, e.tf[f], e.sumTF, e.next = 1<<f, tf, uint64(tf), off
		return true
	}
	mask := code
	if !v1 {
		if code <= codeMulti {
			return false
		}
		mask = code &^ codeMulti
	}
	if mask == 0 || mask >= 1<<numTextFields {
		return false
	}
	e.mask, e.sumTF = mask, 0
	for f := range numTextFields {
		if mask&(1<<f) != 0 {
			v, n := binary.Uvarint(docs[min(off, len(docs)):])
			if n <= 0 || v == 0 || v > math.MaxUint32 {
				return false
			}
			e.tf[f] = uint32(v)
			e.sumTF += v
			off += n
		}
	}
	if v1 {
		l, n := binary.Uvarint(docs[min(off, len(docs)):])
		if n <= 0 || l > math.MaxInt32 {
			return false
		}
		e.posLen = int(l)
		off += n
	}
	e.next = off
	return true
}

// textCursor iterates one term's text postings. The zero value is
// exhausted. A cursor never fails: malformed bytes (only possible in a
// segment whose checksums matched but whose writer was broken) end the
// list and set bad, which Check reports.
type textCursor struct {
	docs  []byte
	pos   []byte
	skips []byte // skip entries, skipEntrySize each
	limit uint32 // docs >= limit are past the end (head snapshots)
	off   int    // next entry in docs
	// The current doc's positions start posSkip varints after posOff
	// (version 2 counts them only when asked; version 1 knows posLen).
	posOff  int
	posSkip uint64
	posLen  int    // version 1
	sumTF   uint64 // version 2: the current doc's position count
	doc     uint32
	mask    uint8
	v1      bool
	bad     bool
	tf      [numTextFields]uint32
	df      uint32 // the list's length (dead docs and docs past limit included)
	skipAt  int    // skip entries before it are behind the cursor (advance)
}

func (c *textCursor) reset(l *textList, limit uint32) {
	*c = textCursor{docs: l.docs, pos: l.pos, skips: l.skips, limit: limit, df: l.df, v1: l.v1}
	c.decode(-1)
}

// next moves to the next entry.
func (c *textCursor) next() uint32 {
	if c.doc == noDoc {
		return noDoc
	}
	if c.v1 {
		c.posOff += c.posLen
	} else {
		c.posSkip += c.sumTF
	}
	return c.decode(int64(c.doc))
}

// decode reads the entry at c.off, whose previous doc is prev.
func (c *textCursor) decode(prev int64) uint32 {
	docs, off := c.docs, c.off
	if off >= len(docs) {
		c.doc = noDoc
		return noDoc
	}
	if c.v1 {
		return c.decodeV1(prev)
	}
	var d uint64
	if b := docs[off]; b < 0x80 {
		d = uint64(b)
		off++
	} else if off+1 < len(docs) && docs[off+1] < 0x80 {
		d = uint64(b&0x7f) | uint64(docs[off+1])<<7
		off += 2
	} else {
		v, n := binary.Uvarint(docs[off:])
		if n <= 0 || v>>1 >= noDoc {
			return c.fail()
		}
		d, off = v, off+n
	}
	c.tf = [numTextFields]uint32{}
	if d&1 != 0 {
		// Once in the body: the commonest entry.
		c.tf[FieldBody], c.mask, c.sumTF = 1, 1<<FieldBody, 1
		doc := prev + 1 + int64(d>>1)
		if doc < int64(c.limit) {
			c.off, c.doc = off, uint32(doc)
			return c.doc
		}
		return c.land(doc, off)
	}
	d >>= 1
	if off >= len(docs) {
		return c.fail()
	}
	code := docs[off]
	off++
	if code < codeSingle {
		f, tf := code>>5, uint32(code&codeMaxTF)
		if tf == 0 {
			return c.fail()
		}
		c.tf[f], c.mask, c.sumTF = tf, 1<<f, uint64(tf)
	} else {
		if code <= codeMulti {
			return c.fail()
		}
		mask := code &^ codeMulti
		sum := uint64(0)
		for fm := mask; fm != 0; fm &= fm - 1 {
			if off >= len(docs) {
				return c.fail()
			}
			var v uint64
			if b := docs[off]; b < 0x80 {
				v = uint64(b)
				off++
			} else {
				x, n := binary.Uvarint(docs[off:])
				if n <= 0 {
					return c.fail()
				}
				v, off = x, off+n
			}
			if v == 0 || v > math.MaxUint32 {
				return c.fail()
			}
			c.tf[bits.TrailingZeros8(fm)] = uint32(v)
			sum += v
		}
		c.mask, c.sumTF = mask, sum
	}
	return c.land(prev+1+int64(d), off)
}

// land makes doc, whose entry ends at off, the current one.
func (c *textCursor) land(doc int64, off int) uint32 {
	if doc >= noDoc {
		return c.fail()
	}
	c.off = off
	if doc >= int64(c.limit) {
		c.doc = noDoc
		return noDoc
	}
	c.doc = uint32(doc)
	return c.doc
}

// decodeV1 reads a version 1 entry at c.off.
func (c *textCursor) decodeV1(prev int64) uint32 {
	var e entry
	if !decodeEntry(c.docs, c.off, prev, true, &e) || e.posLen > len(c.pos)-c.posOff {
		return c.fail()
	}
	c.off, c.mask, c.tf, c.posLen = e.next, e.mask, e.tf, e.posLen
	if e.doc >= c.limit {
		c.doc = noDoc
		return noDoc
	}
	c.doc = e.doc
	return c.doc
}

func (c *textCursor) fail() uint32 {
	c.bad = true
	c.doc = noDoc
	return noDoc
}

// advance moves to the first doc >= target, using skip entries when they
// let it jump past whole blocks. Targets only grow, so the entries before
// skipAt are behind for good: when the next one says the target is in the
// current block (the common case when intersecting dense lists), no search
// is made.
func (c *textCursor) advance(target uint32) uint32 {
	if c.doc >= target {
		return c.doc
	}
	if n := len(c.skips) / skipEntrySize; c.skipAt < n && skipLast(c.skips, c.skipAt) < target {
		// Find the last skip entry whose previous-block last doc < target.
		lo, hi := c.skipAt+1, n
		for lo < hi {
			mid := (lo + hi) / 2
			if skipLast(c.skips, mid) < target {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		c.skipAt = lo
		e := c.skips[(lo-1)*skipEntrySize:]
		last := binary.LittleEndian.Uint32(e)
		docsOff := int(binary.LittleEndian.Uint32(e[4:]))
		posOff := int(binary.LittleEndian.Uint32(e[8:]))
		if last >= c.doc && docsOff > c.off && docsOff < len(c.docs) && posOff <= len(c.pos) {
			c.off = docsOff
			c.posOff, c.posSkip, c.posLen, c.sumTF = posOff, 0, 0, 0
			if c.decode(int64(last)) == noDoc {
				return noDoc
			}
		}
	}
	if c.doc < target && !c.v1 {
		return c.scan(target)
	}
	for c.doc < target {
		c.next()
	}
	return c.doc
}

// scan moves to the first doc >= target in a version 2 list. The entries
// before it are only parsed for their doc and position count (the
// frequencies need not be stored), which is most of what intersecting
// dense lists does; the entry it stops at is decoded as usual.
func (c *textCursor) scan(target uint32) uint32 {
	docs, off := c.docs, c.off
	prev := int64(c.doc)
	skip := c.posSkip + c.sumTF // the current doc's positions are passed too
	stop := min(int64(target), int64(c.limit))
	for off < len(docs) {
		start := off
		var d uint64
		if b := docs[off]; b < 0x80 {
			d = uint64(b)
			off++
		} else if off+1 < len(docs) && docs[off+1] < 0x80 {
			d = uint64(b&0x7f) | uint64(docs[off+1])<<7
			off += 2
		} else {
			v, n := binary.Uvarint(docs[off:])
			if n <= 0 || v>>1 >= noDoc {
				off = start
				break // decode reports it
			}
			d, off = v, off+n
		}
		doc := prev + 1 + int64(d>>1)
		if doc >= stop {
			off = start
			break
		}
		if d&1 != 0 {
			skip++
		} else {
			if off >= len(docs) {
				return c.fail()
			}
			code := docs[off]
			off++
			if code < codeSingle {
				if code&codeMaxTF == 0 {
					return c.fail()
				}
				skip += uint64(code & codeMaxTF)
			} else {
				if code <= codeMulti {
					return c.fail()
				}
				for fm := code &^ codeMulti; fm != 0; fm &= fm - 1 {
					v, n := binary.Uvarint(docs[min(off, len(docs)):])
					if n <= 0 || v == 0 || v > math.MaxUint32 {
						return c.fail()
					}
					skip += v
					off += n
				}
			}
		}
		prev = doc
	}
	c.off, c.posSkip, c.sumTF = off, skip, 0
	return c.decode(prev)
}

// skipLast is the last doc of the block before skip entry i.
func skipLast(skips []byte, i int) uint32 {
	return binary.LittleEndian.Uint32(skips[i*skipEntrySize:])
}

// posStart returns the offset in pos where the current doc's positions
// start.
func (c *textCursor) posStart() int {
	if c.posSkip > 0 {
		off, ok := skipVarints(c.pos, c.posOff, c.posSkip)
		if !ok {
			c.bad = true
		}
		c.posOff, c.posSkip = off, 0
	}
	return c.posOff
}

// posEnd returns the offset in pos where the current doc's positions end.
func (c *textCursor) posEnd() int {
	start := c.posStart()
	if c.v1 {
		return start + c.posLen
	}
	end, ok := skipVarints(c.pos, start, c.sumTF)
	if !ok {
		c.bad = true
	}
	return end
}

// skipVarints returns the offset after the n uvarints from off, or false
// (and len(buf)) when buf ends first. Eight bytes at a time: a word holds
// as many varint ends as bytes without the high bit.
func skipVarints(buf []byte, off int, n uint64) (int, bool) {
	for n >= 8 && off+8 <= len(buf) {
		w := binary.LittleEndian.Uint64(buf[off:])
		ends := uint64(bits.OnesCount64(^w & 0x8080808080808080))
		if ends > n {
			break
		}
		n -= ends
		off += 8
	}
	for ; n > 0; off++ {
		if off >= len(buf) {
			return len(buf), false
		}
		if buf[off] < 0x80 {
			n--
		}
	}
	return off, true
}

// positions decodes the current doc's positions in field f into buf.
func (c *textCursor) positions(f int, buf []uint32) []uint32 {
	buf = buf[:0]
	p, off, ok := c.fieldPositions(f)
	if !ok {
		return buf
	}
	buf, ok = decodePositions(p, off, int(c.tf[f]), buf)
	if !ok {
		c.bad = true
	}
	return buf
}

// fieldPositions returns the current doc's position stream and the offset
// of its positions in field f; false if it has none there, or on malformed
// bytes (which set bad).
func (c *textCursor) fieldPositions(f int) ([]byte, int, bool) {
	if c.mask&(1<<f) == 0 {
		return nil, 0, false
	}
	end := len(c.pos)
	if c.v1 {
		end = c.posOff + c.posLen
	}
	skip := uint64(0)
	for g := 0; g < f; g++ {
		if c.mask&(1<<g) != 0 {
			skip += uint64(c.tf[g])
		}
	}
	off, ok := skipVarints(c.pos[:end], c.posStart(), skip)
	if !ok {
		c.bad = true
		return nil, 0, false
	}
	return c.pos[:end], off, true
}

// decodePositions appends the n positions coded as uvarint deltas (the
// first from 0) at off of p to buf; false on malformed bytes.
func decodePositions(p []byte, off, n int, buf []uint32) ([]uint32, bool) {
	buf = slices.Grow(buf, n)
	if _, _, ok := decodeDeltas(p, off, 0, buf[len(buf):len(buf)+n]); !ok {
		return buf, false
	}
	return buf[:len(buf)+n], true
}

// decodeDeltas fills out with the positions coded as uvarint deltas from
// cur at off of p and returns the offset and position after them; false on
// malformed bytes or a position past 2^32-1. Positions are the bulk of
// what phrase verification reads: one- and two-byte deltas, by far the
// commonest, are decoded inline.
func decodeDeltas(p []byte, off int, cur uint64, out []uint32) (int, uint64, bool) {
	for k := range out {
		var d uint64
		if off+1 < len(p) {
			if b := p[off]; b < 0x80 {
				d = uint64(b)
				off++
			} else if b2 := p[off+1]; b2 < 0x80 {
				d = uint64(b&0x7f) | uint64(b2)<<7
				off += 2
			} else {
				v, m := binary.Uvarint(p[off:])
				if m <= 0 {
					return off, cur, false
				}
				d, off = v, off+m
			}
		} else {
			v, m := binary.Uvarint(p[min(off, len(p)):])
			if m <= 0 {
				return off, cur, false
			}
			d, off = v, off+m
		}
		cur += d
		if cur > math.MaxUint32 {
			return off, cur, false
		}
		out[k] = uint32(cur)
	}
	return off, cur, true
}

// posIter streams the current doc's positions in one field. It decodes
// them a block at a time in one tight loop (phrase verification reads
// every position of every candidate that does not match, so the per-
// position cost is what a phrase query costs) and hands them out one by
// one.
type posIter struct {
	p    []byte
	off  int
	left uint32 // positions not yet decoded
	cur  uint32
	bad  bool
	i, n int // buf[i:n] are decoded and not yet handed out
	buf  [posBlock]uint32
}

// A posIter decodes posFirstBlock positions first, then posBlock at a
// time.
const (
	posBlock      = 32
	posFirstBlock = 4
)

// posIter points it at the current doc's positions in field f.
func (c *textCursor) posIter(f int, it *posIter) {
	it.p, it.off, it.left, it.cur, it.bad, it.i, it.n = nil, 0, 0, 0, false, 0, 0
	if p, off, ok := c.fieldPositions(f); ok {
		it.p, it.off, it.left = p, off, c.tf[f]
	}
}

// next returns the next position; false at the end (or on malformed bytes,
// which set bad).
func (it *posIter) next() (uint32, bool) {
	if it.i == it.n && !it.fill() {
		return 0, false
	}
	v := it.buf[it.i]
	it.i++
	return v, true
}

// fill decodes the next block of positions. The first block is short: a
// phrase is usually found (and the merge stopped) within a doc's first few
// positions.
func (it *posIter) fill() bool {
	n := int(min(it.left, posBlock))
	if it.n == 0 {
		n = int(min(it.left, posFirstBlock))
	}
	if n == 0 {
		return false
	}
	off, cur, ok := decodeDeltas(it.p, it.off, uint64(it.cur), it.buf[:n])
	if !ok {
		return it.fail()
	}
	it.off, it.cur, it.left = off, uint32(cur), it.left-uint32(n)
	it.i, it.n = 0, n
	return true
}

func (it *posIter) fail() bool {
	it.bad, it.left, it.i, it.n = true, 0, 0, 0
	return false
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
