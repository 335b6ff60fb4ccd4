package search

import (
	"encoding/binary"
	"sort"
	"strings"
	"sync"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/analysis"
	"github.com/kotadb/kotadb/index/trigram"
)

// head is the in-memory inverted index of recent changes. Documents are
// appended (never changed) and their postings use the segment encoding, so
// flushing a head writes its streams out and searching it uses the same
// cursors. The active head is guarded by mu (readers RLock it while they
// search it); a frozen head (being flushed) no longer changes.
type head struct {
	mu sync.RWMutex

	docs      []headDoc
	normsBuf  []byte
	lenTotals [numTextFields]uint64
	keys      map[string]uint32 // newest doc of each key

	terms     map[string]uint32 // text term → index in termList
	termList  []headTerm
	stemAlias map[string][]uint32 // stem → terms with that stem, the stem itself excluded

	kw   map[string]*headKeyword
	nums map[string][]numEntry
	tri  *trigram.Builder // substring index of the docs' texts

	memBytes int // rough memory use, for the flush threshold

	// Scratch for adding a document.
	tok     analysis.Tokenizer
	stemmer analysis.Stemmer
	slots   []termSlot
}

type headDoc struct {
	meta docMeta
	text []byte
}

type headTerm struct {
	term    string
	docs    []byte
	pos     []byte
	df      uint32
	lastDoc int64
	slotDoc int64 // doc whose scratch slot is slot
	slot    int32
}

// termSlot gathers one term's occurrences in the document being added.
type termSlot struct {
	term      uint32
	mask      uint8
	tf        [numTextFields]uint32
	positions []uint32
}

type headKeyword struct {
	docs []byte
	df   uint32
	last int64
}

type numEntry struct {
	doc   uint32
	value float64
}

func newHead() *head {
	return &head{
		keys:      map[string]uint32{},
		terms:     map[string]uint32{},
		stemAlias: map[string][]uint32{},
		kw:        map[string]*headKeyword{},
		nums:      map[string][]numEntry{},
		tri:       trigram.NewBuilder(),
	}
}

// add indexes a document and returns its doc id. The caller holds mu.
func (h *head) add(d *index.Doc) uint32 {
	doc := uint32(len(h.docs))
	h.slots = h.slots[:0]
	var lens [numTextFields]uint32
	fieldValues(d, func(field int, text []byte, startPos int) int {
		h.tok.ResetAt(text, startPos)
		for h.tok.Next() {
			tok := h.tok.Token()
			h.addOccurrence(doc, tok.Term, field, uint32(tok.Pos))
			lens[field]++
		}
		return h.tok.Pos()
	})
	for i := range h.slots {
		s := &h.slots[i]
		t := &h.termList[s.term]
		before := len(t.docs) + len(t.pos)
		t.docs, t.pos = appendTextPosting(t.docs, t.pos, t.lastDoc, doc, s.mask, &s.tf, s.positions)
		t.lastDoc = int64(doc)
		t.df++
		h.memBytes += len(t.docs) + len(t.pos) - before
	}
	for f := range numTextFields {
		h.normsBuf = binary.LittleEndian.AppendUint32(h.normsBuf, lens[f])
		h.lenTotals[f] += uint64(lens[f])
	}
	kws, nums := docKeywords(d)
	for _, k := range kws {
		l := h.kw[k]
		if l == nil {
			l = &headKeyword{last: -1}
			h.kw[k] = l
			h.memBytes += len(k) + 64
		}
		l.docs = binary.AppendUvarint(l.docs, uint64(int64(doc)-l.last-1))
		l.last = int64(doc)
		l.df++
		h.memBytes += 2
	}
	for _, n := range nums {
		h.nums[n.field] = append(h.nums[n.field], numEntry{doc, n.value})
		h.memBytes += 16
	}
	h.tri.Add(doc, d.Text)
	h.docs = append(h.docs, headDoc{
		meta: docMeta{key: d.Key, title: d.Title, seq: d.Seq, bodyStart: d.BodyStart},
		text: d.Text,
	})
	h.keys[d.Key] = doc
	h.memBytes += len(d.Text) + len(d.Key) + len(d.Title) + 96
	return doc
}

func (h *head) addOccurrence(doc uint32, term []byte, field int, pos uint32) {
	id, ok := h.terms[string(term)]
	if !ok {
		id = uint32(len(h.termList))
		s := string(term)
		h.terms[s] = id
		h.termList = append(h.termList, headTerm{term: s, lastDoc: -1, slotDoc: -1})
		if analysis.Stemmable(term) {
			if st := h.stemmer.Stem(term); st != s {
				h.stemAlias[st] = append(h.stemAlias[st], id)
			}
		}
		h.memBytes += 2*len(s) + 96
	}
	t := &h.termList[id]
	if t.slotDoc != int64(doc) {
		t.slotDoc = int64(doc)
		t.slot = int32(len(h.slots))
		if len(h.slots) < cap(h.slots) {
			h.slots = h.slots[:len(h.slots)+1]
			s := &h.slots[len(h.slots)-1]
			s.term, s.mask, s.tf, s.positions = id, 0, [numTextFields]uint32{}, s.positions[:0]
		} else {
			h.slots = append(h.slots, termSlot{term: id})
		}
	}
	s := &h.slots[t.slot]
	s.mask |= 1 << field
	s.tf[field]++
	s.positions = append(s.positions, pos)
}

// The reader interface. Callers hold mu.RLock for the active head.

func (h *head) docCount() uint32 { return uint32(len(h.docs)) }

func (h *head) list(id uint32) textList {
	t := &h.termList[id]
	return textList{docs: t.docs, pos: t.pos, df: t.df}
}

func (h *head) lookupText(term []byte) (textList, bool) {
	id, ok := h.terms[string(term)]
	if !ok {
		return textList{}, false
	}
	return h.list(id), true
}

func (h *head) stemAliases(stem []byte, fn func(l textList)) uint32 {
	for _, id := range h.stemAlias[string(stem)] {
		fn(h.list(id))
	}
	return 0
}

// sortedTerms returns the text terms matching keep, sorted. The head has no
// ordered dictionary (it is small and short-lived), so prefix and fuzzy
// expansion scan it.
func (h *head) sortedTerms(keep func(string) bool) []string {
	var out []string
	for t := range h.terms {
		if keep(t) {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

func (h *head) prefixText(prefix []byte, fn func(term []byte, l textList) bool) {
	p := string(prefix)
	for _, t := range h.sortedTerms(func(t string) bool { return strings.HasPrefix(t, p) }) {
		if !fn([]byte(t), h.list(h.terms[t])) {
			return
		}
	}
}

// fuzzyText checks every term of the head (which has no ordered
// dictionary to walk); the length filter in distance rejects most at once.
func (h *head) fuzzyText(l *levQuery, fn func(term []byte, dist int) bool) {
	for t := range h.terms {
		if d, ok := l.distance([]byte(t)); ok && !fn([]byte(t), d) {
			return
		}
	}
}

func (h *head) lookupKeyword(key []byte) (kwList, bool) {
	l, ok := h.kw[string(key)]
	if !ok {
		return kwList{}, false
	}
	return kwList{data: l.docs, df: l.df}, true
}

func (h *head) rangeKeyword(from, to []byte, fn func(key []byte, l kwList) bool) {
	var keys []string
	for k := range h.kw {
		if k >= string(from) && (to == nil || k < string(to)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		l := h.kw[k]
		if !fn([]byte(k), kwList{data: l.docs, df: l.df}) {
			return
		}
	}
}

func (h *head) numeric(field string, fn func(doc uint32, v float64)) {
	for _, e := range h.nums[field] {
		fn(e.doc, e.value)
	}
}

func (h *head) docMeta(doc uint32) (docMeta, error) {
	return h.docs[doc].meta, nil
}

func (h *head) norms() []byte { return h.normsBuf }

func (h *head) lenSums() [numTextFields]uint64 { return h.lenTotals }

func (h *head) latest(key string) (uint32, bool) {
	d, ok := h.keys[key]
	return d, ok
}

func (h *head) text(doc uint32) []byte { return h.docs[doc].text }

func (h *head) trigrams() (trigramIndex, error) { return h.tri, nil }

// sortedTermIDs returns the head's term ids in term order, for flushing.
func (h *head) sortedTermIDs() []uint32 {
	ids := make([]uint32, len(h.termList))
	for i := range ids {
		ids[i] = uint32(i)
	}
	sort.Slice(ids, func(i, j int) bool {
		return h.termList[ids[i]].term < h.termList[ids[j]].term
	})
	return ids
}

// keywordKeys returns the head's keyword keys sorted, for flushing.
func (h *head) keywordKeys() []string {
	keys := make([]string, 0, len(h.kw))
	for k := range h.kw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
