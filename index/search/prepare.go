package search

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/analysis"
	"github.com/kotadb/kotadb/index/trigram"
)

// Prepared is a document analyzed for the index: its distinct terms with
// their field mask, frequencies and positions already encoded as the
// postings streams want them, its field lengths, keywords, numeric values
// and distinct trigrams. Analysis is most of the cost of indexing and
// depends on the document alone, so callers run Analyzer.Prepare on many
// goroutines and hand the results to Index.ApplyPrepared, which only
// appends them to the head's lists in seq order.
type Prepared struct {
	terms     []preparedTerm // in order of first occurrence
	termBytes []byte         // the terms, concatenated
	pos       []byte         // each term's position stream, concatenated
	lens      [numTextFields]uint32
	kws       []string
	nums      []numericValue
	tris      []byte // distinct trigram keys, trigram.PackKeys form
}

type preparedTerm struct {
	hash    uint64 // termSeed hash of the term
	termEnd uint32 // end of the term in termBytes
	posEnd  uint32 // end of its positions in pos
	mask    uint8
	tf      [numTextFields]uint32
}

// termSeed hashes text terms, in Analyzer and in the head's dictionary
// alike, so that the head reuses the hashes its documents come with.
var termSeed = maphash.MakeSeed()

// Analyzer prepares documents. Its scratch space is reused from document to
// document; it is not safe for concurrent use (use one per goroutine).
type Analyzer struct {
	tok analysis.Tokenizer
	ext trigram.Extractor
	// table is an open-addressing set of term numbers + 1 (0: empty) over
	// the terms of the document being prepared, sized to twice their count.
	table []int32
	slots []termSlot
	keys  []uint32
	cur   *Prepared
}

// termSlot gathers one term's occurrences in the document being prepared.
type termSlot struct {
	start     uint32 // the term is termBytes[start:end]
	end       uint32
	hash      uint64
	mask      uint8
	tf        [numTextFields]uint32
	positions []uint32
}

// Prepare analyzes d. The result does not refer to d's text.
func (a *Analyzer) Prepare(d *index.Doc) *Prepared {
	if a.table == nil {
		a.table = make([]int32, 1024)
	}
	p := &Prepared{}
	a.cur = p
	a.slots = a.slots[:0]
	clear(a.table)
	fieldValues(d, func(field int, text []byte, startPos int) int {
		a.tok.ResetAt(text, startPos)
		for a.tok.Next() {
			tok := a.tok.Token()
			a.occurrence(tok.Term, field, uint32(tok.Pos))
			p.lens[field]++
		}
		return a.tok.Pos()
	})
	p.terms = make([]preparedTerm, len(a.slots))
	n := 0
	for i := range a.slots {
		n += len(a.slots[i].positions) + 1
	}
	p.pos = make([]byte, 0, n+n/4)
	for i := range a.slots {
		s := &a.slots[i]
		at := 0
		for f := range numTextFields {
			prev := uint32(0)
			for _, q := range s.positions[at : at+int(s.tf[f])] {
				p.pos = binary.AppendUvarint(p.pos, uint64(q-prev))
				prev = q
			}
			at += int(s.tf[f])
		}
		p.terms[i] = preparedTerm{hash: s.hash, termEnd: s.end, posEnd: uint32(len(p.pos)), mask: s.mask, tf: s.tf}
	}
	p.kws, p.nums = docKeywords(d)
	a.keys = a.ext.Keys(a.keys[:0], d.Text)
	p.tris = trigram.PackKeys(make([]byte, 0, 3*len(a.keys)), a.keys)
	if cap(a.keys) > 1<<16 {
		a.keys = nil // a huge document's scratch is not kept
	}
	a.cur = nil
	return p
}

// occurrence records one token of the document being prepared.
func (a *Analyzer) occurrence(term []byte, field int, pos uint32) {
	p := a.cur
	h := maphash.Bytes(termSeed, term)
	mask := len(a.table) - 1
	i := int(h) & mask
	for {
		e := a.table[i]
		if e == 0 {
			break
		}
		s := &a.slots[e-1]
		if s.hash == h && bytes.Equal(p.termBytes[s.start:s.end], term) {
			s.mask |= 1 << field
			s.tf[field]++
			s.positions = append(s.positions, pos)
			return
		}
		i = (i + 1) & mask
	}
	start := uint32(len(p.termBytes))
	p.termBytes = append(p.termBytes, term...)
	if len(a.slots) < cap(a.slots) {
		a.slots = a.slots[:len(a.slots)+1]
	} else {
		a.slots = append(a.slots, termSlot{})
	}
	s := &a.slots[len(a.slots)-1]
	s.start, s.end, s.hash, s.mask = start, uint32(len(p.termBytes)), h, 1<<field
	s.tf = [numTextFields]uint32{}
	s.tf[field] = 1
	s.positions = append(s.positions[:0], pos)
	a.table[i] = int32(len(a.slots))
	if 2*len(a.slots) > len(a.table) {
		a.grow()
	}
}

// grow doubles the term table.
func (a *Analyzer) grow() {
	a.table = make([]int32, 2*len(a.table))
	mask := len(a.table) - 1
	for n := range a.slots {
		i := int(a.slots[n].hash) & mask
		for a.table[i] != 0 {
			i = (i + 1) & mask
		}
		a.table[i] = int32(n + 1)
	}
}
