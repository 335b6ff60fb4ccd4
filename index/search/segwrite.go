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
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

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
	// The numbers of text terms and keywords and their total bytes, when
	// known (else 0), so that the writer sizes its arrays once: growing
	// them by appending held about twice their size at the final flush,
	// where a bulk build's heap peaks.
	numTerms, termBytes       int
	numKeywords, keywordBytes int
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

func newSectionWriter(w io.Writer) *sectionWriter {
	return &sectionWriter{w: bufio.NewWriterSize(w, 256<<10), crc: crc32.New(castagnoli)}
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
	sw := newSectionWriter(f)
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

// writeSections writes the sections in file order. The ones that do not
// depend on the text postings (keywords, numeric columns, keys, trigrams)
// and the text dictionary, which follows the postings as they are written,
// are sectionJobs: built on other cores when there are (see
// segwrite_jobs.go).
func writeSections(sw *sectionWriter, in *segmentInput) (err error) {
	if _, err := sw.Write([]byte(segmentMagic)); err != nil {
		return err
	}
	jobs := newSectionJobs()
	defer jobs.close()
	fsts := &fstPool{}
	// A helper builds the keyword sections while this goroutine writes
	// the documents and plans the stem groups, then the text dictionary
	// while it writes the postings.
	kw := jobs.add(false, func(s sectionSink) error { return writeKeywords(s, in, fsts) })
	num := jobs.add(false, func(s sectionSink) error { return writeNumeric(s, in) })

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
	offsets, blob = nil, nil
	keysJob := jobs.add(false, func(s sectionSink) error { return writeKeys(s, keys, fsts) })
	if err := sw.section(secNorms, in.norms); err != nil {
		return err
	}

	st, err := planStems(in)
	if err != nil {
		return err
	}
	termOff, dict, err := writeTextPostings(sw, in, st, jobs, fsts)
	if err != nil {
		return err
	}

	if err := jobs.writeTo(sw, dict); err != nil {
		return err
	}
	if err := writeStems(sw, st, termOff, fsts); err != nil {
		return err
	}
	for _, job := range []*sectionJob{kw, num, keysJob} {
		if err := jobs.writeTo(sw, job); err != nil {
			return err
		}
	}
	// The trigram section is not a job: built in memory it would be the
	// biggest buffer held (the section is a third of a head's segment),
	// and the peak of a bulk build's memory is its last flush, with the
	// head whole. Streamed last, it adds nothing.
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

// termBatch is how many terms' offsets the text postings writer hands to
// the text dictionary's builder at a time.
const termBatch = 4096

// postingsStage is the size of the pieces the text postings are written
// in.
const postingsStage = 32 << 10

// writeTextPostings streams the text postings to the file, keeping each
// term's offset for the dictionary, and counts the stem groups' documents
// (the groups were planned from the terms alone). The text dictionary is
// a job fed the offsets as they come (dict; its sections follow).
func writeTextPostings(sw *sectionWriter, in *segmentInput, st *stemPlan, jobs *sectionJobs, fsts *fstPool) (termOff []uint64, dict *sectionJob, err error) {
	n := len(st.termEnd)
	termOff = make([]uint64, n)
	// ready carries how many offsets are set, in steps; it never blocks
	// (room for every step) and is closed when the writer stops, done or
	// not, so that the dictionary's builder never waits forever.
	ready := make(chan int, n/termBatch+2)
	dict = jobs.add(true, func(s sectionSink) error {
		s.begin(secTextDict)
		b := fsts.get(s)
		avail := 0
		for i := range n {
			for i >= avail {
				var ok bool
				if avail, ok = <-ready; !ok {
					fsts.abandon(b)
					return fmt.Errorf("text postings not written")
				}
			}
			if err := b.insert(st.termAt(i), termOff[i]); err != nil {
				fsts.abandon(b)
				return fstKeyError(st.termAt(i), err)
			}
		}
		if err := fsts.close(b); err != nil {
			return err
		}
		s.end()
		return nil
	})
	defer close(ready)

	// The lists are staged in a buffer written out in large pieces:
	// most are a few bytes, and the writer's checksums cost per call.
	stage := make([]byte, 0, 2*postingsStage)
	var skips []byte
	i := 0
	sw.begin(secTextPostings)
	postStart := sw.off
	err = in.eachText(func(term []byte, docs, pos []byte, df uint32) error {
		if i >= n || string(term) != string(st.termAt(i)) {
			return fmt.Errorf("text term %d (%q) is not the one planned", i, term)
		}
		if len(docs) > math.MaxUint32 || len(pos) > math.MaxUint32 {
			return fmt.Errorf("postings of %q over 4 GiB", term)
		}
		termOff[i] = sw.off + uint64(len(stage)) - postStart
		if err := st.count(i, docs, df); err != nil {
			return fmt.Errorf("postings of %q: %w", term, err)
		}
		var err error
		skips, err = buildSkips(skips[:0], docs, pos, df)
		if err != nil {
			return fmt.Errorf("postings of %q: %w", term, err)
		}
		stage = binary.AppendUvarint(stage, uint64(df))
		if df > smallList {
			stage = binary.AppendUvarint(stage, uint64(len(docs)))
			stage = binary.AppendUvarint(stage, uint64(len(pos)))
		}
		stage = append(stage, skips...)
		if len(docs)+len(pos) < postingsStage {
			stage = append(append(stage, docs...), pos...)
		} else {
			// A long list goes straight to the writer.
			for _, b := range [][]byte{stage, docs, pos} {
				if _, err := sw.Write(b); err != nil {
					return err
				}
			}
			stage = stage[:0]
		}
		if len(stage) >= postingsStage {
			if _, err := sw.Write(stage); err != nil {
				return err
			}
			stage = stage[:0]
		}
		if i++; i%termBatch == 0 {
			ready <- i
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if i != n {
		return nil, nil, fmt.Errorf("%d text terms written, %d planned", i, n)
	}
	if _, err := sw.Write(stage); err != nil {
		return nil, nil, err
	}
	sw.end()
	ready <- n
	return termOff, dict, nil
}

// writeStems writes the stem groups: table entries then the dictionary
// over them.
func writeStems(sw *sectionWriter, st *stemPlan, termOff []uint64, fsts *fstPool) error {
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
	if err := fsts.build(sw, len(st.stems), func(i int) ([]byte, uint64) { return []byte(st.stems[i].stem), stemOff[i] }); err != nil {
		return err
	}
	sw.end()
	return nil
}

// writeKeywords writes the keyword postings and their dictionary.
func writeKeywords(s sectionSink, in *segmentInput, fsts *fstPool) error {
	var hdr []byte
	kwKeys := make([]byte, 0, in.keywordBytes)
	kwEnd := make([]uint32, 0, in.numKeywords)
	kwOff := make([]uint64, 0, in.numKeywords)
	off := uint64(0)
	s.begin(secKeywordPostings)
	err := in.eachKeyword(func(key []byte, docs []byte, df uint32) error {
		kwOff = append(kwOff, off)
		kwKeys = append(kwKeys, key...)
		kwEnd = append(kwEnd, uint32(len(kwKeys)))
		hdr = binary.AppendUvarint(hdr[:0], uint64(df))
		hdr = binary.AppendUvarint(hdr, uint64(len(docs)))
		off += uint64(len(hdr) + len(docs))
		if _, err := s.Write(hdr); err != nil {
			return err
		}
		_, err := s.Write(docs)
		return err
	})
	if err != nil {
		return err
	}
	s.end()
	s.begin(secKeywordDict)
	err = fsts.build(s, len(kwOff), func(i int) ([]byte, uint64) {
		s := uint32(0)
		if i > 0 {
			s = kwEnd[i-1]
		}
		return kwKeys[s:kwEnd[i]], kwOff[i]
	})
	if err != nil {
		return err
	}
	s.end()
	return nil
}

// writeNumeric writes the numeric columns.
func writeNumeric(s sectionSink, in *segmentInput) error {
	var num []byte
	var nfields int
	var body []byte
	err := in.eachNumeric(func(field string, values []numEntry) error {
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
	s.begin(secNumeric)
	s.Write(binary.AppendUvarint(nil, uint64(nfields)))
	_, err = s.Write(num)
	s.end()
	return err
}

// writeKeys writes the keys section: each key's newest doc in this
// segment.
func writeKeys(s sectionSink, keys map[string]uint32, fsts *fstPool) error {
	keyList := make([]string, 0, len(keys))
	for k := range keys {
		keyList = append(keyList, k)
	}
	sort.Strings(keyList)
	s.begin(secKeys)
	if err := fsts.build(s, len(keyList), func(i int) ([]byte, uint64) {
		return []byte(keyList[i]), uint64(keys[keyList[i]])
	}); err != nil {
		return err
	}
	s.end()
	return nil
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
	return (&fstPool{}).build(w, n, kv)
}

// fstPool lends the one FST builder of a segment write to its
// dictionaries in turn: a builder's registry and transitions are most of
// what building a dictionary holds, and the jobs building dictionaries
// on other goroutines would otherwise each have one at the write's peak.
// (The text dictionary's builder, waiting on the postings, never blocks
// the writer: the writer asks for the builder only after the postings.)
type fstPool struct {
	once sync.Once
	lent chan *fstBuilder // holds the builder when it is free
}

func (p *fstPool) get(w io.Writer) *fstBuilder {
	p.once.Do(func() {
		p.lent = make(chan *fstBuilder, 1)
		p.lent <- &fstBuilder{}
	})
	b := <-p.lent
	b.reset(w)
	return b
}

// close finishes b's FST and gives b back.
func (p *fstPool) close(b *fstBuilder) error {
	err := b.close()
	p.lent <- b
	return err
}

// abandon gives b back after a failed build.
func (p *fstPool) abandon(b *fstBuilder) { p.lent <- b }

// build writes an FST of n sorted keys with their values.
func (p *fstPool) build(w io.Writer, n int, kv func(i int) ([]byte, uint64)) error {
	b := p.get(w)
	for i := range n {
		k, v := kv(i)
		if err := b.insert(k, v); err != nil {
			p.abandon(b)
			return fstKeyError(k, err)
		}
	}
	return p.close(b)
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
	st := &stemPlan{terms: make([]byte, 0, in.termBytes), termEnd: make([]uint32, 0, in.numTerms)}
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
	slices.SortFunc(st.stems, func(a, b stemGroup) int { return strings.Compare(a.stem, b.stem) })
	st.groupOf = make([]int32, len(st.termEnd))
	for i := range st.groupOf {
		st.groupOf[i] = -1
	}
	for gi := range st.stems {
		g := &st.stems[gi]
		for _, m := range g.members {
			st.groupOf[m] = int32(gi)
		}
		// The stem is in its group when it is a term that stems to
		// itself; most stems are not terms, so look it up first.
		stem := []byte(g.stem)
		i, ok := sort.Find(len(st.termEnd), func(i int) int { return bytes.Compare(stem, st.termAt(i)) })
		if ok && stemmer.Stem(stem) == g.stem {
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
