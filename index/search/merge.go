package search

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"path"
	"sort"

	"github.com/blevesearch/vellum"

	"github.com/kotadb/kotadb/index/trigram"
)

// headInput describes a frozen head as a segment to write.
func headInput(h *head) *segmentInput {
	in := &segmentInput{
		numDocs: uint32(len(h.docs)),
		norms:   h.normsBuf,
		totals:  h.lenTotals,
		minSeq:  math.MaxUint64,

		numTerms:    len(h.termList),
		termBytes:   len(h.termBytes),
		numKeywords: len(h.kw),
	}
	for k := range h.kw {
		in.keywordBytes += len(k)
	}
	for _, d := range h.docs {
		in.minSeq = min(in.minSeq, d.meta.seq)
		in.maxSeq = max(in.maxSeq, d.meta.seq)
	}
	if in.numDocs == 0 {
		in.minSeq = 0
	}
	in.docMeta = func(doc uint32) (docMeta, error) { return h.docs[doc].meta, nil }
	var sorted []uint32 // the term ids in term order, sorted once
	order := func() []uint32 {
		if sorted == nil {
			sorted = h.sortedTermIDs()
		}
		return sorted
	}
	in.eachTerm = func(fn func(term []byte) error) error {
		for _, id := range order() {
			if err := fn(h.term(id)); err != nil {
				return err
			}
		}
		return nil
	}
	in.stemAliases = func() map[string][]int {
		h.stemMu.Lock()
		defer h.stemMu.Unlock()
		h.catchUpStems()
		at := make([]int32, len(h.termList))
		for i, id := range order() {
			at[id] = int32(i)
		}
		m := make(map[string][]int, len(h.stemAlias))
		for st, ids := range h.stemAlias {
			members := make([]int, len(ids))
			for j, id := range ids {
				members[j] = int(at[id])
			}
			sort.Ints(members)
			m[st] = members
		}
		return m
	}
	in.eachText = func(fn func(term []byte, docs, pos []byte, df uint32) error) error {
		for _, id := range order() {
			l := h.list(id)
			if err := fn(h.term(id), l.docs, l.pos, l.df); err != nil {
				return err
			}
		}
		return nil
	}
	in.eachKeyword = func(fn func(key []byte, docs []byte, df uint32) error) error {
		for _, k := range h.keywordKeys() {
			l := h.kw[k]
			if err := fn([]byte(k), l.docs, l.df); err != nil {
				return err
			}
		}
		return nil
	}
	in.trigrams = func(w io.Writer) error {
		_, err := h.tri.WriteTo(w)
		return err
	}
	in.eachNumeric = func(fn func(field string, values []numEntry) error) error {
		fields := make([]string, 0, len(h.nums))
		for f := range h.nums {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			if err := fn(f, h.nums[f]); err != nil {
				return err
			}
		}
		return nil
	}
	return in
}

// mergeInput describes the concatenation of adjacent segments (oldest
// first) as one segment: doc ids of the i-th input are shifted by the docs
// of the inputs before it, so tombstones carry over by the same shift and
// nothing (dead versions included) is dropped.
// tri writes the merged trigram section (nil: none, see mergeTrigrams).
func mergeInput(segs []*segment, tri func(w io.Writer) error) *segmentInput {
	in := &segmentInput{minSeq: segs[0].minSeq, maxSeq: segs[len(segs)-1].maxSeq}
	bases := make([]uint32, len(segs))
	for i, s := range segs {
		bases[i] = in.numDocs
		in.numDocs += s.numDocs
		in.norms = append(in.norms, s.normsData...)
		for f := range numTextFields {
			in.totals[f] += s.totals[f]
		}
		in.minSeq = min(in.minSeq, s.minSeq)
		in.maxSeq = max(in.maxSeq, s.maxSeq)
	}
	in.docMeta = func(doc uint32) (docMeta, error) {
		i := sort.Search(len(bases), func(i int) bool { return bases[i] > doc }) - 1
		return segs[i].docMeta(doc - bases[i])
	}
	in.trigrams = tri
	emitTo := func(fn func(term []byte, docs, pos []byte, df uint32) error) func(term []byte, offs []uint64) error {
		var docs, pos []byte
		return func(term []byte, offs []uint64) error {
			var df uint32
			var err error
			docs, pos, df, err = mergePostings(segs, bases, term, offs, docs[:0], pos[:0])
			if err != nil {
				return err
			}
			return fn(term, docs, pos, df)
		}
	}
	if !recordable(segs) {
		// Too many inputs to record (see mergedict.go): walk the
		// dictionaries twice.
		in.eachTerm = func(fn func(term []byte) error) error {
			return mergeFSTs(segs, textFST, nil, nil, func(term []byte, _ []uint64) error { return fn(term) })
		}
		in.eachText = func(fn func(term []byte, docs, pos []byte, df uint32) error) error {
			return mergeFSTs(segs, textFST, nil, nil, emitTo(fn))
		}
	} else {
		d := &mergeDict{segs: segs}
		in.eachTerm = d.eachTerm
		in.stemAliases = d.stemAliases
		in.eachText = func(fn func(term []byte, docs, pos []byte, df uint32) error) error {
			return d.eachText(emitTo(fn))
		}
	}
	in.eachKeyword = func(fn func(key []byte, docs []byte, df uint32) error) error {
		var docs []byte
		return mergeFSTs(segs, func(s *segment) *vellum.FST { return s.kwFST }, nil, nil, func(key []byte, offs []uint64) error {
			docs = docs[:0]
			df := uint32(0)
			prev := int64(-1)
			for i, off := range offs {
				if off == math.MaxUint64 {
					continue
				}
				l, ok := segs[i].kwListAt(off)
				if !ok {
					return segs[i].corrupt.Load()
				}
				var c kwCursor
				for c.reset(l.data, noDoc); c.doc != noDoc; c.next() {
					shifted := int64(c.doc) + int64(bases[i])
					docs = binary.AppendUvarint(docs, uint64(shifted-prev-1))
					prev = shifted
					df++
				}
				if c.bad {
					return segs[i].corruptf("section keyword postings", "malformed list of %q", key)
				}
			}
			return fn(key, docs, df)
		})
	}
	in.eachNumeric = func(fn func(field string, values []numEntry) error) error {
		set := map[string]bool{}
		for _, s := range segs {
			for f := range s.numCols {
				set[f] = true
			}
		}
		fields := make([]string, 0, len(set))
		for f := range set {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		var values []numEntry
		for _, f := range fields {
			values = values[:0]
			for i, s := range segs {
				s.numeric(f, func(doc uint32, v float64) {
					values = append(values, numEntry{doc + bases[i], v})
				})
			}
			if err := fn(f, values); err != nil {
				return err
			}
		}
		return nil
	}
	return in
}

// mergePostings appends to docs and pos the text postings of term in the
// segments (offs[i]: its list in segs[i], MaxUint64: none), doc ids shifted
// by bases, and returns them with the document count.
func mergePostings(segs []*segment, bases []uint32, term []byte, offs []uint64, docs, pos []byte) ([]byte, []byte, uint32, error) {
	df := uint32(0)
	prev := int64(-1)
	for i, off := range offs {
		if off == math.MaxUint64 {
			continue
		}
		l, ok := segs[i].textListAt(off, "section text postings")
		if !ok {
			return nil, nil, 0, segs[i].corrupt.Load()
		}
		// Re-encode each entry with the shifted doc (in version 2); the
		// positions, the same in both versions, are copied as is.
		var e entry
		for o := 0; o < len(l.docs); {
			lp := int64(-1)
			if o > 0 {
				lp = prev - int64(bases[i])
			}
			if !decodeEntry(l.docs, o, lp, l.v1, &e) {
				return nil, nil, 0, segs[i].corruptf("section text postings", "malformed entry of %q", term)
			}
			shifted := int64(e.doc) + int64(bases[i])
			docs = appendEntry(docs, uint64(shifted-prev-1), e.mask, &e.tf)
			prev = shifted
			o = e.next
			df++
		}
		pos = append(pos, l.pos...)
	}
	return docs, pos, df, nil
}

// mergeFSTs walks the keys of one dictionary of several segments in order,
// from start (inclusive) to end (exclusive; nil: no bound); fn gets each
// key with its value in every segment (MaxUint64: absent).
func mergeFSTs(segs []*segment, dict func(*segment) *vellum.FST, start, end []byte, fn func(key []byte, vals []uint64) error) (err error) {
	its := make([]*vellum.FSTIterator, len(segs))
	keys := make([][]byte, len(segs))
	vals := make([]uint64, len(segs))
	for i, s := range segs {
		func() {
			defer s.guard("dictionary")
			it, ierr := dict(s).Iterator(start, end)
			if ierr == nil {
				its[i] = it
				k, _ := it.Current()
				keys[i] = bytes.Clone(k)
			} else if ierr != vellum.ErrIteratorDone {
				err = fmt.Errorf("segment %s: %w", s.path, ierr)
			}
		}()
		if err != nil {
			return err
		}
		if c := s.corrupt.Load(); c != nil {
			return c
		}
	}
	out := make([]uint64, len(segs))
	for {
		var least []byte
		for i := range segs {
			if its[i] != nil && (least == nil || bytes.Compare(keys[i], least) < 0) {
				least = keys[i]
			}
		}
		if least == nil {
			return nil
		}
		least = bytes.Clone(least)
		for i := range segs {
			out[i] = math.MaxUint64
			if its[i] == nil || !bytes.Equal(keys[i], least) {
				continue
			}
			_, vals[i] = its[i].Current()
			out[i] = vals[i]
			if nerr := its[i].Next(); nerr != nil {
				if nerr != vellum.ErrIteratorDone {
					return fmt.Errorf("segment %s: %w", segs[i].path, nerr)
				}
				its[i] = nil
			} else {
				k, _ := its[i].Current()
				keys[i] = append(keys[i][:0], k...)
			}
		}
		if err := fn(least, out); err != nil {
			return err
		}
	}
}

// pickMerge chooses adjacent segments to merge. Only adjacent segments
// are merged, so that segment order stays seq order. Among the windows of
// MergeFactor adjacent segments, it takes the smallest in bytes, skipping
// lopsided ones (whose largest segment outweighs the others MergeFactor
// times: rewriting a big segment to absorb a few small ones costs much and
// gains little). Small segments thus merge among themselves first and the
// results climb size tiers, as in a tiered or log-structured policy, which
// keeps about MergeFactor segments per tier. The caller holds mu.
func (idx *Index) pickMerge() []*segUnit {
	f := idx.opts.MergeFactor
	if f < 2 || len(idx.segs) < f {
		return nil
	}
	best, bestSize := -1, 0
	for i := 0; i+f <= len(idx.segs); i++ {
		total, biggest := 0, 0
		busy := false
		for _, u := range idx.segs[i : i+f] {
			busy = busy || u.merging
			total += len(u.seg.data)
			biggest = max(biggest, len(u.seg.data))
		}
		if busy || biggest > (total-biggest)*f {
			continue
		}
		if best < 0 || total < bestSize {
			best, bestSize = i, total
		}
	}
	if best < 0 {
		return nil
	}
	return idx.segs[best : best+f : best+f]
}

// pickTail chooses the segments Close merges last: the run of segments at
// the end each under a quarter of the largest segment's bytes or written
// by this session (ids from openFile on), if it has two or more. A bulk
// build leaves the big merged segments of its first part and the flushes
// of its last part, which the tiered policy (pickMerge) only merges once
// MergeFactor of them pile up; merging that tail costs a fraction of the
// index, or what this session wrote, and leaves the next session's
// queries a few segments to visit. (A bulk build's flushes are of one
// size, which the quarter rule alone never merges: opentelemetry-docs
// built in 4 flushes answered typo queries 35% slower.) The caller holds
// mu.
func (idx *Index) pickTail() []*segUnit {
	largest := 0
	for _, u := range idx.segs {
		largest = max(largest, len(u.seg.data))
	}
	start := 0
	for i, u := range idx.segs {
		if 4*len(u.seg.data) >= largest {
			start = i + 1
		}
	}
	for start > 0 && idx.segs[start-1].seg.id >= idx.openFile {
		start--
	}
	run := idx.segs[start:len(idx.segs):len(idx.segs)]
	for _, u := range run {
		if u.merging {
			return nil
		}
	}
	if len(run) < 2 {
		return nil
	}
	return run
}

// mergeOnce runs one merge if the policy picks one.
func (idx *Index) mergeOnce() (bool, error) { return idx.mergeOnceOr(nil, false) }

// mergeOnceOr is mergeOnce that, when there is nothing to merge, calls idle
// (if not nil) with mu held, so that the merger's exit and the policy's
// last look are one step for kickMerge. Only Close merges a closed index
// (closing), and then also the tail (pickTail).
func (idx *Index) mergeOnceOr(idle func(), closing bool) (bool, error) {
	idx.mu.Lock()
	var run []*segUnit
	if !idx.closed || closing {
		run = append(run, idx.pickMerge()...)
	}
	if len(run) == 0 && closing {
		run = append(run, idx.pickTail()...)
	}
	if len(run) == 0 {
		if idle != nil {
			idle()
		}
		idx.mu.Unlock()
		return false, nil
	}
	segs := make([]*segment, len(run))
	for i, u := range run {
		u.merging = true
		u.seg.refs.Add(1)
		segs[i] = u.seg
	}
	id := idx.nextFile
	idx.nextFile++
	idx.mu.Unlock()
	defer func() {
		idx.mu.Lock()
		for _, u := range run {
			u.merging = false
		}
		idx.mu.Unlock()
		for _, s := range segs {
			idx.unref(s)
		}
	}()
	return true, idx.merge(run, segs, id)
}

// mergeTrigrams returns what writes the trigram section of merged
// segments, and what waits for work it started on the segments. When each has its section, the sections are merged as they are
// (trigram.Merge: no texts, little memory). Otherwise the index is rebuilt
// from the documents' texts; without TextSource, or when a text cannot be
// read, it returns nil: the merged segment then has no trigram section and
// regex/substring queries verify all of its docs.
func (idx *Index) mergeTrigrams(segs []*segment) (write func(w io.Writer) error, wait func()) {
	readers := make([]*trigram.Reader, 0, len(segs))
	bases := make([]uint32, 0, len(segs))
	numDocs := uint32(0)
	for _, s := range segs {
		ti, err := s.trigrams()
		r, ok := ti.(*trigram.Reader)
		if err != nil || !ok {
			break
		}
		readers = append(readers, r)
		bases = append(bases, numDocs)
		numDocs += s.numDocs
	}
	if len(readers) == len(segs) {
		// The section is merged into memory on another goroutine while
		// the text and keyword sections are written: it is the last
		// section, and a merge at Close is a bulk build's last step.
		// The caller waits for it (wait) before it lets go of the
		// segments, whether or not the section was written.
		var buf bytes.Buffer
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, err = trigram.Merge(&buf, readers, bases, numDocs)
		}()
		return func(w io.Writer) error {
			<-done
			if err != nil {
				return err
			}
			_, werr := buf.WriteTo(w)
			return werr
		}, func() { <-done }
	}
	if idx.opts.TextSource == nil {
		return nil, func() {}
	}
	b := trigram.NewBuilder()
	base := uint32(0)
	for _, s := range segs {
		for d := range s.numDocs {
			m, err := s.docMeta(d)
			if err != nil {
				return nil, func() {}
			}
			text, err := idx.opts.TextSource(m.key, m.seq)
			if err != nil {
				return nil, func() {}
			}
			b.Add(base+d, text)
		}
		base += s.numDocs
	}
	return func(w io.Writer) error {
		_, err := b.WriteTo(w)
		return err
	}, func() {}
}

func (idx *Index) merge(run []*segUnit, segs []*segment, id uint64) error {
	// A merge reads all of its inputs: verify them whole first, so that
	// damage is not copied under fresh checksums (segments are verified
	// lazily, see verify.go).
	for _, s := range segs {
		if err := s.verifyAll(); err != nil {
			return fmt.Errorf("search index: merge: %w", err)
		}
	}
	p := path.Join(idx.dir, segmentFile(id))
	tri, wait := idx.mergeTrigrams(segs)
	_, err := writeSegment(idx.fs, p, mergeInput(segs, tri))
	wait()
	if err != nil {
		idx.fs.Remove(p)
		return fmt.Errorf("search index: merge: %w", err)
	}
	merged, err := openSegment(idx.fs, p, id)
	if err != nil {
		idx.fs.Remove(p)
		return fmt.Errorf("search index: merge: %w", err)
	}
	merged.refs.Store(1)

	idx.commitMu.Lock()
	defer idx.commitMu.Unlock()
	// The persisted tombstones only change under commitMu: carry them over.
	idx.mu.Lock()
	first := -1
	for i, u := range idx.segs {
		if u == run[0] {
			first = i
		}
	}
	if first < 0 || first+len(run) > len(idx.segs) || idx.segs[first+len(run)-1] != run[len(run)-1] {
		idx.mu.Unlock()
		merged.close()
		idx.fs.Remove(p)
		return fmt.Errorf("search index: merge: segments changed under the merge")
	}
	persisted, persistedEnds := shiftDead(run, func(u *segUnit) *deadSet { return u.persisted }, merged.normsData)
	segsNow := append([]*segUnit(nil), idx.segs...)
	seq, nextFile := idx.durableSeq, idx.nextFile
	idx.mu.Unlock()

	fail := func(err error) error {
		merged.close()
		idx.fs.Remove(p)
		return fmt.Errorf("search index: merge: %w", err)
	}
	var gen uint64
	if persisted.count > 0 {
		gen = 1
		data, err := encodeTombstones(id, persisted, persistedEnds)
		if err == nil {
			err = writeFileSync(idx.fs, path.Join(idx.dir, tombstoneFile(id, gen)), data)
		}
		if err != nil {
			return fail(err)
		}
	}
	if err := idx.fs.SyncDir(idx.dir); err != nil {
		return fail(err)
	}
	m := &manifest{seq: seq, nextFile: nextFile}
	for i, u := range segsNow {
		switch {
		case i == first:
			m.segments = append(m.segments, manifestSegment{id: id, delGen: gen, numDocs: merged.numDocs, minSeq: merged.minSeq, maxSeq: merged.maxSeq})
		case i > first && i < first+len(run):
		default:
			m.segments = append(m.segments, manifestSegment{id: u.seg.id, delGen: u.delGen, numDocs: u.seg.numDocs, minSeq: u.seg.minSeq, maxSeq: u.seg.maxSeq})
		}
	}
	if err := writeManifest(idx.fs, idx.dir, m); err != nil {
		return fail(err)
	}

	idx.mu.Lock()
	dead, ends := shiftDead(run, func(u *segUnit) *deadSet { return u.dead }, merged.normsData)
	nu := &segUnit{seg: merged, dead: dead, ends: ends, delGen: gen, persisted: persisted}
	if dead.count == persisted.count {
		nu.persisted = dead
	}
	segs2 := append([]*segUnit(nil), idx.segs[:first]...)
	segs2 = append(segs2, nu)
	segs2 = append(segs2, idx.segs[first+len(run):]...)
	idx.segs = segs2
	idx.publish()
	idx.mu.Unlock()
	idx.merges.Add(1)
	for _, u := range run {
		if u.delGen > 0 {
			idx.fs.Remove(path.Join(idx.dir, tombstoneFile(u.seg.id, u.delGen)))
		}
		u.seg.obsolete.Store(true)
		idx.unref(u.seg) // the index's reference; the file goes with the last
	}
	return nil
}

// shiftDead unions the dead sets of adjacent segments into the merged
// segment's doc space, with their end seqs.
func shiftDead(run []*segUnit, set func(*segUnit) *deadSet, norms []byte) (*deadSet, map[uint32]uint64) {
	out := &deadSet{}
	ends := map[uint32]uint64{}
	base := uint32(0)
	for _, u := range run {
		set(u).each(func(doc uint32) {
			out.add(base+doc, norms)
			ends[base+doc] = u.ends[doc]
		})
		base += u.seg.numDocs
	}
	return out, ends
}
