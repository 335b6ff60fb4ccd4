package search

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"sort"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kotadb/kotadb/index"
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

	// The text terms: termList by id, their bytes concatenated in
	// termBytes, and termTab, an open-addressing table of id+1 (0: empty)
	// by termSeed hash, at most half full. Without a Go map and a string
	// per term, and with the lists in a slab, a term costs about 60 bytes
	// plus its lists instead of 190 (a bulk build's heads are mostly
	// dictionary: 98,000 terms for opentelemetry-docs).
	termList  []headTerm
	termBytes []byte
	termTab   []uint32
	slab      headSlab // the terms' postings lists
	scratch   []byte   // addPrepared's docs entry

	// stemAlias maps a stem to the terms with that stem, the stem itself
	// excluded, for terms [0, stemmed). It is filled lazily (see
	// head_stem.go), by the first query or flush that needs it, so that
	// stemming stays off the apply path. stemMu guards both: readers of
	// the active head only hold mu.RLock.
	stemMu    sync.Mutex
	stemmed   int
	stemAlias map[string][]uint32

	kw   map[string]*headKeyword
	nums map[string][]numEntry
	tri  *trigram.Builder // substring index of the docs' texts

	memBytes int // rough memory use, for the flush threshold

	// keepText: the head keeps its documents' texts, for snippets and
	// regex/substring verification. An Index with a TextSource reads them
	// from there, as for segment docs: texts were half of a bulk build's
	// heads (opentelemetry-docs), which flushed twice as often.
	keepText bool

	an *Analyzer // for add; ApplyPrepared brings documents analyzed elsewhere
}

type headDoc struct {
	meta docMeta
	text []byte // nil unless keepText
}

// headTerm is 32 bytes: a term's postings streams (the segment encoding)
// are lists in the head's slab.
type headTerm struct {
	docs    slabList
	pos     slabList
	off     uint32 // the term is termBytes[off:off+n]
	df      uint32
	lastDoc int32  // -1 before the first
	n       uint16 // (terms are at most analysis.MaxTermLen bytes)
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

// newHead makes a head ready for documents.
func newHead() *head {
	h := newLazyHead()
	h.alloc()
	return h
}

// newLazyHead makes a head that allocates its tables (about 40 KB, the
// trigram builder's mostly) when its first document comes: an Index opens
// with an empty head, which a session that only searches never fills. Until
// then it reads as empty; it must not be written as a segment (headInput),
// which an Index never does with an empty head.
func newLazyHead() *head { return &head{keepText: true} }

// alloc makes the tables of a head made by newLazyHead.
func (h *head) alloc() {
	h.keys = map[string]uint32{}
	h.termTab = make([]uint32, 1024)
	h.stemAlias = map[string][]uint32{}
	h.kw = map[string]*headKeyword{}
	h.nums = map[string][]numEntry{}
	h.tri = trigram.NewBuilder()
}

// add indexes a document and returns its doc id. The caller holds mu.
func (h *head) add(d *index.Doc) uint32 {
	if h.an == nil {
		h.an = &Analyzer{}
	}
	return h.addPrepared(d, h.an.Prepare(d))
}

// addPrepared indexes a document that p is the analysis of and returns its
// doc id: it appends the document's entries to the lists of its terms,
// keywords and trigrams. The caller holds mu.
func (h *head) addPrepared(d *index.Doc, p *Prepared) uint32 {
	if h.tri == nil {
		h.alloc()
	}
	doc := uint32(len(h.docs))
	slabBefore := h.slab.size
	termStart, posStart := uint32(0), uint32(0)
	for i := range p.terms {
		pt := &p.terms[i]
		term := p.termBytes[termStart:pt.termEnd]
		id, slot, ok := h.findTerm(term, pt.hash)
		if !ok {
			id = h.newTerm(term, pt.hash, slot)
		}
		t := &h.termList[id]
		h.scratch = appendEntry(h.scratch[:0], uint64(int64(doc)-int64(t.lastDoc)-1), pt.mask, &pt.tf)
		h.slab.append(&t.docs, h.scratch)
		h.slab.append(&t.pos, p.pos[posStart:pt.posEnd])
		t.lastDoc = int32(doc)
		t.df++
		termStart, posStart = pt.termEnd, pt.posEnd
	}
	h.memBytes += h.slab.size - slabBefore
	for f := range numTextFields {
		h.normsBuf = binary.LittleEndian.AppendUint32(h.normsBuf, p.lens[f])
		h.lenTotals[f] += uint64(p.lens[f])
	}
	for _, k := range p.kws {
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
	for _, n := range p.nums {
		h.nums[n.field] = append(h.nums[n.field], numEntry{doc, n.value})
		h.memBytes += 16
	}
	triBefore := h.tri.MemSize()
	h.tri.AddPacked(doc, p.tris)
	h.memBytes += h.tri.MemSize() - triBefore
	hd := headDoc{meta: docMeta{key: d.Key, title: d.Title, seq: d.Seq, bodyStart: d.BodyStart}}
	if h.keepText {
		hd.text = d.Text
		h.memBytes += len(d.Text)
	}
	h.docs = append(h.docs, hd)
	h.keys[d.Key] = doc
	h.memBytes += len(d.Key) + len(d.Title) + 96
	return doc
}

// findTerm looks term (whose termSeed hash is hash) up: its id, or the
// empty slot of termTab where it belongs.
func (h *head) findTerm(term []byte, hash uint64) (id uint32, slot int, ok bool) {
	if len(h.termTab) == 0 { // a lazy head before its first document
		return 0, 0, false
	}
	mask := len(h.termTab) - 1
	for i := int(hash) & mask; ; i = (i + 1) & mask {
		e := h.termTab[i]
		if e == 0 {
			return 0, i, false
		}
		if bytes.Equal(h.term(e-1), term) {
			return e - 1, i, true
		}
	}
}

// term returns the bytes of term id (not to be modified).
func (h *head) term(id uint32) []byte {
	t := &h.termList[id]
	end := t.off + uint32(t.n)
	return h.termBytes[t.off:end:end]
}

// newTerm adds a term to the dictionary at termTab slot. Its stem alias
// waits for catchUpStems.
func (h *head) newTerm(term []byte, hash uint64, slot int) uint32 {
	id := uint32(len(h.termList))
	h.termList = append(h.termList, headTerm{off: uint32(len(h.termBytes)), n: uint16(len(term)), lastDoc: -1})
	h.termBytes = append(h.termBytes, term...)
	h.termTab[slot] = id + 1
	if 2*len(h.termList) > len(h.termTab) {
		h.growTerms()
	}
	// The bytes, the table slots (two to four) and the termList entry
	// (32 bytes, in a slice that grows by doubling): about 64 bytes a
	// term. Its lists are counted by the slab's size.
	h.memBytes += len(term) + 64
	return id
}

// growTerms doubles termTab.
func (h *head) growTerms() {
	h.termTab = make([]uint32, 2*len(h.termTab))
	mask := len(h.termTab) - 1
	for id := range h.termList {
		i := int(maphash.Bytes(termSeed, h.term(uint32(id)))) & mask
		for h.termTab[i] != 0 {
			i = (i + 1) & mask
		}
		h.termTab[i] = uint32(id) + 1
	}
}

// The reader interface. Callers hold mu.RLock for the active head.

func (h *head) docCount() uint32 { return uint32(len(h.docs)) }

func (h *head) list(id uint32) textList {
	t := &h.termList[id]
	return textList{docs: h.slab.bytes(t.docs), pos: h.slab.bytes(t.pos), df: t.df}
}

func (h *head) lookupText(term []byte) (textList, bool) {
	id, _, ok := h.findTerm(term, maphash.Bytes(termSeed, term))
	if !ok {
		return textList{}, false
	}
	return h.list(id), true
}

func (h *head) stemAliases(stem []byte, fn func(l textList)) uint32 {
	h.stemMu.Lock()
	h.catchUpStems()
	// Later catch-ups only append past len(ids): the slice stays valid.
	ids := h.stemAlias[string(stem)]
	h.stemMu.Unlock()
	for _, id := range ids {
		fn(h.list(id))
	}
	return 0
}

// prefixText calls fn with the terms starting with prefix in order. The
// head has no ordered dictionary (it is small and short-lived), so prefix
// and fuzzy expansion scan it.
func (h *head) prefixText(prefix []byte, fn func(term []byte, l textList) bool) {
	var ids []uint32
	for id := range h.termList {
		if bytes.HasPrefix(h.term(uint32(id)), prefix) {
			ids = append(ids, uint32(id))
		}
	}
	sort.Slice(ids, func(i, j int) bool { return bytes.Compare(h.term(ids[i]), h.term(ids[j])) < 0 })
	for _, id := range ids {
		if !fn(h.term(id), h.list(id)) {
			return
		}
	}
}

// fuzzyText checks every term of the head (which has no ordered
// dictionary to walk); the length filter in distance rejects most at once.
func (h *head) fuzzyText(l *levQuery, fn func(term []byte, dist int) bool) {
	for id := range h.termList {
		t := h.term(uint32(id))
		if d, ok := l.distance(t); ok && !fn(t, d) {
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

// text returns doc's text, or false when the head does not keep texts
// (the Index has a TextSource).
func (h *head) text(doc uint32) ([]byte, bool) { return h.docs[doc].text, h.keepText }

func (h *head) trigrams() (trigramIndex, error) {
	if h.tri == nil {
		return noTrigrams{}, nil
	}
	return h.tri, nil
}

// noTrigrams is the trigram index of a lazy head before its first
// document.
type noTrigrams struct{}

func (noTrigrams) Candidates(*trigram.Query) *roaring.Bitmap { return roaring.New() }

// sortedTermIDs returns the head's term ids in term order, for flushing.
// Each id is sorted with its term's first 4 bytes as a big-endian number,
// which orders most pairs without reading the terms (the flush of an
// opentelemetry-docs head spent a quarter of its time sorting).
func (h *head) sortedTermIDs() []uint32 {
	type keyed struct{ prefix, id uint32 }
	ks := make([]keyed, len(h.termList))
	for i := range ks {
		var b [4]byte
		copy(b[:], h.term(uint32(i)))
		ks[i] = keyed{binary.BigEndian.Uint32(b[:]), uint32(i)}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if a.prefix != b.prefix {
			return cmp.Compare(a.prefix, b.prefix)
		}
		return bytes.Compare(h.term(a.id), h.term(b.id))
	})
	ids := make([]uint32, len(ks))
	for i, k := range ks {
		ids[i] = k.id
	}
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
