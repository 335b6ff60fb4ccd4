package search

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index/analysis"
)

// Check verifies every segment's checksums and decodes all of its contents
// against the format's invariants, checks the tombstones and heads, and
// that every key has at most one live version (its newest). It reads
// everything, so it is for tests and `kotadb verify`, not for hot paths.
func (idx *Index) Check() error {
	snap, err := idx.acquire()
	if err != nil {
		return err
	}
	defer idx.releaseSnapshot(snap)
	snap.rlock()
	defer snap.runlock()
	var problems []error
	for vi := range snap.views {
		v := &snap.views[vi]
		if v.seg != nil {
			if _, err := decodeSegment(v.seg.path, v.seg.data); err != nil {
				problems = append(problems, err)
				continue
			}
			problems = append(problems, checkSegment(v.seg)...)
			if _, err := v.seg.trigrams(); err != nil {
				problems = append(problems, err)
			}
		}
		problems = append(problems, checkUnit(v)...)
	}
	problems = append(problems, checkLiveKeys(snap)...)
	if err := snapCorruption(snap); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}

// checkUnit verifies what segments and heads share: postings decode, stay
// within the doc range and agree with the norms; dead sets are consistent.
func checkUnit(v *view) []error {
	var problems []error
	bad := func(format string, args ...any) {
		where := "head"
		if v.seg != nil {
			where = v.seg.path
		}
		problems = append(problems, errs.Corruptf(where, "check", format, args...))
	}
	n := v.limit
	if uint64(len(v.r.norms())) < uint64(n)*normsEntrySize {
		bad("norms cover %d bytes for %d docs", len(v.r.norms()), n)
		return problems
	}
	var sums [numTextFields]uint64
	for d := range n {
		for f := range numTextFields {
			sums[f] += uint64(fieldLen(v.r.norms(), d, f))
		}
	}
	if v.seg != nil && sums != v.sums {
		bad("field length totals %v, norms add up to %v", v.sums, sums)
	}
	count := uint32(0)
	var deadSums [numTextFields]uint64
	v.dead.each(func(d uint32) {
		count++
		if d >= n {
			bad("dead doc %d beyond %d docs", d, n)
			return
		}
		for f := range numTextFields {
			deadSums[f] += uint64(fieldLen(v.r.norms(), d, f))
		}
	})
	if count != v.dead.count || deadSums != v.dead.lenSum {
		bad("dead set counts %d docs, lengths %v; bits say %d, %v", v.dead.count, v.dead.lenSum, count, deadSums)
	}
	for d := range n {
		m, err := v.r.docMeta(d)
		if err != nil {
			problems = append(problems, err)
			break
		}
		if v.seg != nil && (m.seq < v.seg.minSeq || m.seq > v.seg.maxSeq) {
			bad("doc %d has seq %d outside %d..%d", d, m.seq, v.seg.minSeq, v.seg.maxSeq)
		}
		if latest, ok := v.r.latest(m.key); !ok || latest < d {
			bad("key %q: newest doc %d (found %v), doc %d has it", m.key, latest, ok, d)
		}
	}
	return problems
}

// checkList decodes a whole text postings list.
func checkList(l textList, numDocs uint32, term []byte, norms []byte) error {
	var c textCursor
	c.reset(&l, noDoc)
	count := uint32(0)
	last := int64(-1)
	var buf []uint32
	posEnd := 0
	for ; c.doc != noDoc; c.next() {
		count++
		if int64(c.doc) <= last || c.doc >= numDocs {
			return fmt.Errorf("term %q: doc %d after %d (%d docs)", term, c.doc, last, numDocs)
		}
		last = int64(c.doc)
		for f := range numTextFields {
			buf = c.positions(f, buf)
			if uint32(len(buf)) != c.tf[f] {
				return fmt.Errorf("term %q doc %d field %d: %d positions for tf %d", term, c.doc, f, len(buf), c.tf[f])
			}
			if c.tf[f] > fieldLen(norms, c.doc, f) {
				return fmt.Errorf("term %q doc %d field %d: tf %d over field length %d", term, c.doc, f, c.tf[f], fieldLen(norms, c.doc, f))
			}
		}
		posEnd = c.posEnd()
	}
	if c.bad {
		return fmt.Errorf("term %q: malformed postings", term)
	}
	if count != l.df {
		return fmt.Errorf("term %q: %d docs, header says %d", term, count, l.df)
	}
	if posEnd != len(l.pos) {
		return fmt.Errorf("term %q: positions end at %d of %d", term, posEnd, len(l.pos))
	}
	for i := 0; i+skipEntrySize <= len(l.skips); i += skipEntrySize {
		var probe textCursor
		probe.reset(&l, noDoc)
		target := uint32(0)
		if i > 0 {
			target = bytesLE32(l.skips[i-skipEntrySize:]) + 1
		}
		var lin textCursor
		noSkips := l
		noSkips.skips = nil
		lin.reset(&noSkips, noDoc)
		if probe.advance(target) != lin.advance(target) || probe.posStart() != lin.posStart() {
			return fmt.Errorf("term %q: skip entry %d disagrees with a linear scan", term, i/skipEntrySize)
		}
	}
	return nil
}

func bytesLE32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// checkSegment walks every dictionary of a segment and decodes what it
// points to.
func checkSegment(s *segment) []error {
	var problems []error
	bad := func(format string, args ...any) {
		problems = append(problems, errs.Corruptf(s.path, "check", format, args...))
	}
	var stemmer analysis.Stemmer
	var prev []byte
	// groups are the stem groups the dictionary implies: each stemmable
	// term whose stem differs from it, by stem, in term order.
	groups := map[string][]uint64{}
	s.iterate(s.textFST, "section text dictionary", nil, nil, nil, func(term []byte, off uint64) bool {
		if prev != nil && bytes.Compare(prev, term) >= 0 {
			bad("text terms out of order: %q after %q", term, prev)
		}
		prev = append(prev[:0], term...)
		if analysis.Stemmable(term) {
			if st := stemmer.Stem(term); st != string(term) {
				groups[st] = append(groups[st], off)
			}
		}
		l, ok := s.textListAt(off, "section text postings")
		if !ok {
			return false
		}
		if err := checkList(l, s.numDocs, term, s.normsData); err != nil {
			bad("%v", err)
			return false
		}
		return true
	})
	s.iterate(s.stemFST, "section stem dictionary", nil, nil, nil, func(stem []byte, _ uint64) bool {
		union := map[uint32]bool{}
		addDocs := func(l textList) {
			var c textCursor
			for c.reset(&l, noDoc); c.doc != noDoc; c.next() {
				union[c.doc] = true
			}
		}
		var members []uint64
		var df uint32
		s.eachStemMember(stem, func(off uint64) { members = append(members, off) }, &df)
		if want := groups[string(stem)]; !slices.Equal(members, want) {
			bad("stem group %q holds %d terms at %v, the dictionary has %d at %v", stem, len(members), members, len(want), want)
		}
		delete(groups, string(stem))
		s.stemAliases(stem, addDocs)
		if l, ok := s.lookupText(stem); ok && stemmer.Stem(stem) == string(stem) {
			addDocs(l)
		}
		if int(df) != len(union) {
			bad("stem group %q: stored df %d, its lists hold %d docs", stem, df, len(union))
		}
		return true
	})
	for stem, terms := range groups {
		bad("stem %q of %d terms missing from the stem dictionary", stem, len(terms))
	}
	s.iterate(s.kwFST, "section keyword dictionary", nil, nil, nil, func(key []byte, off uint64) bool {
		l, ok := s.kwListAt(off)
		if !ok {
			return false
		}
		var c kwCursor
		n := uint32(0)
		last := int64(-1)
		for c.reset(l.data, noDoc); c.doc != noDoc; c.next() {
			if int64(c.doc) <= last || c.doc >= s.numDocs {
				bad("keyword %q: doc %d after %d", key, c.doc, last)
				return false
			}
			last = int64(c.doc)
			n++
		}
		if c.bad || n != l.df {
			bad("keyword %q: %d docs decoded, header says %d", key, n, l.df)
		}
		return true
	})
	s.iterate(s.keysFST, "section keys", nil, nil, nil, func(key []byte, doc uint64) bool {
		if doc >= uint64(s.numDocs) {
			bad("key %q points at doc %d of %d", key, doc, s.numDocs)
			return true
		}
		if m, err := s.docMeta(uint32(doc)); err != nil || m.key != string(key) {
			bad("key %q points at doc %d holding %q (%v)", key, doc, m.key, err)
		}
		return true
	})
	for field := range s.numCols {
		last := int64(-1)
		s.numeric(field, func(doc uint32, _ float64) {
			if int64(doc) < last {
				bad("numeric %s out of doc order", field)
			}
			last = int64(doc)
		})
	}
	return problems
}

// checkLiveKeys verifies that each key has at most one live version and
// that it is the newest one.
func checkLiveKeys(s *snapshot) []error {
	var problems []error
	live := map[string]int{}
	for vi := range s.views {
		v := &s.views[vi]
		for d := range v.limit {
			if v.dead.has(d) {
				continue
			}
			m, err := v.r.docMeta(d)
			if err != nil {
				return append(problems, err)
			}
			if prev, ok := live[m.key]; ok {
				problems = append(problems, fmt.Errorf("key %q live twice (views %d and %d)", m.key, prev, vi))
			}
			live[m.key] = vi
			for wi := vi + 1; wi < len(s.views); wi++ {
				if _, ok := s.views[wi].r.latest(m.key); ok && s.views[wi].limit > 0 {
					w := &s.views[wi]
					doc, _ := w.r.latest(m.key)
					if doc < w.limit {
						problems = append(problems, fmt.Errorf("key %q: live version in view %d but a newer one in view %d", m.key, vi, wi))
						break
					}
				}
			}
		}
	}
	return problems
}
