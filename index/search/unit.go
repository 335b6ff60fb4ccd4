package search

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kotadb/kotadb/index/trigram"
)

// trigramIndex narrows a regex or substring query to candidate docs
// (trigram.Builder in the head, trigram.Reader in segments).
type trigramIndex interface {
	Candidates(q *trigram.Query) *roaring.Bitmap
}

// reader is what the query engine needs from a searchable unit: an
// immutable segment or the in-memory head. Doc ids are local to the unit.
type reader interface {
	// docCount is the number of doc ids in use (dead ones included).
	docCount() uint32
	// lookupText finds a term of the text dictionary.
	lookupText(term []byte) (textList, bool)
	// stemAliases calls fn with the terms whose stem is stem but that are
	// not equal to it, and returns the number of docs (dead included) holding
	// any term of the stem's group when known (segments), else 0.
	stemAliases(stem []byte, fn func(l textList)) (groupDF uint32)
	// prefixText calls fn for each text term starting with prefix, in
	// order, with its postings, until fn returns false.
	prefixText(prefix []byte, fn func(term []byte, l textList) bool)
	// fuzzyText calls fn for each text term within the query's edit
	// distance, with that distance, until fn returns false.
	fuzzyText(l *levQuery, fn func(term []byte, dist int) bool)
	// lookupKeyword finds a keyword (kwKey form).
	lookupKeyword(key []byte) (kwList, bool)
	// rangeKeyword calls fn for each keyword in [from, to), in order.
	rangeKeyword(from, to []byte, fn func(key []byte, l kwList) bool)
	// numeric calls fn for each value of a numeric field, in doc order.
	numeric(field string, fn func(doc uint32, v float64))
	// docMeta returns a document's stored info.
	docMeta(doc uint32) (docMeta, error)
	// norms returns the field lengths of all docs (normsEntrySize each).
	norms() []byte
	// lenSums is the total length of each text field over all docs.
	lenSums() [numTextFields]uint64
	// latest finds the newest version of a key in the unit.
	latest(key string) (uint32, bool)
	// trigrams returns the unit's substring index, or nil when it has none
	// (then every doc is a candidate).
	trigrams() (trigramIndex, error)
}

// textList locates one term's text postings.
type textList struct {
	docs, pos, skips []byte
	df               uint32 // documents in the list, dead included
	v1               bool   // postings version 1 (segment format 1)
}

// kwList locates one keyword's postings.
type kwList struct {
	data []byte
	df   uint32
}

// docMeta is the stored info of one indexed document version.
type docMeta struct {
	key   string
	title string
	seq   uint64 // store seq from which this version is live
	// bodyStart is where the body starts in the text (after frontmatter).
	bodyStart int
}
