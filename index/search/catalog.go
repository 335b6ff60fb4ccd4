package search

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph"
	"github.com/kotadb/kotadb/query"
)

// The query planner (package query) reads the index through a Catalog: one
// consistent snapshot, held until the plan has run. DocIDs number the
// snapshot's document versions across its units: unit i's local doc d is
// base[i]+d. Dead and superseded versions have IDs too but are never
// returned: Docs() is exactly the live set and every bitmap is a subset of
// it.
//
// Keyword, numeric and text lookups go to the units' dictionaries and
// postings. Values the units do not keep (tags, links, frontmatter) come
// from the indexed document, rebuilt once per catalog from its text (see
// catalog_values.go).

// DocSource returns the document version key@seq exactly as it was given
// to Apply (the store can rebuild it).
type DocSource func(key string, seq uint64) (*index.Doc, error)

// QueryCatalog is the query.Catalog over one snapshot of an Index.
type QueryCatalog struct {
	idx   *Index
	snap  *snapshot
	g     *graph.Graph
	docs  docLoader
	bases []query.DocID // bases[i] is the DocID of unit i's doc 0; one more at the end
	live  *roaring.Bitmap
	stats collectionStats

	// mu serializes the methods: the caches below are filled lazily, and
	// release must not unmap segments under a running method.
	mu       sync.Mutex
	released bool
	err      error // the first error a method without an error result met
	full     map[query.DocID]*index.Doc
	times    map[string][][]float64 // created/updated per unit and local doc; NaN: none
	keywords map[keywordKey]*roaring.Bitmap
	numeric  map[numericKey]*roaring.Bitmap
	exists   map[string]*roaring.Bitmap
	texts    map[query.Text]*textPlan
}

// keywordKey is a keyword lookup; the planner asks for the count of each
// when planning and for the documents when running, so they are kept.
type keywordKey struct {
	field, value string
	prefix       bool
}

type numericKey struct {
	field string
	r     query.NumRange
}

// Catalog returns a query.Catalog over one consistent snapshot of the index
// and the link graph g (nil: none). Values the index does not store (tags,
// aliases, links, language, frontmatter) are rebuilt by parsing the text
// textSource returns for a version (the document's text for versions still
// in memory); use CatalogDocs when the caller can rebuild documents itself
// (JSON documents have no text to parse). Call release when the plan has
// run: the snapshot holds its segments open until then.
func (idx *Index) Catalog(g *graph.Graph, textSource func(key string, seq uint64) ([]byte, error)) (cat query.Catalog, release func(), err error) {
	if textSource == nil {
		textSource = idx.opts.TextSource
	}
	c, err := idx.newCatalog(g, parsedDocs(textSource))
	if err != nil {
		return nil, nil, err
	}
	return c, c.release, nil
}

// CatalogDocs is Catalog with the indexed documents coming from docs.
func (idx *Index) CatalogDocs(g *graph.Graph, docs DocSource) (cat query.Catalog, release func(), err error) {
	c, err := idx.newCatalog(g, fromSource(docs))
	if err != nil {
		return nil, nil, err
	}
	return c, c.release, nil
}

func (idx *Index) newCatalog(g *graph.Graph, docs docLoader) (*QueryCatalog, error) {
	snap, err := idx.acquire()
	if err != nil {
		return nil, err
	}
	c := &QueryCatalog{idx: idx, snap: snap, g: g, docs: docs, live: roaring.New(),
		full: map[query.DocID]*index.Doc{}, times: map[string][][]float64{},
		keywords: map[keywordKey]*roaring.Bitmap{},
		numeric:  map[numericKey]*roaring.Bitmap{}, exists: map[string]*roaring.Bitmap{},
		texts: map[query.Text]*textPlan{}}
	var total uint64
	for i := range snap.views {
		c.bases = append(c.bases, query.DocID(total))
		total += uint64(snap.views[i].limit)
		if total > math.MaxUint32 {
			idx.releaseSnapshot(snap)
			return nil, fmt.Errorf("search index: catalog: %d document versions do not fit 32-bit ids", total)
		}
	}
	c.bases = append(c.bases, query.DocID(total))
	for i := range snap.views {
		v := &snap.views[i]
		base := uint64(c.bases[i])
		c.live.AddRange(base, base+uint64(v.limit))
		v.dead.each(func(d uint32) {
			if d < v.limit {
				c.live.Remove(c.bases[i] + d)
			}
		})
	}
	c.live.RunOptimize()
	c.stats = snapshotStats(snap)
	return c, nil
}

// release gives the snapshot back; the catalog answers nothing after it.
func (c *QueryCatalog) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.released {
		return
	}
	c.released = true
	c.texts = nil
	c.full = nil
	c.idx.releaseSnapshot(c.snap)
}

// Err returns the first error met by a method that cannot return one
// (Value, the counts): a document that could not be rebuilt, a corrupt
// segment. A plan run over the catalog may be incomplete when it is set.
func (c *QueryCatalog) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *QueryCatalog) noteErr(err error) {
	if err != nil && c.err == nil {
		c.err = err
	}
}

// begin locks the catalog for one method; it reports false after release.
func (c *QueryCatalog) begin() bool {
	c.mu.Lock()
	if c.released {
		c.mu.Unlock()
		return false
	}
	return true
}

func (c *QueryCatalog) end() { c.mu.Unlock() }

var errReleased = fmt.Errorf("search catalog used after release: %w", errs.ErrClosed)

// read runs fn with the read locks of the snapshot's mutable units held.
// Callers never nest it: a waiting writer would deadlock a nested RLock.
func (c *QueryCatalog) read(fn func()) {
	c.snap.rlock()
	defer c.snap.runlock()
	fn()
}

// corruption reports a segment of the snapshot found corrupt while read.
func (c *QueryCatalog) corruption() error {
	if err := snapCorruption(c.snap); err != nil {
		return fmt.Errorf("search catalog: %w", err)
	}
	return nil
}

// locate returns the unit and local doc of an ID (ok false when out of
// range).
func (c *QueryCatalog) locate(id query.DocID) (vi int, doc uint32, ok bool) {
	if id >= c.bases[len(c.bases)-1] {
		return 0, 0, false
	}
	lo, hi := 0, len(c.bases)-1 // bases[lo] <= id < bases[hi]
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if c.bases[mid] <= id {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, id - c.bases[lo], true
}

// addList adds the live docs of one keyword postings list of unit vi.
func (c *QueryCatalog) addList(out *roaring.Bitmap, vi int, l kwList) {
	v := &c.snap.views[vi]
	var cur kwCursor
	for cur.reset(l.data, v.limit); cur.doc != noDoc; cur.next() {
		if !v.dead.has(cur.doc) {
			out.Add(c.bases[vi] + cur.doc)
		}
	}
}

// Docs implements query.Catalog.
func (c *QueryCatalog) Docs() *roaring.Bitmap { return c.live }

// ID implements query.Catalog. The newest unit holding a version of key
// decides: if that version is dead, the key is not live anywhere.
func (c *QueryCatalog) ID(key string) (query.DocID, bool) {
	if !c.begin() {
		return 0, false
	}
	defer c.end()
	var id query.DocID
	found := false
	c.read(func() {
		kw := []byte(kwKey(KeywordKey, normalizeKeyword(key)))
		for vi := len(c.snap.views) - 1; vi >= 0; vi-- {
			v := &c.snap.views[vi]
			doc, ok := c.newestVersion(v, key, kw)
			if !ok {
				continue
			}
			if !v.dead.has(doc) {
				id, found = c.bases[vi]+doc, true
			}
			return
		}
	})
	return id, found
}

// newestVersion finds the newest version of key among a unit's visible
// docs. A segment's key table answers directly; a head's key map may point
// past the snapshot's limit, so heads read the "key" keyword postings.
func (c *QueryCatalog) newestVersion(v *view, key string, kw []byte) (uint32, bool) {
	if v.seg != nil {
		return v.seg.latest(key)
	}
	l, ok := v.r.lookupKeyword(kw)
	if !ok {
		return 0, false
	}
	best, found := uint32(0), false
	var cur kwCursor
	for cur.reset(l.data, v.limit); cur.doc != noDoc; cur.next() {
		if m, err := v.r.docMeta(cur.doc); err == nil && m.key == key {
			best, found = cur.doc, true
		}
	}
	return best, found
}

// Keyword implements query.Catalog. Field names and values are those of
// the index (fields.go), which are the ones the query model uses.
func (c *QueryCatalog) Keyword(field, value string) (*roaring.Bitmap, error) {
	if !c.begin() {
		return nil, errReleased
	}
	defer c.end()
	out := c.keyword(strings.ToLower(field), value)
	return out, c.corruption()
}

func (c *QueryCatalog) keyword(field, value string) *roaring.Bitmap {
	value = strings.ToLower(strings.TrimSpace(value))
	k := keywordKey{field: field, value: value}
	if b, ok := c.keywords[k]; ok {
		return b
	}
	out := roaring.New()
	key := []byte(kwKey(field, normalizeKeyword(value)))
	c.read(func() {
		for vi := range c.snap.views {
			if l, ok := c.snap.views[vi].r.lookupKeyword(key); ok {
				c.addList(out, vi, l)
			}
		}
	})
	if len(value) > maxKeywordLen {
		// The index keeps the first maxKeywordLen bytes of a value: check
		// the whole value on the documents.
		c.filterDocs(out, func(d *index.Doc) bool { return containsTerm(docTerms(d, field), value, false) })
	}
	c.keywords[k] = out
	return out
}

// KeywordCount implements query.Catalog, exactly.
func (c *QueryCatalog) KeywordCount(field, value string) int {
	if !c.begin() {
		return 0
	}
	defer c.end()
	return int(c.keyword(strings.ToLower(field), value).GetCardinality())
}

// KeywordPrefix implements query.Catalog.
func (c *QueryCatalog) KeywordPrefix(field, prefix string) (*roaring.Bitmap, error) {
	if !c.begin() {
		return nil, errReleased
	}
	defer c.end()
	out := c.keywordPrefix(strings.ToLower(field), prefix)
	return out, c.corruption()
}

func (c *QueryCatalog) keywordPrefix(field, prefix string) *roaring.Bitmap {
	prefix = strings.ToLower(prefix)
	k := keywordKey{field: field, value: prefix, prefix: true}
	if b, ok := c.keywords[k]; ok {
		return b
	}
	var out *roaring.Bitmap
	switch {
	case prefix == "" && (field == KeywordPath || field == KeywordKey):
		out = c.live.Clone() // every document has a path and a key
	case field == KeywordPath && strings.HasSuffix(prefix, "/") && len(prefix) < maxKeywordLen:
		out = c.folder(prefix)
	default:
		out = roaring.New()
		from := []byte(kwKey(field, prefix[:min(len(prefix), maxKeywordLen)]))
		c.read(func() {
			for vi := range c.snap.views {
				c.addRange(out, vi, from)
			}
		})
		if len(prefix) >= maxKeywordLen {
			c.filterDocs(out, func(d *index.Doc) bool { return containsTerm(docTerms(d, field), prefix, true) })
		}
	}
	c.keywords[k] = out
	return out
}

// addRange adds the live docs of unit vi with a keyword starting with from
// (kwKey form).
func (c *QueryCatalog) addRange(out *roaring.Bitmap, vi int, from []byte) {
	c.snap.views[vi].r.rangeKeyword(from, prefixEnd(from), func(_ []byte, l kwList) bool {
		c.addList(out, vi, l)
		return true
	})
}

// folder returns the documents whose path starts with prefix, a folder:
// one lookup of the "folder" keyword in units that have it, else (a
// segment written before it existed) a walk over the paths.
func (c *QueryCatalog) folder(prefix string) *roaring.Bitmap {
	out := roaring.New()
	key := []byte(kwKey(KeywordFolder, normalizeKeyword(prefix)))
	anyFolder := []byte(kwKey(KeywordFolder, ""))
	paths := []byte(kwKey(KeywordPath, prefix))
	c.read(func() {
		for vi := range c.snap.views {
			v := &c.snap.views[vi]
			indexed := v.hd != nil // heads are built by this code
			if !indexed {
				v.r.rangeKeyword(anyFolder, prefixEnd(anyFolder), func([]byte, kwList) bool { indexed = true; return false })
			}
			if !indexed {
				c.addRange(out, vi, paths)
			} else if l, ok := v.r.lookupKeyword(key); ok {
				c.addList(out, vi, l)
			}
		}
	})
	return out
}

// KeywordPrefixCount implements query.Catalog, exactly.
func (c *QueryCatalog) KeywordPrefixCount(field, prefix string) int {
	if !c.begin() {
		return 0
	}
	defer c.end()
	return int(c.keywordPrefix(strings.ToLower(field), prefix).GetCardinality())
}

// Numeric implements query.Catalog over the numeric doc values (created and
// updated are Unix seconds, as query.TimeNumber makes them).
func (c *QueryCatalog) Numeric(field string, r query.NumRange) (*roaring.Bitmap, error) {
	if !c.begin() {
		return nil, errReleased
	}
	defer c.end()
	out := c.numericRange(strings.ToLower(field), r)
	return out, c.corruption()
}

// NumericCount implements query.Catalog, exactly (the planner asks for the
// same range again to run it, so the bitmap is kept).
func (c *QueryCatalog) NumericCount(field string, r query.NumRange) int {
	if !c.begin() {
		return 0
	}
	defer c.end()
	return int(c.numericRange(strings.ToLower(field), r).GetCardinality())
}

func (c *QueryCatalog) numericRange(field string, r query.NumRange) *roaring.Bitmap {
	k := numericKey{field, r}
	if b, ok := c.numeric[k]; ok {
		return b
	}
	out := roaring.New()
	if !r.Empty() && !math.IsNaN(r.Lo) && !math.IsNaN(r.Hi) {
		c.read(func() {
			for vi := range c.snap.views {
				v := &c.snap.views[vi]
				base := c.bases[vi]
				v.r.numeric(field, func(d uint32, x float64) {
					if d < v.limit && r.Contains(x) && !v.dead.has(d) {
						out.Add(base + d)
					}
				})
			}
		})
	}
	c.numeric[k] = out
	return out
}

// Exists implements query.Catalog: the "has" keyword of the field name. A
// unit indexed before that keyword existed has none at all; there the
// field's own keywords (and those of the fields nested under it) answer,
// which misses only fields whose values have no keyword ("", [], {}).
func (c *QueryCatalog) Exists(name string) (*roaring.Bitmap, error) {
	if !c.begin() {
		return nil, errReleased
	}
	defer c.end()
	out := c.fieldExists(strings.ToLower(name))
	return out, c.corruption()
}

// ExistsCount implements query.Catalog, exactly.
func (c *QueryCatalog) ExistsCount(name string) int {
	if !c.begin() {
		return 0
	}
	defer c.end()
	return int(c.fieldExists(strings.ToLower(name)).GetCardinality())
}

func (c *QueryCatalog) fieldExists(name string) *roaring.Bitmap {
	if b, ok := c.exists[name]; ok {
		return b
	}
	out := roaring.New()
	has := []byte(kwKey(KeywordHas, normalizeKeyword(name)))
	hasAll := []byte(kwKey(KeywordHas, ""))
	own := []byte(kwKey(FieldPrefix+name, ""))
	nested := []byte(FieldPrefix + name + ".")
	c.read(func() {
		for vi := range c.snap.views {
			v := &c.snap.views[vi]
			r := v.r
			// Heads are built by this code; a segment may be older.
			indexed := v.hd != nil
			if !indexed {
				r.rangeKeyword(hasAll, prefixEnd(hasAll), func([]byte, kwList) bool { indexed = true; return false })
			}
			if indexed {
				if l, ok := r.lookupKeyword(has); ok {
					c.addList(out, vi, l)
				}
				continue
			}
			for _, from := range [][]byte{own, nested} {
				r.rangeKeyword(from, prefixEnd(from), func(_ []byte, l kwList) bool {
					c.addList(out, vi, l)
					return true
				})
			}
		}
	})
	c.exists[name] = out
	return out
}

// Graph implements query.Catalog.
func (c *QueryCatalog) Graph() *graph.Graph { return c.g }

// filterDocs keeps the documents of b that keep accepts (rebuilding them).
func (c *QueryCatalog) filterDocs(b *roaring.Bitmap, keep func(d *index.Doc) bool) {
	for _, id := range b.ToArray() {
		if d := c.doc(id); d == nil || !keep(d) {
			b.Remove(id)
		}
	}
}

// docTerms are a document's keyword terms for one field, untruncated (for
// values longer than the index keeps).
func docTerms(d *index.Doc, field string) []string {
	switch field {
	case KeywordTag:
		return d.Tags
	case KeywordPath:
		return []string{d.Path}
	case KeywordKey:
		return []string{d.Key}
	case KeywordCollection:
		return []string{d.Collection}
	case KeywordLang:
		return []string{d.Lang}
	case KeywordAlias:
		return d.Aliases
	}
	if name, ok := strings.CutPrefix(field, FieldPrefix); ok {
		return query.Keywords(query.FieldValue(d.Fields, name))
	}
	return nil
}

func containsTerm(terms []string, value string, prefix bool) bool {
	for _, t := range terms {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == value || prefix && strings.HasPrefix(t, value) {
			return true
		}
	}
	return false
}
