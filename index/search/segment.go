package search

// Segment file format, version 3 (versions 1 and 2 are still read).
//
// A segment is written once (segwrite.go) and then only read, mapped into
// memory. Integers are little-endian; uvarint is encoding/binary's unsigned
// varint. Layout:
//
//	magic    "KOTASEG\x00" (8 bytes)
//	sections one after another; the TOC says where each is
//	TOC      uvarint count, then per section:
//	           uvarint id, uvarint offset, uvarint length,
//	           uint32 CRC-32C (Castagnoli) of the section's bytes
//	footer   24 bytes: uint64 TOC offset, uint32 TOC length,
//	         uint32 CRC-32C of the TOC, uint32 format version, "KSEG"
//
// Sections (id: contents):
//
//	1 meta:    uvarint docs, uvarint min seq, uvarint max seq, then per text
//	           field (title, headings, tags, path, body) uvarint total length
//	2 docs:    (docs+1) uint32 offsets into the entries that follow; entry:
//	           uvarint seq (the store seq from which this version is live),
//	           uvarint len + key, uvarint len + title, uvarint body start
//	           (byte offset of the body in the text, after frontmatter)
//	3 norms:   per doc, per text field, uint32 length in tokens
//	4 text dictionary: vellum FST, term → offset in section 5
//	5 text postings: per term: uvarint df, uvarint docs stream length,
//	           uvarint pos stream length, the skip entries ((df-1)/128 of
//	           them, 12 bytes each: uint32 last doc before the block, uint32
//	           block offset in docs, uint32 block offset in pos), the docs
//	           stream, the pos stream (streams as described in postings.go,
//	           postings version 2). When df <= 3 the two lengths are left
//	           out (decoding the df entries and counting their positions
//	           finds them).
//	6 stem dictionary: vellum FST, stem → offset in section 7
//	7 stem table: per stem: uvarint df of the whole group (the docs holding
//	           any of its terms, the stem itself included when it is a term
//	           whose stem is itself), uvarint n, then the offsets in section 5
//	           of the postings of the n terms whose English stem is the stem
//	           (the stem itself excluded), in term order, as uvarints: the
//	           first, then each minus the previous
//	8 keyword dictionary: vellum FST, "field\x00value" → offset in section 9
//	9 keyword postings: per keyword: uvarint df, uvarint length, doc deltas
//	10 numeric: uvarint field count, per field: uvarint len + name, uvarint
//	           value count, uvarint length, then per value uvarint doc delta
//	           (from the previous value's doc, the first from -1) and uint64
//	           float64 bits
//	11 keys:   vellum FST, key → the newest doc with that key in the segment
//	12 trigrams (optional): the substring index of the docs' texts, in the
//	           format of package index/trigram (its own header, version and
//	           checksum); absent when the texts were not available to a merge
//	13 block checksums (version 3, written after every other section):
//	           uint8 log2 of the block size B, then per block of the file's
//	           bytes before this section ([0, B), [B, 2B), …, the last one
//	           shorter) uint32 CRC-32C of its bytes
//
// Version 2 has no section 13. Version 1 also differs in two sections: in
// 5, the header holds a uvarint skip count after df, and the streams are
// postings version 1; in 7, each member is uvarint len + term, uvarint
// offset.
//
// Unknown section ids are skipped, so later versions can add sections
// without breaking older readers of the same major format. Tombstones are
// not in the segment: they live in generation files (tombstones.go).
//
// Every section is checksummed; any mismatch or structural inconsistency
// is reported as an errs.CorruptionError. Versions 1 and 2 are verified
// whole when opened. A version 3 segment is opened verifying only its TOC,
// the block checksums and the small sections open parses (meta, norms,
// numeric): checksumming the whole file made opening an index cost more
// than answering a query. Every other byte is verified, by its blocks, the
// first time a read needs it (verify.go), before anything decoded from it
// is used; a mismatch is recorded as the segment's corruption, which
// Search and the catalog return instead of an answer. Check and merges
// verify everything. Decoders also bound-check everything, so even a
// segment whose checksums match but whose contents are wrong yields an
// error or an empty list, never a panic.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/vellum"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index/trigram"
	"github.com/kotadb/kotadb/internal/vfs"
)

// formatVersion is the segment format this build writes; it reads it and
// versions 1 and 2.
const formatVersion = 3

const (
	segmentMagic = "KOTASEG\x00"
	footerMagic  = "KSEG"
	footerSize   = 24
)

const (
	secMeta = iota + 1
	secDocs
	secNorms
	secTextDict
	secTextPostings
	secStemDict
	secStemTable
	secKeywordDict
	secKeywordPostings
	secNumeric
	secKeys
	secTrigrams
	secBlockSums
	numSections = secBlockSums
)

var sectionNames = [...]string{"", "meta", "docs", "norms", "text dictionary", "text postings", "stem dictionary", "stem table", "keyword dictionary", "keyword postings", "numeric", "keys", "trigrams", "block checksums"}

type tocEntry struct {
	id     uint32
	off    uint64
	length uint64
	crc    uint32
}

// segment is an open, immutable segment file.
type segment struct {
	id      uint64
	path    string
	data    []byte
	release func() error
	toc     []tocEntry
	version uint32 // format version

	numDocs    uint32
	minSeq     uint64
	maxSeq     uint64
	totals     [numTextFields]uint64
	docOffsets []byte
	docBlob    []byte
	normsData  []byte
	textFST    *vellum.FST
	textPost   []byte
	stemFST    *vellum.FST
	stemTable  []byte
	kwFST      *vellum.FST
	kwPost     []byte
	keysFST    *vellum.FST
	numCols    map[string]numericColumn
	triSection []byte // nil: no trigram index
	triOnce    sync.Once
	tri        *trigram.Reader
	triErr     error
	normTab    atomic.Pointer[normTable] // see fieldScorer.useTable
	// textDict and stemDict read the dictionaries' FSTs directly, for
	// lookups and walks (see fst.go); vellum's FSTs validate them at open
	// and serve Check and merges.
	textDict fstReader
	stemDict fstReader
	kwDict   fstReader
	keysDict fstReader

	// base is the file offset of each section, for the block checks of
	// verify.go; blocks is nil when the whole file was verified at open.
	base   [numSections + 1]uint64
	length [numSections + 1]uint64
	blocks *blockSums

	refs     atomic.Int32
	obsolete atomic.Bool // merged away: remove the file once unused
	// corrupt records the first structural problem met while reading, for
	// Search (which returns it) and Check.
	corrupt atomic.Pointer[errs.CorruptionError]
}

type numericColumn struct {
	count int
	data  []byte
}

func (s *segment) corruptf(where, format string, args ...any) *errs.CorruptionError {
	return &errs.CorruptionError{Path: s.path, Where: where, Detail: fmt.Sprintf(format, args...)}
}

// noteCorrupt keeps the first corruption found after open.
func (s *segment) noteCorrupt(e *errs.CorruptionError) {
	s.corrupt.CompareAndSwap(nil, e)
}

// openSegment maps and verifies a segment file.
func openSegment(fs vfs.FS, path string, id uint64) (*segment, error) {
	f, err := fs.OpenReadOnly(path)
	if err != nil {
		return nil, fmt.Errorf("open segment: %w", err)
	}
	data, release, err := vfs.ReadFile(f)
	cerr := f.Close()
	if err != nil {
		return nil, fmt.Errorf("read segment %s: %w", path, err)
	}
	if cerr != nil {
		release()
		return nil, fmt.Errorf("close segment %s: %w", path, cerr)
	}
	s, err := decode(path, data, true)
	if err != nil {
		release()
		return nil, err
	}
	s.id = id
	s.release = release
	return s, nil
}

// decodeSegment parses and verifies a whole segment held in data.
func decodeSegment(path string, data []byte) (*segment, error) {
	return decode(path, data, false)
}

// decode parses a segment held in data. It verifies the whole of it unless
// lazy is set and the segment has block checksums (version 3): then only
// what open reads is verified, and the rest on first use.
func decode(path string, data []byte, lazy bool) (s *segment, err error) {
	s = &segment{path: path, data: data}
	defer func() {
		// vellum decodes FST headers eagerly; a malformed one that slipped
		// past the checksums must not take the process down.
		if r := recover(); r != nil {
			s, err = nil, s.corruptf("dictionary", "malformed FST: %v", r)
		}
	}()
	if len(data) < len(segmentMagic)+footerSize {
		return nil, s.corruptf("header", "file is %d bytes, too short for a segment", len(data))
	}
	if string(data[:len(segmentMagic)]) != segmentMagic {
		return nil, s.corruptf("header", "bad magic %q", data[:len(segmentMagic)])
	}
	footer := data[len(data)-footerSize:]
	if string(footer[20:]) != footerMagic {
		return nil, s.corruptf("footer", "bad magic %q (truncated file?)", footer[20:])
	}
	switch v := binary.LittleEndian.Uint32(footer[16:]); {
	case v > formatVersion:
		return nil, fmt.Errorf("segment %s has format version %d, this build reads 1 to %d: %w", path, v, formatVersion, errs.ErrFormatVersion)
	case v < 1:
		return nil, s.corruptf("footer", "unknown format version %d", v)
	default:
		s.version = v
	}
	tocOff := binary.LittleEndian.Uint64(footer[0:])
	tocLen := uint64(binary.LittleEndian.Uint32(footer[8:]))
	bodyEnd := uint64(len(data) - footerSize)
	if tocOff < uint64(len(segmentMagic)) || tocOff > bodyEnd || tocLen != bodyEnd-tocOff {
		return nil, s.corruptf("footer", "TOC at %d+%d does not end at the footer (%d)", tocOff, tocLen, bodyEnd)
	}
	toc := data[tocOff:bodyEnd]
	if got, want := crc32.Checksum(toc, castagnoli), binary.LittleEndian.Uint32(footer[12:]); got != want {
		return nil, s.corruptf("TOC", "checksum %08x, want %08x", got, want)
	}
	if err := s.parseTOC(toc, tocOff); err != nil {
		return nil, err
	}
	sections := make([][]byte, numSections+1)
	for _, e := range s.toc {
		if e.id <= numSections {
			sections[e.id], s.base[e.id], s.length[e.id] = data[e.off:e.off+e.length], e.off, e.length
		}
	}
	for id := 1; id <= numSections; id++ {
		if sections[id] == nil && id != secTrigrams && (id != secBlockSums || s.version >= 3) {
			return nil, s.corruptf("TOC", "section %s missing", sectionNames[id])
		}
	}
	lazy = lazy && s.version >= 3
	for _, e := range s.toc {
		if lazy && !eagerSection(e.id) {
			continue
		}
		if got := crc32.Checksum(data[e.off:e.off+e.length], castagnoli); got != e.crc {
			return nil, s.corruptf(s.sectionName(e.id), "checksum %08x, want %08x", got, e.crc)
		}
	}
	if s.version >= 3 {
		b, err := s.parseBlockSums(sections[secBlockSums])
		if err != nil {
			return nil, err
		}
		if !lazy {
			if !b.verify(s, 0, b.end) {
				return nil, s.corrupt.Load()
			}
		} else {
			s.blocks = b
		}
	}
	if err := s.parseSections(sections); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *segment) sectionName(id uint32) string {
	if id < uint32(len(sectionNames)) && id > 0 {
		return "section " + sectionNames[id]
	}
	return fmt.Sprintf("section %d", id)
}

func (s *segment) parseTOC(toc []byte, tocOff uint64) error {
	r := byteReader{b: toc}
	n := r.uvarint()
	if n > uint64(len(toc)) {
		return s.corruptf("TOC", "%d sections in a %d-byte TOC", n, len(toc))
	}
	seen := map[uint32]bool{}
	for range n {
		id := r.uvarint()
		off := r.uvarint()
		length := r.uvarint()
		crc := r.uint32()
		if r.err {
			return s.corruptf("TOC", "truncated entry")
		}
		if id == 0 || id > math.MaxUint32 || seen[uint32(id)] {
			return s.corruptf("TOC", "bad or repeated section id %d", id)
		}
		seen[uint32(id)] = true
		if off < uint64(len(segmentMagic)) || length > tocOff || off > tocOff-length {
			return s.corruptf("TOC", "section %d at %d+%d outside the file body", id, off, length)
		}
		s.toc = append(s.toc, tocEntry{id: uint32(id), off: off, length: length, crc: crc})
	}
	if r.off != len(toc) {
		return s.corruptf("TOC", "%d trailing bytes", len(toc)-r.off)
	}
	return nil
}

func (s *segment) parseSections(sec [][]byte) error {
	r := byteReader{b: sec[secMeta]}
	numDocs := r.uvarint()
	s.minSeq = r.uvarint()
	s.maxSeq = r.uvarint()
	for f := range numTextFields {
		s.totals[f] = r.uvarint()
	}
	if r.err || numDocs >= noDoc || s.minSeq > s.maxSeq {
		return s.corruptf("section meta", "malformed (docs %d, seqs %d..%d)", numDocs, s.minSeq, s.maxSeq)
	}
	s.numDocs = uint32(numDocs)

	docs := sec[secDocs]
	offLen := 4 * (uint64(s.numDocs) + 1)
	if uint64(len(docs)) < offLen {
		return s.corruptf("section docs", "%d bytes, too short for %d docs", len(docs), s.numDocs)
	}
	s.docOffsets, s.docBlob = docs[:offLen], docs[offLen:]
	if last := binary.LittleEndian.Uint32(s.docOffsets[offLen-4:]); uint64(last) != uint64(len(s.docBlob)) {
		return s.corruptf("section docs", "entries end at %d, section has %d", last, len(s.docBlob))
	}
	s.normsData = sec[secNorms]
	if uint64(len(s.normsData)) != uint64(s.numDocs)*normsEntrySize {
		return s.corruptf("section norms", "%d bytes for %d docs", len(s.normsData), s.numDocs)
	}
	var err error
	if s.textFST, err = s.loadFST(secTextDict, sec[secTextDict]); err != nil {
		return err
	}
	if s.stemFST, err = s.loadFST(secStemDict, sec[secStemDict]); err != nil {
		return err
	}
	for _, d := range []struct {
		r  *fstReader
		id int
	}{{&s.textDict, secTextDict}, {&s.stemDict, secStemDict}, {&s.kwDict, secKeywordDict}, {&s.keysDict, secKeys}} {
		var ok bool
		if *d.r, ok = newFSTReader(sec[d.id]); !ok {
			return s.corruptf(s.sectionName(uint32(d.id)), "FST header or footer malformed")
		}
	}
	if s.kwFST, err = s.loadFST(secKeywordDict, sec[secKeywordDict]); err != nil {
		return err
	}
	if s.keysFST, err = s.loadFST(secKeys, sec[secKeys]); err != nil {
		return err
	}
	s.textPost, s.stemTable, s.kwPost = sec[secTextPostings], sec[secStemTable], sec[secKeywordPostings]
	s.triSection = sec[secTrigrams]
	return s.parseNumeric(sec[secNumeric])
}

func (s *segment) loadFST(id uint32, data []byte) (*vellum.FST, error) {
	fst, err := vellum.Load(data)
	if err != nil {
		return nil, &errs.CorruptionError{Path: s.path, Where: s.sectionName(id), Detail: "bad FST", Err: err}
	}
	return fst, nil
}

func (s *segment) parseNumeric(data []byte) error {
	r := byteReader{b: data}
	n := r.uvarint()
	if n > uint64(len(data)) {
		return s.corruptf("section numeric", "%d fields in %d bytes", n, len(data))
	}
	s.numCols = make(map[string]numericColumn, n)
	for range n {
		name := r.bytes()
		count := r.uvarint()
		body := r.bytes()
		if r.err || count > uint64(len(body)) {
			return s.corruptf("section numeric", "truncated field directory")
		}
		s.numCols[string(name)] = numericColumn{count: int(count), data: body}
	}
	if r.off != len(data) {
		return s.corruptf("section numeric", "%d trailing bytes", len(data)-r.off)
	}
	return nil
}

// close releases the mapping.
func (s *segment) close() error {
	if s.release == nil {
		return nil
	}
	err := s.release()
	s.release = nil
	return err
}

// The reader interface.

func (s *segment) docCount() uint32 { return s.numDocs }

// guard turns a panic inside vellum (a malformed FST that matched its
// checksum) into a recorded corruption.
func (s *segment) guard(where string) {
	if r := recover(); r != nil {
		s.noteCorrupt(s.corruptf(where, "malformed FST: %v", r))
	}
}

func (s *segment) textListAt(off uint64, where string) (textList, bool) {
	if off >= uint64(len(s.textPost)) {
		s.noteCorrupt(s.corruptf(where, "postings offset %d beyond %d", off, len(s.textPost)))
		return textList{}, false
	}
	l, end, ok := parseTextList(s.textPost, int(off), s.version, s.numDocs)
	if ok && !s.verified(secTextPostings, off, uint64(end)) {
		return textList{}, false
	}
	if !ok {
		// The bytes may be damaged rather than the offset: say so if
		// the checksums tell.
		if s.verified(secTextPostings, off, off+1) {
			s.noteCorrupt(s.corruptf(where, "malformed postings header at %d", off))
		}
	}
	return l, ok
}

// smallList is the document frequency up to which a version 2 postings
// header leaves the streams' lengths out: the df entries are decoded to
// find them (most terms occur in a document or two, and the lengths would
// double their headers).
const smallList = 3

// parseTextList reads the postings header at off of a text postings
// section of the given segment format version, and returns the list and
// where it ends.
func parseTextList(post []byte, off int, version uint32, numDocs uint32) (textList, int, bool) {
	r := byteReader{b: post, off: off}
	df := r.uvarint()
	if r.err || df == 0 || df > uint64(numDocs) {
		return textList{}, 0, false
	}
	if version >= 2 && df <= smallList {
		start, prev, sumTF := r.off, int64(-1), uint64(0)
		var e entry
		end := start
		for range df {
			if !decodeEntry(post, end, prev, false, &e) {
				return textList{}, 0, false
			}
			prev, end, sumTF = int64(e.doc), e.next, sumTF+e.sumTF
		}
		posEnd, ok := skipVarints(post, end, sumTF)
		if !ok {
			return textList{}, 0, false
		}
		return textList{docs: post[start:end], pos: post[end:posEnd], df: uint32(df)}, posEnd, true
	}
	nskip := (df - 1) / skipInterval
	if version == 1 {
		nskip = r.uvarint()
	}
	docsLen := r.uvarint()
	posLen := r.uvarint()
	skips := r.take(min(nskip, uint64(len(post))) * skipEntrySize)
	docs := r.take(docsLen)
	pos := r.take(posLen)
	if r.err {
		return textList{}, 0, false
	}
	return textList{docs: docs, pos: pos, skips: skips, df: uint32(df), v1: version == 1}, r.off, true
}
func (s *segment) lookupText(term []byte) (l textList, ok bool) {
	off, ok, bad := s.lookup(secTextDict, &s.textDict, term)
	if bad {
		s.noteCorrupt(s.corruptf("section text dictionary", "malformed FST"))
	}
	if !ok {
		return textList{}, false
	}
	return s.textListAt(off, "section text postings")
}

func (s *segment) stemAliases(stem []byte, fn func(l textList)) (groupDF uint32) {
	s.eachStemMember(stem, func(off uint64) {
		if l, ok := s.textListAt(off, "section stem table"); ok {
			fn(l)
		}
	}, &groupDF)
	return groupDF
}

// eachStemMember calls fn with the postings offset of each term of a stem
// group (the stem itself excluded) and sets groupDF.
func (s *segment) eachStemMember(stem []byte, fn func(off uint64), groupDF *uint32) {
	off, ok, bad := s.lookup(secStemDict, &s.stemDict, stem)
	if bad {
		s.noteCorrupt(s.corruptf("section stem dictionary", "malformed FST"))
	}
	if !ok {
		return
	}
	if off >= uint64(len(s.stemTable)) {
		s.noteCorrupt(s.corruptf("section stem table", "offset %d beyond %d", off, len(s.stemTable)))
		return
	}
	if s.blocks != nil {
		end, ok := s.stemEntryEnd(off)
		if !ok {
			s.noteCorrupt(s.corruptf("section stem table", "truncated entry at %d", off))
		}
		if !ok || !s.verified(secStemTable, off, end) {
			return
		}
	}
	r := byteReader{b: s.stemTable, off: int(off)}
	df := r.uvarint()
	n := r.uvarint()
	if df > uint64(s.numDocs) {
		s.noteCorrupt(s.corruptf("section stem table", "group df %d over %d docs", df, s.numDocs))
		return
	}
	toff := uint64(0)
	for i := range min(n, uint64(len(s.stemTable))) {
		if s.version == 1 {
			r.bytes() // the term
			toff = r.uvarint()
		} else if d := r.uvarint(); i == 0 {
			toff = d
		} else {
			toff += d
		}
		if r.err {
			s.noteCorrupt(s.corruptf("section stem table", "truncated entry at %d", off))
			return
		}
		fn(toff)
	}
	*groupDF = uint32(df)
}

// iterate runs fn over the FST's keys in [from, to) accepted by aut (nil:
// all) until fn returns false. The walk goes through a boundedAutomaton,
// so a malformed FST (cycles) that matched its checksums ends the walk
// with a recorded corruption instead of looping forever.
func (s *segment) iterate(fst *vellum.FST, where string, aut vellum.Automaton, from, to []byte, fn func(key []byte, val uint64) bool) {
	defer s.guard(where)
	b := &boundedAutomaton{inner: aut, budget: 256*len(s.data) + 1<<20}
	it, err := fst.Search(b, from, to)
	for err == nil {
		k, v := it.Current()
		if !fn(k, v) {
			return
		}
		err = it.Next()
	}
	if err != vellum.ErrIteratorDone {
		s.noteCorrupt(&errs.CorruptionError{Path: s.path, Where: where, Detail: "iterating", Err: err})
	}
	if b.exhausted {
		s.noteCorrupt(s.corruptf(where, "dictionary walk did not end (cyclic FST?)"))
	}
}

// maxKeyDepth bounds the keys a dictionary walk follows (bytes).
const maxKeyDepth = 1<<12 - 1

// boundedAutomaton wraps an automaton (nil: accept everything), tracking
// the key length in the low 12 bits of its state and counting transitions,
// so that a walk over a malformed FST stops.
type boundedAutomaton struct {
	inner     vellum.Automaton
	budget    int
	exhausted bool
}

func (b *boundedAutomaton) Start() int {
	if b.inner == nil {
		return 0
	}
	return b.inner.Start() << 12
}

func (b *boundedAutomaton) IsMatch(s int) bool {
	return b.inner == nil || b.inner.IsMatch(s>>12)
}

func (b *boundedAutomaton) CanMatch(s int) bool {
	if b.exhausted || s&maxKeyDepth >= maxKeyDepth {
		return false
	}
	return b.inner == nil || b.inner.CanMatch(s>>12)
}

func (b *boundedAutomaton) WillAlwaysMatch(int) bool { return false }

func (b *boundedAutomaton) Accept(s int, c byte) int {
	if b.budget--; b.budget <= 0 {
		b.exhausted = true
	}
	next := 0
	if b.inner != nil {
		next = b.inner.Accept(s>>12, c)
	}
	return next<<12 | (s&maxKeyDepth + 1)
}

// prefixEnd returns the smallest key greater than every key with the
// prefix, or nil when there is none.
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func (s *segment) prefixText(prefix []byte, fn func(term []byte, l textList) bool) {
	if !s.sectionVerified(secTextDict) {
		return
	}
	ok := s.textDict.prefixWalk(prefix, func(k []byte, off uint64) bool {
		l, ok := s.textListAt(off, "section text postings")
		return !ok || fn(k, l)
	})
	if !ok {
		s.noteCorrupt(s.corruptf("section text dictionary", "malformed FST"))
	}
}

func (s *segment) fuzzyText(l *levQuery, fn func(term []byte, dist int) bool) {
	if !s.sectionVerified(secTextDict) {
		return
	}
	if !l.walkFST(&s.textDict, func(key []byte, dist int, _ uint64) bool { return fn(key, dist) }) {
		s.noteCorrupt(s.corruptf("section text dictionary", "malformed FST"))
	}
}

func (s *segment) kwListAt(off uint64) (kwList, bool) {
	r := byteReader{b: s.kwPost, off: int(min(off, uint64(len(s.kwPost))))}
	df := r.uvarint()
	data := r.bytes()
	if r.err || off >= uint64(len(s.kwPost)) || df == 0 || df > uint64(s.numDocs) {
		if off >= uint64(len(s.kwPost)) || s.verified(secKeywordPostings, off, off+1) {
			s.noteCorrupt(s.corruptf("section keyword postings", "malformed list at %d", off))
		}
		return kwList{}, false
	}
	if !s.verified(secKeywordPostings, off, uint64(r.off)) {
		return kwList{}, false
	}
	return kwList{data: data, df: uint32(df)}, true
}

func (s *segment) lookupKeyword(key []byte) (kwList, bool) {
	off, ok, bad := s.lookup(secKeywordDict, &s.kwDict, key)
	if bad {
		s.noteCorrupt(s.corruptf("section keyword dictionary", "malformed FST"))
	}
	if !ok {
		return kwList{}, false
	}
	return s.kwListAt(off)
}

func (s *segment) rangeKeyword(from, to []byte, fn func(key []byte, l kwList) bool) {
	if !s.sectionVerified(secKeywordDict) {
		return
	}
	each := func(k []byte, off uint64) bool {
		l, ok := s.kwListAt(off)
		if !ok {
			return false
		}
		return fn(k, l)
	}
	// Prefix ranges (keyword prefixes, path prefixes) walk the FST
	// directly; other ranges go through vellum.
	if bytes.Equal(to, prefixEnd(from)) && len(from) > 0 {
		if !s.kwDict.prefixWalk(from, each) {
			s.noteCorrupt(s.corruptf("section keyword dictionary", "malformed FST"))
		}
		return
	}
	s.iterate(s.kwFST, "section keyword dictionary", nil, from, to, each)
}

func (s *segment) numeric(field string, fn func(doc uint32, v float64)) {
	col, ok := s.numCols[field]
	if !ok {
		return
	}
	r := byteReader{b: col.data}
	prev := int64(-1)
	for range col.count {
		d := r.uvarint()
		bits := r.uint64()
		doc := prev + int64(d)
		if r.err || d > uint64(s.numDocs) || doc >= int64(s.numDocs) || doc < 0 {
			s.noteCorrupt(s.corruptf("section numeric", "malformed column %s", field))
			return
		}
		fn(uint32(doc), math.Float64frombits(bits))
		prev = doc
	}
}

func (s *segment) docMeta(doc uint32) (docMeta, error) {
	if doc >= s.numDocs {
		return docMeta{}, s.corruptf("section docs", "doc %d of %d", doc, s.numDocs)
	}
	if !s.verified(secDocs, 4*uint64(doc), 4*uint64(doc)+8) {
		return docMeta{}, s.corrupt.Load()
	}
	start := binary.LittleEndian.Uint32(s.docOffsets[4*doc:])
	end := binary.LittleEndian.Uint32(s.docOffsets[4*doc+4:])
	if start > end || uint64(end) > uint64(len(s.docBlob)) {
		return docMeta{}, s.corruptf("section docs", "entry %d at %d..%d", doc, start, end)
	}
	blob := uint64(len(s.docOffsets))
	if !s.verified(secDocs, blob+uint64(start), blob+uint64(end)) {
		return docMeta{}, s.corrupt.Load()
	}
	r := byteReader{b: s.docBlob[start:end]}
	seq := r.uvarint()
	key := r.bytes()
	title := r.bytes()
	body := r.uvarint()
	if r.err || r.off != len(r.b) || body > math.MaxInt32 {
		return docMeta{}, s.corruptf("section docs", "malformed entry %d", doc)
	}
	return docMeta{key: string(key), title: string(title), seq: seq, bodyStart: int(body)}, nil
}

func (s *segment) norms() []byte { return s.normsData }

func (s *segment) lenSums() [numTextFields]uint64 { return s.totals }

func (s *segment) latest(key string) (doc uint32, ok bool) {
	v, ok, bad := s.lookup(secKeys, &s.keysDict, []byte(key))
	if bad {
		s.noteCorrupt(s.corruptf("section keys", "malformed FST"))
	}
	if !ok {
		return 0, false
	}
	if v >= uint64(s.numDocs) {
		s.noteCorrupt(s.corruptf("section keys", "key %q points at doc %d of %d", key, v, s.numDocs))
		return 0, false
	}
	return uint32(v), true
}

// trigrams opens the trigram section on first use: validating it reads the
// whole section, which opening the index should not pay for.
func (s *segment) trigrams() (trigramIndex, error) {
	if s.triSection == nil {
		return nil, nil
	}
	s.triOnce.Do(func() {
		// The section checks its own checksum, which covers all of it but
		// its magic, version and the checksum itself: verify those here,
		// so that damage there reads as damage, not as a newer format.
		if !s.verified(secTrigrams, 0, min(12, uint64(len(s.triSection)))) {
			s.triErr = s.corrupt.Load()
			return
		}
		s.tri, s.triErr = trigram.Open(s.triSection)
		var ce *errs.CorruptionError
		if errors.As(s.triErr, &ce) {
			c := *ce
			c.Path, c.Where = s.path, "section trigrams: "+ce.Where
			s.triErr = &c
		}
	})
	if s.triErr != nil {
		return nil, s.triErr
	}
	return s.tri, nil
}

// byteReader decodes varints and slices with bounds checks; after the
// first failure err is set and every read returns zero.
type byteReader struct {
	b   []byte
	off int
	err bool
}

func (r *byteReader) uvarint() uint64 {
	if r.err {
		return 0
	}
	v, n := binary.Uvarint(r.b[min(r.off, len(r.b)):])
	if n <= 0 {
		r.err = true
		return 0
	}
	r.off += n
	return v
}

func (r *byteReader) take(n uint64) []byte {
	if r.err || n > uint64(len(r.b)-r.off) {
		r.err = true
		return nil
	}
	b := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return b
}

func (r *byteReader) bytes() []byte { return r.take(r.uvarint()) }

func (r *byteReader) uint32() uint32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *byteReader) uint64() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}
