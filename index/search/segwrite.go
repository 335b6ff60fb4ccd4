package search

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum"

	"github.com/kotadb/kotadb/index/analysis"
	"github.com/kotadb/kotadb/internal/vfs"
)

// segmentInput is everything a segment is written from: the head at flush
// time or several segments being merged. Doc ids are 0..numDocs-1.
type segmentInput struct {
	numDocs uint32
	minSeq  uint64
	maxSeq  uint64
	docMeta func(doc uint32) (docMeta, error)
	norms   []byte // normsEntrySize per doc
	totals  [numTextFields]uint64
	// eachText calls fn for every text term in increasing byte order with
	// its postings streams (see postings.go).
	eachText func(fn func(term []byte, docs, pos []byte, df uint32) error) error
	// eachTerm, when set, calls fn for every text term in eachText's order,
	// without the postings (a cheaper first pass for merges).
	eachTerm func(fn func(term []byte) error) error
	// stemAliases, when set, returns what planStems would find by stemming
	// every term: each stem with its terms other than itself (indexes in
	// eachText order, ascending). The head knows them already.
	stemAliases func() map[string][]int
	// eachKeyword calls fn for every keyword (kwKey form) in increasing
	// order with its doc-delta stream.
	eachKeyword func(fn func(key []byte, docs []byte, df uint32) error) error
	// eachNumeric calls fn for every numeric field in increasing name order
	// with its values in doc order.
	eachNumeric func(fn func(field string, values []numEntry) error) error
	// trigrams writes the trigram section; nil leaves it out.
	trigrams func(w io.Writer) error
}

// sectionWriter writes sections one after another, checksumming each and
// every block of the file (see blockSection).
type sectionWriter struct {
	w   *bufio.Writer
	off uint64
	crc hash.Hash32
	toc []tocEntry
	cur tocEntry

	blockCRC uint32 // of the bytes of the current block so far
	sums     []byte // of the blocks done
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (s *sectionWriter) Write(p []byte) (int, error) {
	start := s.off
	n, err := s.w.Write(p)
	s.off += uint64(n)
	s.crc.Write(p[:n])
	s.sumBlocks(start, p[:n])
	return n, err
}

// sumBlocks adds p, written at file offset off, to the block checksums.
func (s *sectionWriter) sumBlocks(off uint64, p []byte) {
	size := uint64(1) << segmentBlockShift
	for len(p) > 0 {
		n := min(uint64(len(p)), size-off%size)
		s.blockCRC = crc32.Update(s.blockCRC, castagnoli, p[:n])
		off += n
		p = p[n:]
		if off%size == 0 {
			s.sums = binary.LittleEndian.AppendUint32(s.sums, s.blockCRC)
			s.blockCRC = 0
		}
	}
}

// blockSection is the block checksum section of everything written so far.
func (s *sectionWriter) blockSection() []byte {
	out := append([]byte{segmentBlockShift}, s.sums...)
	if s.off%(1<<segmentBlockShift) != 0 {
		out = binary.LittleEndian.AppendUint32(out, s.blockCRC)
	}
	return out
}

func (s *sectionWriter) begin(id uint32) {
	s.cur = tocEntry{id: id, off: s.off}
	s.crc.Reset()
}

func (s *sectionWriter) end() {
	s.cur.length = s.off - s.cur.off
	s.cur.crc = s.crc.Sum32()
	s.toc = append(s.toc, s.cur)
}

// section writes one whole section from a byte slice.
func (s *sectionWriter) section(id uint32, data []byte) error {
	s.begin(id)
	_, err := s.Write(data)
	s.end()
	return err
}

// writeSegment writes a segment file at path and syncs it. On error the
// partial file is left for the caller (or the next Open) to remove.
func writeSegment(fs vfs.FS, path string, in *segmentInput) (size int64, err error) {
	f, err := fs.Create(path)
	if err != nil {
		return 0, fmt.Errorf("create segment %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close segment %s: %w", path, cerr)
		}
	}()
	sw := &sectionWriter{w: bufio.NewWriterSize(f, 256<<10), crc: crc32.New(castagnoli)}
	if err := writeSections(sw, in); err != nil {
		return 0, fmt.Errorf("write segment %s: %w", path, err)
	}
	if err := sw.w.Flush(); err != nil {
		return 0, fmt.Errorf("write segment %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("sync segment %s: %w", path, err)
	}
	return int64(sw.off), nil
}

func writeSections(sw *sectionWriter, in *segmentInput) error {
	if _, err := sw.Write([]byte(segmentMagic)); err != nil {
		return err
	}

	// meta
	var meta []byte
	meta = binary.AppendUvarint(meta, uint64(in.numDocs))
	meta = binary.AppendUvarint(meta, in.minSeq)
	meta = binary.AppendUvarint(meta, in.maxSeq)
	for _, t := range in.totals {
		meta = binary.AppendUvarint(meta, t)
	}
	if err := sw.section(secMeta, meta); err != nil {
		return err
	}

	// docs: offsets then entries; keys collects each key's newest doc.
	offsets := make([]byte, 0, 4*(in.numDocs+1))
	var blob []byte
	keys := make(map[string]uint32, in.numDocs)
	for d := range in.numDocs {
		m, err := in.docMeta(d)
		if err != nil {
			return err
		}
		if len(blob) > math.MaxUint32 {
			return fmt.Errorf("doc table over 4 GiB")
		}
		offsets = binary.LittleEndian.AppendUint32(offsets, uint32(len(blob)))
		blob = binary.AppendUvarint(blob, m.seq)
		blob = binary.AppendUvarint(blob, uint64(len(m.key)))
		blob = append(blob, m.key...)
		blob = binary.AppendUvarint(blob, uint64(len(m.title)))
		blob = append(blob, m.title...)
		blob = binary.AppendUvarint(blob, uint64(m.bodyStart))
		keys[m.key] = d
	}
	offsets = binary.LittleEndian.AppendUint32(offsets, uint32(len(blob)))
	sw.begin(secDocs)
	sw.Write(offsets)
	if _, err := sw.Write(blob); err != nil {
		return err
	}
	sw.end()
	if err := sw.section(secNorms, in.norms); err != nil {
		return err
	}

	// Text postings, streamed to the file: each term's offset is kept for
	// the dictionary. The stem groups' document counts need the members'
	// lists, so the groups are planned first from the terms alone and each
	// list is counted into its group as it goes by.
	st, err := planStems(in)
	if err != nil {
		return err
	}
	termOff := make([]uint64, 0, len(st.termEnd))
	var hdr, skips []byte
	sw.begin(secTextPostings)
	postStart := sw.off
	err = in.eachText(func(term []byte, docs, pos []byte, df uint32) error {
		i := len(termOff)
		if i >= len(st.termEnd) || string(term) != string(st.termAt(i)) {
			return fmt.Errorf("text term %d (%q) is not the one planned", i, term)
		}
		if len(docs) > math.MaxUint32 || len(pos) > math.MaxUint32 {
			return fmt.Errorf("postings of %q over 4 GiB", term)
		}
		termOff = append(termOff, sw.off-postStart)
		if err := st.count(i, docs, df); err != nil {
			return fmt.Errorf("postings of %q: %w", term, err)
		}
		skips, err := buildSkips(skips[:0], docs, pos, df)
		if err != nil {
			return fmt.Errorf("postings of %q: %w", term, err)
		}
		hdr = binary.AppendUvarint(hdr[:0], uint64(df))
		if df > smallList {
			hdr = binary.AppendUvarint(hdr, uint64(len(docs)))
			hdr = binary.AppendUvarint(hdr, uint64(len(pos)))
		}
		for _, b := range [][]byte{hdr, skips, docs, pos} {
			if _, err := sw.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(termOff) != len(st.termEnd) {
		return fmt.Errorf("%d text terms written, %d planned", len(termOff), len(st.termEnd))
	}
	sw.end()
	sw.begin(secTextDict)
	if err := buildFST(sw, len(termOff), func(i int) ([]byte, uint64) { return st.termAt(i), termOff[i] }); err != nil {
		return err
	}
	sw.end()

	// stem groups: table entries then the dictionary over them.
	stemOff := make([]uint64, len(st.stems))
	sw.begin(secStemTable)
	tableStart := sw.off
	var entry []byte
	for i, g := range st.stems {
		stemOff[i] = sw.off - tableStart
		entry = binary.AppendUvarint(entry[:0], uint64(st.df(i)))
		entry = binary.AppendUvarint(entry, uint64(len(g.members)))
		prev := uint64(0)
		for _, m := range g.members {
			entry = binary.AppendUvarint(entry, termOff[m]-prev)
			prev = termOff[m]
		}
		if _, err := sw.Write(entry); err != nil {
			return err
		}
	}
	sw.end()
	sw.begin(secStemDict)
	if err := buildFST(sw, len(st.stems), func(i int) ([]byte, uint64) { return []byte(st.stems[i].stem), stemOff[i] }); err != nil {
		return err
	}
	sw.end()

	// keywords
	var kwKeys []byte
	var kwEnd []uint32
	var kwOff []uint64
	sw.begin(secKeywordPostings)
	kwStart := sw.off
	err = in.eachKeyword(func(key []byte, docs []byte, df uint32) error {
		kwOff = append(kwOff, sw.off-kwStart)
		kwKeys = append(kwKeys, key...)
		kwEnd = append(kwEnd, uint32(len(kwKeys)))
		hdr = binary.AppendUvarint(hdr[:0], uint64(df))
		hdr = binary.AppendUvarint(hdr, uint64(len(docs)))
		if _, err := sw.Write(hdr); err != nil {
			return err
		}
		_, err := sw.Write(docs)
		return err
	})
	if err != nil {
		return err
	}
	sw.end()
	sw.begin(secKeywordDict)
	err = buildFST(sw, len(kwOff), func(i int) ([]byte, uint64) {
		s := uint32(0)
		if i > 0 {
			s = kwEnd[i-1]
		}
		return kwKeys[s:kwEnd[i]], kwOff[i]
	})
	if err != nil {
		return err
	}
	sw.end()

	// numeric columns
	var num []byte
	var nfields int
	var body []byte
	err = in.eachNumeric(func(field string, values []numEntry) error {
		nfields++
		body = body[:0]
		prev := int64(-1)
		for _, v := range values {
			if int64(v.doc) < prev {
				return fmt.Errorf("numeric field %s: docs out of order", field)
			}
			body = binary.AppendUvarint(body, uint64(int64(v.doc)-prev))
			body = binary.LittleEndian.AppendUint64(body, math.Float64bits(v.value))
			prev = int64(v.doc)
		}
		num = binary.AppendUvarint(num, uint64(len(field)))
		num = append(num, field...)
		num = binary.AppendUvarint(num, uint64(len(values)))
		num = binary.AppendUvarint(num, uint64(len(body)))
		num = append(num, body...)
		return nil
	})
	if err != nil {
		return err
	}
	if err := sw.section(secNumeric, append(binary.AppendUvarint(nil, uint64(nfields)), num...)); err != nil {
		return err
	}

	// keys: each key's newest doc in this segment.
	keyList := make([]string, 0, len(keys))
	for k := range keys {
		keyList = append(keyList, k)
	}
	sort.Strings(keyList)
	sw.begin(secKeys)
	if err := buildFST(sw, len(keyList), func(i int) ([]byte, uint64) {
		return []byte(keyList[i]), uint64(keys[keyList[i]])
	}); err != nil {
		return err
	}
	sw.end()

	if in.trigrams != nil {
		sw.begin(secTrigrams)
		if err := in.trigrams(sw); err != nil {
			return fmt.Errorf("trigram section: %w", err)
		}
		sw.end()
	}
	if err := sw.section(secBlockSums, sw.blockSection()); err != nil {
		return err
	}
	return writeTOC(sw)
}

// writeTOC writes the table of contents and the footer.
func writeTOC(sw *sectionWriter) error {
	var toc []byte
	toc = binary.AppendUvarint(toc, uint64(len(sw.toc)))
	for _, e := range sw.toc {
		toc = binary.AppendUvarint(toc, uint64(e.id))
		toc = binary.AppendUvarint(toc, e.off)
		toc = binary.AppendUvarint(toc, e.length)
		toc = binary.LittleEndian.AppendUint32(toc, e.crc)
	}
	tocOff := sw.off
	if _, err := sw.w.Write(toc); err != nil {
		return err
	}
	var footer [footerSize]byte
	binary.LittleEndian.PutUint64(footer[0:], tocOff)
	binary.LittleEndian.PutUint32(footer[8:], uint32(len(toc)))
	binary.LittleEndian.PutUint32(footer[12:], crc32.Checksum(toc, castagnoli))
	binary.LittleEndian.PutUint32(footer[16:], formatVersion)
	copy(footer[20:], footerMagic)
	_, err := sw.w.Write(footer[:])
	sw.off = tocOff + uint64(len(toc)) + footerSize
	return err
}

// buildFST writes an FST of n sorted keys with their values.
func buildFST(w io.Writer, n int, kv func(i int) ([]byte, uint64)) error {
	b, err := vellum.New(w, nil)
	if err != nil {
		return err
	}
	for i := range n {
		k, v := kv(i)
		if err := b.Insert(k, v); err != nil {
			return fmt.Errorf("dictionary key %q: %w", k, err)
		}
	}
	return b.Close()
}

// buildSkips computes the skip entries of a term's streams (postings
// version 2): one per skipInterval postings after the first block, (df-1)/
// skipInterval of them.
func buildSkips(skips, docs, pos []byte, df uint32) ([]byte, error) {
	if df <= skipInterval {
		return skips, nil
	}
	prev := int64(-1)
	posOff := 0
	var e entry
	for n, off := 0, 0; off < len(docs); n++ {
		if n > 0 && n%skipInterval == 0 {
			skips = binary.LittleEndian.AppendUint32(skips, uint32(prev))
			skips = binary.LittleEndian.AppendUint32(skips, uint32(off))
			skips = binary.LittleEndian.AppendUint32(skips, uint32(posOff))
		}
		if !decodeEntry(docs, off, prev, false, &e) {
			return nil, fmt.Errorf("malformed docs stream at %d", off)
		}
		var ok bool
		if posOff, ok = skipVarints(pos, posOff, e.sumTF); !ok {
			return nil, fmt.Errorf("positions end before doc %d's", e.doc)
		}
		prev, off = int64(e.doc), e.next
	}
	if len(skips) != int(df-1)/skipInterval*skipEntrySize {
		return nil, fmt.Errorf("%d skip entries for %d docs", len(skips)/skipEntrySize, df)
	}
	return skips, nil
}

// stemPlan is the text terms of a segment and their stem groups: every
// stemmable term belongs to the group of its stem, and a group is written
// (with its document count and its members, the terms other than the stem)
// when it has a member. Its count is that of the union of its terms' lists,
// the stem's own included when the stem is a term that stems to itself.
type stemPlan struct {
	terms   []byte // all terms, concatenated
	termEnd []uint32
	stems   []stemGroup // sorted by stem
	// groupOf is each term's index in stems, or -1.
	groupOf []int32
}

type stemGroup struct {
	stem    string
	members []int // term indexes, ascending
	nterms  int   // members, plus the stem if it is in the group
	dfSum   uint32
	docs    *roaring.Bitmap // the union, when the group has several terms
}

// planStems reads the terms (eachTerm, or eachText when there is none) and
// plans the stem groups.
func planStems(in *segmentInput) (*stemPlan, error) {
	st := &stemPlan{}
	var stemmer analysis.Stemmer
	aliases := map[string][]int{}
	add := func(term []byte) error {
		i := len(st.termEnd)
		st.terms = append(st.terms, term...)
		st.termEnd = append(st.termEnd, uint32(len(st.terms)))
		if analysis.Stemmable(term) {
			if s := stemmer.Stem(term); s != string(term) {
				aliases[s] = append(aliases[s], i)
			}
		}
		return nil
	}
	if in.stemAliases != nil {
		add = func(term []byte) error {
			st.terms = append(st.terms, term...)
			st.termEnd = append(st.termEnd, uint32(len(st.terms)))
			return nil
		}
	}
	var err error
	if in.eachTerm != nil {
		err = in.eachTerm(add)
	} else {
		err = in.eachText(func(term []byte, _, _ []byte, _ uint32) error { return add(term) })
	}
	if err != nil {
		return nil, err
	}
	if in.stemAliases != nil {
		aliases = in.stemAliases()
	}
	st.stems = make([]stemGroup, 0, len(aliases))
	for s, members := range aliases {
		st.stems = append(st.stems, stemGroup{stem: s, members: members, nterms: len(members)})
	}
	sort.Slice(st.stems, func(i, j int) bool { return st.stems[i].stem < st.stems[j].stem })
	st.groupOf = make([]int32, len(st.termEnd))
	for i := range st.groupOf {
		st.groupOf[i] = -1
	}
	for gi := range st.stems {
		g := &st.stems[gi]
		for _, m := range g.members {
			st.groupOf[m] = int32(gi)
		}
		if stemmer.Stem([]byte(g.stem)) != g.stem {
			continue
		}
		stem := []byte(g.stem)
		if i, ok := sort.Find(len(st.termEnd), func(i int) int { return bytes.Compare(stem, st.termAt(i)) }); ok {
			st.groupOf[i] = int32(gi)
			g.nterms++
		}
	}
	return st, nil
}

func (st *stemPlan) termAt(i int) []byte {
	s := uint32(0)
	if i > 0 {
		s = st.termEnd[i-1]
	}
	return st.terms[s:st.termEnd[i]]
}

// count adds term i's list (its docs stream, version 2) to its group.
func (st *stemPlan) count(i int, docs []byte, df uint32) error {
	g := st.groupOf[i]
	if g < 0 {
		return nil
	}
	grp := &st.stems[g]
	if grp.nterms == 1 {
		grp.dfSum = df
		return nil
	}
	if grp.docs == nil {
		grp.docs = roaring.New()
	}
	prev := int64(-1)
	var e entry
	for off := 0; off < len(docs); {
		if !decodeEntry(docs, off, prev, false, &e) {
			return fmt.Errorf("malformed docs stream at %d", off)
		}
		grp.docs.Add(e.doc)
		prev, off = int64(e.doc), e.next
	}
	return nil
}

// df is the document count of group i.
func (st *stemPlan) df(i int) uint32 {
	g := &st.stems[i]
	if g.docs != nil {
		return uint32(g.docs.GetCardinality())
	}
	return g.dfSum
}
