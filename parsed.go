package kotadb

import (
	"sync"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/ingest"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// What parsedDocs holds is bounded, because the catch-up lags behind
// ingestion in a bulk build (compare the store-only and DB.Index rows of
// `kotabench ingest` in BENCHMARKS.md) and whatever it holds stays on the
// heap meanwhile. A content is kept only within parsedContentLimit bytes
// and otherwise read back from the store. The limit is a default batch's
// bytes: contents the batch held until its commit anyway. With 1 MiB,
// reading back and decompressing two thirds of dwarves-brain was 7% of the
// CPU of building it, and the decompressors' state raised the peak RSS:
// 4 MiB measured 0.216–0.282 s and 36.0–37.1 MB against 0.272–0.306 s and
// 37.3–38.8 MB (`kotabench search --engines kotadb --child-bin …`, four
// alternated rounds of three children, 2026-11-21); opentelemetry-docs
// did not change beyond the noise. Holding every content of the backlog
// (up to 8 MiB) had raised the peak before the search head stopped
// keeping texts. The documents are kept slim (slimDoc) and at most
// parsedDocsLimit of them, a default batch's count.
const (
	parsedContentLimit = ingest.DefaultBatchBytes
	parsedDocsLimit    = 1 << 10
)

// parsedDocs holds the documents DB.Index parsed for the versions it just
// committed, by seq, until the catch-up that indexes those versions takes
// them: without it every new version would be read back from the store,
// decompressed and parsed a second time. The indices stay a function of
// the change log: the catch-up still walks the log, and takes a document
// only for the very version it was parsed for (same seq, key, content hash
// and file times), which is the document documentOf derives from the
// stored version (ingestion parses with the times the version records).
// Anything else, versions of other writers and whatever a failed or
// skipped catch-up left, goes through the store as before.
type parsedDocs struct {
	mu    sync.Mutex
	bytes int // of the contents held
	docs  map[uint64]heldDoc
}

type heldDoc struct {
	v          store.Version
	doc        *parse.Document
	content    []byte
	hasContent bool // else content is read from the store
}

// add keeps ps for the catch-up, as far as the limits allow.
func (p *parsedDocs) add(ps []ingest.Parsed) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.docs == nil {
		p.docs = make(map[uint64]heldDoc, len(ps))
	}
	for _, d := range ps {
		if len(p.docs) >= parsedDocsLimit || d.Doc == nil {
			continue
		}
		h := heldDoc{v: d.Version, doc: slimDoc(d.Doc)}
		if p.bytes+len(d.Content) <= parsedContentLimit {
			h.content, h.hasContent = d.Content, true
			p.bytes += len(d.Content)
		}
		p.docs[d.Version.Seq] = h
	}
}

// slimDoc is d with only what toIndexDoc reads: the rest (anchors, link
// aliases, warnings, the hash) is let go with the original, so the
// documents a lagging catch-up has not taken yet weigh less.
func slimDoc(d *parse.Document) *parse.Document {
	s := &parse.Document{Title: d.Title, Tags: d.Tags, Aliases: d.Aliases, Frontmatter: d.Frontmatter,
		Created: d.Created, Updated: d.Updated, Body: d.Body, Lang: d.Lang}
	if len(d.Headings) > 0 {
		s.Headings = make([]parse.Heading, len(d.Headings))
		for i, h := range d.Headings {
			s.Headings[i] = parse.Heading{Level: h.Level, Text: h.Text, Line: h.Line}
		}
	}
	if len(d.Links) > 0 {
		s.Links = make([]parse.Link, len(d.Links))
		for i, l := range d.Links {
			s.Links[i] = parse.Link{Kind: l.Kind, Target: l.Target, Heading: l.Heading, Line: l.Line}
		}
	}
	return s
}

// take returns (and forgets) the document held for v, with its content
// when held (else has is false).
func (p *parsedDocs) take(v store.Version) (doc *parse.Document, content []byte, has, ok bool) {
	p.mu.Lock()
	h, ok := p.docs[v.Seq]
	if ok {
		delete(p.docs, v.Seq)
		p.bytes -= len(h.content)
	}
	p.mu.Unlock()
	w := h.v
	if !ok || v.Op != store.OpPut || w.Op != v.Op || w.Key != v.Key || w.Hash != v.Hash ||
		v.Doc.Kind != store.DocFile || !v.Doc.Equal(w.Doc) {
		return nil, nil, false, false
	}
	return h.doc, h.content, h.hasContent, true
}

// parsedIndexDoc is the index.Doc of v from a document held for it, reading the
// content from the store when it was not held.
func (db *DB) parsedIndexDoc(v store.Version) (*index.Doc, bool, error) {
	doc, content, has, ok := db.parsed.take(v)
	if !ok {
		return nil, false, nil
	}
	if !has {
		var err error
		if content, err = db.st.Blob(v.Hash); err != nil {
			return nil, false, err
		}
	}
	if len(content) == 0 {
		content = nil // as the store returns an empty value
	}
	collection := store.Collection(v.Key)
	return toIndexDoc(v, collection, v.Key[len(collection)+1:], doc, content), true, nil
}

// reset drops what no catch-up took.
func (p *parsedDocs) reset() {
	p.mu.Lock()
	p.docs, p.bytes = nil, 0
	p.mu.Unlock()
}
