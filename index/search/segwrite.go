package search

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"sort"
	"strings"

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
	// eachKeyword calls fn for every keyword (kwKey form) in increasing
	// order with its doc-delta stream.
	eachKeyword func(fn func(key []byte, docs []byte, df uint32) error) error
	// eachNumeric calls fn for every numeric field in increasing name order
	// with its values in doc order.
	eachNumeric func(fn func(field string, values []numEntry) error) error
	// trigrams writes the trigram section; nil leaves it out.
	trigrams func(w io.Writer) error
}

// sectionWriter writes sections one after another, checksumming each.
type sectionWriter struct {
	w   *bufio.Writer
	off uint64
	crc hash.Hash32
	toc []tocEntry
	cur tocEntry
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (s *sectionWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.off += uint64(n)
	s.crc.Write(p[:n])
	return n, err
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
	if _, err := sw.w.WriteString(segmentMagic); err != nil {
		return err
	}
	sw.off = uint64(len(segmentMagic))

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

	// text postings, remembering each term's offset for the dictionary and
	// the stem groups.
	var (
		terms   []byte // all terms, concatenated
		termEnd []uint32
		termOff []uint64
		stemmer analysis.Stemmer
		aliases = map[string][]int{} // stem → indexes of terms with that stem (≠ term)
	)
	// The postings section is built in memory: the stem groups' document
	// counts are computed from it afterwards.
	var post, hdr, skips []byte
	err := in.eachText(func(term []byte, docs, pos []byte, df uint32) error {
		if len(docs) > math.MaxUint32 || len(pos) > math.MaxUint32 {
			return fmt.Errorf("postings of %q over 4 GiB", term)
		}
		idx := len(termOff)
		termOff = append(termOff, uint64(len(post)))
		terms = append(terms, term...)
		termEnd = append(termEnd, uint32(len(terms)))
		if analysis.Stemmable(term) {
			if st := stemmer.Stem(term); st != string(term) {
				aliases[st] = append(aliases[st], idx)
			}
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
			post = append(post, b...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := sw.section(secTextPostings, post); err != nil {
		return err
	}
	termAt := func(i int) []byte {
		s := uint32(0)
		if i > 0 {
			s = termEnd[i-1]
		}
		return terms[s:termEnd[i]]
	}
	sw.begin(secTextDict)
	if err := buildFST(sw, len(termOff), func(i int) ([]byte, uint64) { return termAt(i), termOff[i] }); err != nil {
		return err
	}
	sw.end()

	// stem groups: table entries then the dictionary over them.
	stems := make([]string, 0, len(aliases))
	for s := range aliases {
		stems = append(stems, s)
	}
	sort.Strings(stems)
	stemOff := make([]uint64, len(stems))
	sw.begin(secStemTable)
	tableStart := sw.off
	var entry []byte
	for i, st := range stems {
		stemOff[i] = sw.off - tableStart
		members := aliases[st]
		group := members
		if stemmer.Stem([]byte(st)) == st {
			if i, ok := sort.Find(len(termOff), func(i int) int { return strings.Compare(st, string(termAt(i))) }); ok {
				group = append(append([]int(nil), members...), i)
			}
		}
		entry = binary.AppendUvarint(entry[:0], uint64(unionDF(post, group, termOff, in.numDocs)))
		entry = binary.AppendUvarint(entry, uint64(len(members)))
		prev := uint64(0)
		for _, m := range members {
			entry = binary.AppendUvarint(entry, termOff[m]-prev)
			prev = termOff[m]
		}
		if _, err := sw.Write(entry); err != nil {
			return err
		}
	}
	sw.end()
	sw.begin(secStemDict)
	if err := buildFST(sw, len(stems), func(i int) ([]byte, uint64) { return []byte(stems[i]), stemOff[i] }); err != nil {
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

// unionDF counts the docs holding any of the terms (at the given offsets
// of a postings section).
func unionDF(post []byte, terms []int, termOff []uint64, numDocs uint32) uint32 {
	if len(terms) == 1 {
		df, _ := binary.Uvarint(post[termOff[terms[0]]:])
		return uint32(df)
	}
	seen := make([]uint64, (numDocs+63)/64)
	n := uint32(0)
	for _, t := range terms {
		l, ok := parseTextList(post, int(termOff[t]), formatVersion, numDocs)
		if !ok {
			continue
		}
		docs := l.docs
		prev := int64(-1)
		var e entry
		for off := 0; off < len(docs); {
			if !decodeEntry(docs, off, prev, false, &e) || e.doc >= numDocs {
				break
			}
			if seen[e.doc>>6]&(1<<(e.doc&63)) == 0 {
				seen[e.doc>>6] |= 1 << (e.doc & 63)
				n++
			}
			prev, off = int64(e.doc), e.next
		}
	}
	return n
}
