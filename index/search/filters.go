package search

import "fmt"

// Filter clauses (keywords, numbers, regexes and substrings) match a set
// of docs per unit, gathered into a bitset, and do not score.

func (e *executor) keywordMatcher(n *pKeyword, v *view) matcher {
	bits := e.bitset(v.limit)
	count := 0
	var c kwCursor
	add := func(l kwList) {
		for c.reset(l.data, v.limit); c.doc != noDoc; c.next() {
			if setBit(bits, c.doc) {
				count++
			}
		}
	}
	if n.key != nil {
		if l, ok := v.r.lookupKeyword(n.key); ok {
			add(l)
		}
	} else {
		v.r.rangeKeyword(n.from, n.to, func(_ []byte, l kwList) bool { add(l); return true })
	}
	if count == 0 {
		return noneMatcher{}
	}
	return newBitsMatcher(bits, v.limit, count)
}

func (n *pNumeric) contains(x float64) bool {
	if x < n.min || (x == n.min && !n.minIncl) {
		return false
	}
	return x < n.max || (x == n.max && n.maxIncl)
}

func (e *executor) numericMatcher(n *pNumeric, v *view) matcher {
	bits := e.bitset(v.limit)
	count := 0
	v.r.numeric(n.field, func(doc uint32, x float64) {
		if doc < v.limit && n.contains(x) && setBit(bits, doc) {
			count++
		}
	})
	if count == 0 {
		return noneMatcher{}
	}
	return newBitsMatcher(bits, v.limit, count)
}

// regexMatcher verifies the unit's trigram candidates (every doc when the
// unit has no trigram index) against the pattern.
func (e *executor) regexMatcher(n *pRegex, v *view) matcher {
	bits := e.bitset(v.limit)
	count := 0
	verify := func(d uint32) bool {
		if d >= v.limit || v.dead.has(d) {
			return true
		}
		text, err := e.docText(v, d)
		if err != nil {
			e.err = err
			return false
		}
		if text != nil && n.match(text) {
			setBit(bits, d)
			count++
		}
		return true
	}
	tri, err := v.r.trigrams()
	if err != nil {
		e.err = err
		return noneMatcher{}
	}
	if tri != nil {
		it := tri.Candidates(n.tq).Iterator()
		for it.HasNext() && verify(it.Next()) {
		}
	} else {
		for d := uint32(0); d < v.limit && verify(d); d++ {
		}
	}
	if count == 0 || e.err != nil {
		return noneMatcher{}
	}
	return newBitsMatcher(bits, v.limit, count)
}

// docText returns a doc's raw text: from the head when it keeps texts (the
// Index has no TextSource), else from TextSource (nil when there is none).
func (e *executor) docText(v *view, d uint32) ([]byte, error) {
	if v.hd != nil {
		if t, ok := v.hd.text(d); ok {
			return t, nil
		}
	}
	if e.idx.opts.TextSource == nil {
		return nil, nil
	}
	meta, err := v.r.docMeta(d)
	if err != nil {
		return nil, err
	}
	t, err := e.idx.opts.TextSource(meta.key, meta.seq)
	if err != nil {
		return nil, fmt.Errorf("text of %s@%d: %w", meta.key, meta.seq, err)
	}
	return t, nil
}
