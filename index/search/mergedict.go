package search

import (
	"errors"
	"math"
	"runtime"
	"sync"

	"github.com/blevesearch/vellum"

	"github.com/kotadb/kotadb/index/analysis"
)

// A merge reads the text dictionaries of its inputs twice: once for the
// terms alone (planStems needs the stem groups before any list is
// written) and once with the lists. Walking the FSTs is most of a merge's
// work, so mergeDict walks them once, on several goroutines over disjoint
// key ranges, stems the terms as it goes (planStems then stems nothing),
// and records where each term's lists are for the second pass.

// maxRecordedSegs is the most inputs whose term lists mergedTerms records
// (one bit each in a term's mask); a larger merge, or one with a postings
// section of 4 GiB or more (offsets are recorded in 32 bits, to keep the
// record small), walks the FSTs twice.
const maxRecordedSegs = 64

// recordable reports whether mergedTerms can record the terms of segs.
func recordable(segs []*segment) bool {
	if len(segs) > maxRecordedSegs || testDictParts < 0 {
		return false
	}
	for _, s := range segs {
		if uint64(len(s.textPost)) > math.MaxUint32 {
			return false
		}
	}
	return true
}

// dictSplits are the keys the dictionary walk's ranges start at, by the
// number of ranges. Any keys give the same result; these roughly halve
// or quarter an English dictionary (digits and symbols sort first).
var dictSplits = map[int][]string{2: {"m"}, 3: {"f", "p"}, 4: {"d", "l", "s"}}

// mergeMinParallel is the input size (bytes) from which the dictionaries
// are walked on several goroutines.
const mergeMinParallel = 1 << 20

// testDictParts, when not 0, is the number of ranges walked (-1: none
// recorded, the dictionaries are walked twice); tests set it to check that
// every way writes the same segment.
var testDictParts int

func textFST(s *segment) *vellum.FST { return s.textFST }

// mergeDict is the merged text dictionary of a merge's inputs.
type mergeDict struct {
	segs  []*segment
	parts []*mergedTerms // in key order; nil until walked
}

// mergedTerms records one key range of the merged dictionary: the terms
// in order, for each the inputs it is in (a bit mask) and its lists'
// offsets there (one per set bit, in input order), and the stem aliases
// planStems would find (term indexes local to the range).
type mergedTerms struct {
	terms   []byte
	ends    []uint32
	masks   []uint64
	offs    []uint32
	aliases map[string][]int
}

func (d *mergeDict) walk() error {
	n := 1
	size := 0
	for _, s := range d.segs {
		size += len(s.data)
	}
	if size >= mergeMinParallel {
		n = min(runtime.GOMAXPROCS(0), 4)
	}
	if testDictParts > 0 {
		n = testDictParts
	}
	bounds := make([][]byte, 0, n+1)
	bounds = append(bounds, nil)
	for _, k := range dictSplits[n] {
		bounds = append(bounds, []byte(k))
	}
	bounds = append(bounds, nil)
	parts := make([]*mergedTerms, len(bounds)-1)
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			m := &mergedTerms{aliases: map[string][]int{}}
			var stemmer analysis.Stemmer
			errs[p] = mergeFSTs(d.segs, textFST, bounds[p], bounds[p+1], func(term []byte, offs []uint64) error {
				if analysis.Stemmable(term) {
					if s := stemmer.Stem(term); s != string(term) {
						m.aliases[s] = append(m.aliases[s], len(m.ends))
					}
				}
				m.add(term, offs)
				return nil
			})
			parts[p] = m
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	d.parts = parts
	return nil
}

// eachTerm is segmentInput.eachTerm: it walks the dictionaries.
func (d *mergeDict) eachTerm(fn func(term []byte) error) error {
	if err := d.walk(); err != nil {
		return err
	}
	for _, m := range d.parts {
		start := uint32(0)
		for _, end := range m.ends {
			if err := fn(m.terms[start:end:end]); err != nil {
				return err
			}
			start = end
		}
	}
	return nil
}

// stemAliases is segmentInput.stemAliases, after eachTerm. The first
// range's map becomes the result (its indexes are the merged ones), so
// that the aliases are not held twice while a merge writes.
func (d *mergeDict) stemAliases() map[string][]int {
	if len(d.parts) == 0 {
		return map[string][]int{}
	}
	out := d.parts[0].aliases
	base := len(d.parts[0].ends)
	for _, m := range d.parts[1:] {
		for s, idx := range m.aliases {
			for _, i := range idx {
				out[s] = append(out[s], base+i)
			}
		}
		base += len(m.ends)
	}
	for _, m := range d.parts {
		m.aliases = nil
	}
	return out
}

// eachText calls fn with every term and its offsets, in the form
// mergeFSTs gives them, from the record of eachTerm (walking the
// dictionaries if eachTerm did not). The record is let go.
func (d *mergeDict) eachText(fn func(term []byte, offs []uint64) error) error {
	if d.parts == nil {
		if err := d.walk(); err != nil {
			return err
		}
	}
	parts := d.parts
	d.parts = nil
	for _, m := range parts {
		if err := m.each(len(d.segs), fn); err != nil {
			return err
		}
	}
	return nil
}

func (m *mergedTerms) add(term []byte, offs []uint64) {
	m.terms = append(m.terms, term...)
	m.ends = append(m.ends, uint32(len(m.terms)))
	mask := uint64(0)
	for i, off := range offs {
		if off != math.MaxUint64 {
			mask |= 1 << i
			m.offs = append(m.offs, uint32(off))
		}
	}
	m.masks = append(m.masks, mask)
}

func (m *mergedTerms) each(n int, fn func(term []byte, offs []uint64) error) error {
	offs := make([]uint64, n)
	start, k := uint32(0), 0
	for t, end := range m.ends {
		for i := range offs {
			offs[i] = math.MaxUint64
			if m.masks[t]&(1<<i) != 0 {
				offs[i] = uint64(m.offs[k])
				k++
			}
		}
		if err := fn(m.terms[start:end:end], offs); err != nil {
			return err
		}
		start = end
	}
	return nil
}
