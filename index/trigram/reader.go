package trigram

// The trigram section, format version 1. All integers are little-endian;
// "uvarint" is encoding/binary's unsigned varint.
//
//	header (40 bytes)
//	  0  magic        "KTRI"
//	  4  version      uint32, formatVersion
//	  8  crc          uint32, CRC-32C (Castagnoli) of every byte after it
//	 12  numDocs      uint32, every document number is below it
//	 16  numTrigrams  uint32, entries in the table
//	 20  numBlocks    uint32, = ceil(numTrigrams / blockSize)
//	 24  universeN    uint32, documents in the universe
//	 28  universeLen  uint32, bytes of the universe list
//	 32  tableLen     uint32, bytes of the table
//	 36  postingsLen  uint32, bytes of the postings area
//	universe   the documents the section covers (universeLen bytes): a
//	           kind byte, 0 for the varint form or 1 for a bitset, then
//	           the universeN documents in that form (see below)
//	blocks     numBlocks × 12 bytes: firstKey, tableOff, postOff (uint32
//	           each); the first trigram of the block, where its part of
//	           the table starts, where its lists start in the postings
//	table      per block of n = min(blockSize, remaining) trigrams: their n
//	           keys, 3 bytes each, ascending; then n entries
//	postings   the posting lists, in table order
//
// A trigram key is its three bytes as a big-endian 24-bit number. An entry
// is
//
//	uvarint  count<<1 | bitset
//	uvarint  the document, if count is 1 (no posting list then)
//	uvarint  byte length of the list, if count > 1 and not bitset
//
// A list of count > 1 documents is a bitset of ceil(numDocs/8) bytes (bit
// d%8 of byte d/8 set for document d) when that is smaller than its varint
// form: the first document as a uvarint, then each gap minus one as a
// uvarint. A lookup binary-searches the block index, finds the key among
// the block's fixed-width keys and decodes the entries before it to find
// its list; nothing else is decoded until a list is needed.

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/kotadb/kotadb/errs"
)

const (
	formatVersion = 1
	magic         = "KTRI"
	headerSize    = 40
	blockSize     = 32 // table entries per block
	blockHdrSize  = 12

	universeVarint = 0 // universe kind byte: varint form
	universeBitset = 1 // universe kind byte: bitset form
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Reader answers queries from a trigram section. It reads the section's
// bytes in place (they may be mmapped) and is safe for concurrent use.
type Reader struct {
	numDocs  uint32
	numTrigs int
	all      *roaring.Bitmap
	blocks   []byte
	table    []byte
	postings []byte
}

// sectionHeader is the decoded fixed header.
type sectionHeader struct {
	version, crc, numDocs, numTrigrams, numBlocks uint32
	universeN, universeLen, tableLen, postingsLen uint32
}

// Open validates a trigram section written by Builder.WriteTo and returns a
// Reader over it. The Reader keeps section; the caller must not modify it.
// Damage is reported as an *errs.CorruptionError whose Path is "trigram
// section" (the caller knows the file and may set it); a section from a
// newer format wraps errs.ErrFormatVersion. Open checks the checksum and
// decodes every entry and list once, so later lookups can trust the layout.
func Open(section []byte) (*Reader, error) {
	h, err := readHeader(section)
	if err != nil {
		return nil, err
	}
	r := &Reader{numDocs: h.numDocs, numTrigs: int(h.numTrigrams)}
	off := headerSize
	universe := section[off : off+int(h.universeLen)]
	off += int(h.universeLen)
	r.blocks = section[off : off+int(h.numBlocks)*blockHdrSize]
	off += len(r.blocks)
	r.table = section[off : off+int(h.tableLen)]
	off += len(r.table)
	r.postings = section[off:]

	docs, err := decodeUniverse(universe, int(h.universeN), h.numDocs)
	if err != nil {
		return nil, corrupt(headerSize, "universe: %v", err)
	}
	r.all = roaring.New()
	r.all.AddMany(docs)
	if err := r.validateTable(); err != nil {
		return nil, err
	}
	return r, nil
}

func corrupt(off int, format string, args ...any) error {
	return &errs.CorruptionError{
		Path:   "trigram section",
		Where:  fmt.Sprintf("byte %d", off),
		Detail: fmt.Sprintf(format, args...),
	}
}

func readHeader(b []byte) (sectionHeader, error) {
	var h sectionHeader
	if len(b) < headerSize {
		return h, corrupt(0, "section is %d bytes, shorter than its %d-byte header", len(b), headerSize)
	}
	if string(b[:4]) != magic {
		return h, corrupt(0, "bad magic %q, want %q", b[:4], magic)
	}
	u32 := func(off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
	h = sectionHeader{
		version: u32(4), crc: u32(8), numDocs: u32(12), numTrigrams: u32(16),
		numBlocks: u32(20), universeN: u32(24), universeLen: u32(28),
		tableLen: u32(32), postingsLen: u32(36),
	}
	switch {
	case h.version > formatVersion:
		return h, fmt.Errorf("trigram section format version %d (this build reads %d): %w",
			h.version, formatVersion, errs.ErrFormatVersion)
	case h.version != formatVersion:
		return h, corrupt(4, "format version %d", h.version)
	}
	want := uint64(headerSize) + uint64(h.universeLen) + uint64(h.numBlocks)*blockHdrSize +
		uint64(h.tableLen) + uint64(h.postingsLen)
	if want != uint64(len(b)) {
		return h, corrupt(0, "header describes %d bytes, section has %d", want, len(b))
	}
	if got := crc32.Checksum(b[12:], castagnoli); got != h.crc {
		return h, corrupt(8, "checksum mismatch: stored %08x, computed %08x", h.crc, got)
	}
	if wantBlocks := (uint64(h.numTrigrams) + blockSize - 1) / blockSize; uint64(h.numBlocks) != wantBlocks {
		return h, corrupt(20, "%d blocks for %d trigrams, want %d", h.numBlocks, h.numTrigrams, wantBlocks)
	}
	if h.universeN > h.numDocs {
		return h, corrupt(24, "universe of %d documents, numDocs is %d", h.universeN, h.numDocs)
	}
	return h, nil
}

// bitsetLen is the size of a bitset over numDocs documents.
func bitsetLen(numDocs uint32) int { return int((uint64(numDocs) + 7) / 8) }

// decodeUniverse decodes the universe: a kind byte (universeVarint or
// universeBitset) and a list of want documents below numDocs.
func decodeUniverse(data []byte, want int, numDocs uint32) ([]uint32, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("missing kind byte")
	}
	p := posting{kind: kindVarint, data: data[1:], count: want}
	switch data[0] {
	case universeVarint:
	case universeBitset:
		p.kind = kindBitset
	default:
		return nil, fmt.Errorf("unknown list kind %d", data[0])
	}
	return checkPosting(p, numDocs, nil)
}

// checkPosting decodes p completely and checks that it holds exactly
// p.count strictly increasing documents below numDocs.
func checkPosting(p posting, numDocs uint32, dst []uint32) ([]uint32, error) {
	switch p.kind {
	case kindSingle:
		if p.single >= numDocs {
			return nil, fmt.Errorf("document %d, numDocs is %d", p.single, numDocs)
		}
		return append(dst, p.single), nil
	case kindBitset:
		if len(p.data) != bitsetLen(numDocs) {
			return nil, fmt.Errorf("bitset of %d bytes, want %d", len(p.data), bitsetLen(numDocs))
		}
		if n := len(p.data); n > 0 && numDocs%8 != 0 && p.data[n-1]>>(numDocs%8) != 0 {
			return nil, fmt.Errorf("bitset has documents beyond numDocs %d", numDocs)
		}
		start := len(dst)
		dst = p.decodeInto(dst)
		if got := len(dst) - start; got != p.count {
			return nil, fmt.Errorf("bitset holds %d documents, entry says %d", got, p.count)
		}
		return dst, nil
	}
	start := len(dst)
	prev := uint32(0)
	for i := 0; i < len(p.data); {
		v, next := readUvarint32(p.data, i)
		if next < 0 {
			return nil, fmt.Errorf("bad varint at list byte %d", i)
		}
		if n := len(dst) - start; n > 0 {
			if uint64(v)+uint64(prev)+1 >= uint64(numDocs) {
				return nil, fmt.Errorf("document beyond numDocs %d at list byte %d", numDocs, i)
			}
			v += prev + 1
		} else if v >= numDocs {
			return nil, fmt.Errorf("document %d beyond numDocs %d", v, numDocs)
		}
		if len(dst)-start == p.count {
			return nil, fmt.Errorf("list holds more than %d documents", p.count)
		}
		dst = append(dst, v)
		prev = v
		i = next
	}
	if got := len(dst) - start; got != p.count {
		return nil, fmt.Errorf("list holds %d documents, entry says %d", got, p.count)
	}
	return dst, nil
}

// validateTable walks every block and entry once, checking the block index
// against the entries, key order, list bounds and every list's contents.
func (r *Reader) validateTable() error {
	tableBase := headerSize + len(r.blocks) // only for error offsets
	var scratch []uint32
	tOff, pOff := 0, 0
	seen := 0
	prevKey := -1
	for b := 0; b*blockHdrSize < len(r.blocks); b++ {
		first, bt, bp := r.block(b)
		n := r.blockLen(b)
		if int(bt) != tOff || int(bp) != pOff {
			return corrupt(headerSize+b*blockHdrSize, "block %d starts at table %d, postings %d; the entries before end at %d, %d", b, bt, bp, tOff, pOff)
		}
		if tOff+keySize*n > len(r.table) {
			return corrupt(tableBase+tOff, "block %d: %d keys overrun the table", b, n)
		}
		for i := range n {
			key := r.key(tOff + keySize*i)
			if int(key) <= prevKey || (i == 0 && key != first) {
				return corrupt(tableBase+tOff+keySize*i, "block %d: key %06x out of order (previous %06x, block says %06x)", b, key, prevKey, first)
			}
			prevKey = int(key)
		}
		mOff := tOff + keySize*n
		for i := range n {
			p, next, err := r.decodeEntry(mOff, pOff)
			if err != nil {
				return corrupt(tableBase+mOff, "entry %d: %v", seen+i, err)
			}
			if scratch, err = checkPosting(p, r.numDocs, scratch[:0]); err != nil {
				return corrupt(tableBase+mOff, "entry %d (trigram %06x): %v", seen+i, r.key(tOff+keySize*i), err)
			}
			mOff, pOff = next, pOff+len(p.data)
		}
		tOff = mOff
		seen += n
	}
	if seen != r.numTrigs || tOff != len(r.table) || pOff != len(r.postings) {
		return corrupt(tableBase+tOff, "entries end at table %d/%d, postings %d/%d", tOff, len(r.table), pOff, len(r.postings))
	}
	return nil
}

const keySize = 3

// block returns block b's first key and its table and postings offsets.
func (r *Reader) block(b int) (first, tableOff, postOff uint32) {
	h := r.blocks[b*blockHdrSize:]
	return binary.LittleEndian.Uint32(h), binary.LittleEndian.Uint32(h[4:]), binary.LittleEndian.Uint32(h[8:])
}

// blockLen returns the number of entries in block b.
func (r *Reader) blockLen(b int) int { return min(blockSize, r.numTrigs-b*blockSize) }

// key reads the 3-byte key at table offset off.
func (r *Reader) key(off int) uint32 {
	k := r.table[off : off+keySize]
	return uint32(k[0])<<16 | uint32(k[1])<<8 | uint32(k[2])
}

// decodeEntry decodes the entry at table offset off whose list starts at
// postings offset pOff, returning its posting and the offset after it.
func (r *Reader) decodeEntry(off, pOff int) (posting, int, error) {
	var p posting
	ck, off := readUvarint32(r.table, off)
	if off < 0 {
		return p, 0, fmt.Errorf("bad count varint")
	}
	count, bitset := ck>>1, ck&1 == 1
	p.count = int(count)
	var n uint32
	switch {
	case count == 0:
		return p, 0, fmt.Errorf("empty posting list")
	case count == 1 && !bitset:
		if n, off = readUvarint32(r.table, off); off < 0 {
			return p, 0, fmt.Errorf("bad document varint")
		}
		p.kind, p.single = kindSingle, n
		return p, off, nil
	case count == 1:
		return p, 0, fmt.Errorf("bitset list of one document")
	case bitset:
		p.kind, n = kindBitset, uint32(bitsetLen(r.numDocs))
	default:
		if n, off = readUvarint32(r.table, off); off < 0 {
			return p, 0, fmt.Errorf("bad length varint")
		}
		p.kind = kindVarint
	}
	if uint64(pOff)+uint64(n) > uint64(len(r.postings)) {
		return p, 0, fmt.Errorf("list of %d bytes at postings %d overruns %d", n, pOff, len(r.postings))
	}
	p.data = r.postings[pOff : pOff+int(n)]
	return p, off, nil
}

// skipEntry returns the table offset after the entry at off and the
// postings bytes its list takes. Open validated the table.
func (r *Reader) skipEntry(off int) (next, listLen int) {
	ck, off := readUvarint32(r.table, off)
	switch {
	case ck>>1 == 1 && ck&1 == 0: // one document, inline
		_, off = readUvarint32(r.table, off)
		return off, 0
	case ck&1 == 1:
		return off, bitsetLen(r.numDocs)
	}
	n, off := readUvarint32(r.table, off)
	return off, int(n)
}

// lookup finds a trigram's posting list: a binary search of the block
// index, a scan of the block's keys, and a walk over the entries before
// the key's to find where its list starts.
func (r *Reader) lookup(key uint32) posting {
	// The last block whose first key is <= key.
	lo, hi := 0, len(r.blocks)/blockHdrSize
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if binary.LittleEndian.Uint32(r.blocks[mid*blockHdrSize:]) <= key {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	b := lo - 1
	if b < 0 {
		return posting{}
	}
	_, tOff32, pOff32 := r.block(b)
	tOff, pOff, n := int(tOff32), int(pOff32), r.blockLen(b)
	keys := r.table[tOff : tOff+keySize*n]
	k0, k1, k2 := byte(key>>16), byte(key>>8), byte(key)
	i := 0
	for ; i < n; i++ {
		if keys[3*i] == k0 && keys[3*i+1] == k1 && keys[3*i+2] == k2 {
			break
		}
	}
	if i == n {
		return posting{}
	}
	off := tOff + keySize*n
	for range i {
		next, listLen := r.skipEntry(off)
		off, pOff = next, pOff+listLen
	}
	p, _, err := r.decodeEntry(off, pOff)
	if err != nil {
		return posting{} // unreachable: Open validated every entry
	}
	return p
}

func (r *Reader) universe() *roaring.Bitmap { return r.all }

// Candidates returns the documents that may match q: a superset of the
// documents whose text satisfies the pattern q was planned from.
func (r *Reader) Candidates(q *Query) *roaring.Bitmap { return candidates(r, q) }

// NumTrigrams returns the number of distinct trigrams in the section.
func (r *Reader) NumTrigrams() int { return r.numTrigs }
