// Package memcat is a complete in-memory query.Catalog over a slice of
// index.Doc: a brute-force index that is easy to trust. Tests use it to run
// plans, and its Evaluate is the oracle plans are checked against: it
// evaluates a query document by document, with no planning at all.
package memcat

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph"
	"github.com/kotadb/kotadb/query"
)

// Catalog implements query.Catalog over documents held in memory. DocIDs
// are positions in the slice given to New.
type Catalog struct {
	docs     []*index.Doc
	text     []*docText
	avgLen   float64
	ids      map[string]query.DocID
	all      *roaring.Bitmap
	keywords map[string]map[string]*roaring.Bitmap // field → term → docs
	terms    map[string][]string                   // field → its terms, sorted
	g        *graph.Graph

	mu     sync.Mutex
	cache  map[query.Text]*textHits
	Counts Counts // how often each method was called, for tests
}

// Counts records Catalog calls, so tests can see what a plan read.
type Counts struct {
	Search, Keyword, KeywordPrefix, Numeric, Exists, Ordered int
	Scored                                                   int // documents scored by Search
}

// textHits is one text query evaluated over every document.
type textHits struct {
	matches *roaring.Bitmap
	tf      map[query.DocID]float64
}

// New indexes docs (keys must be unique) and builds their link graph.
func New(docs []index.Doc) (*Catalog, error) {
	c := &Catalog{ids: map[string]query.DocID{}, all: roaring.New(),
		keywords: map[string]map[string]*roaring.Bitmap{}, g: graph.New(), cache: map[query.Text]*textHits{}}
	changes := make([]index.Change, 0, len(docs))
	total := 0.0
	for i := range docs {
		d := &docs[i]
		if _, dup := c.ids[d.Key]; dup {
			return nil, fmt.Errorf("memcat: duplicate key %q", d.Key)
		}
		id := query.DocID(i)
		c.ids[d.Key] = id
		c.all.Add(id)
		c.docs = append(c.docs, d)
		for field, terms := range docKeywords(d) {
			for _, t := range terms {
				c.posting(field, t).Add(id)
			}
		}
		headings := make([]string, len(d.Headings))
		for j, h := range d.Headings {
			headings[j] = h.Text
		}
		body := ""
		if d.BodyStart >= 0 && d.BodyStart <= len(d.Text) {
			body = string(d.Text[d.BodyStart:])
		}
		t := newDocText(d.Title, headings, body, string(d.Text))
		c.text = append(c.text, t)
		total += t.length
		changes = append(changes, index.Change{Seq: uint64(i + 1), Key: d.Key, Doc: d})
	}
	if len(docs) > 0 {
		c.avgLen = total / float64(len(docs))
	}
	if err := c.g.Apply(changes); err != nil {
		return nil, err
	}
	c.terms = map[string][]string{}
	for field, m := range c.keywords {
		c.terms[field] = slices.Sorted(maps.Keys(m))
	}
	return c, nil
}

func (c *Catalog) posting(field, term string) *roaring.Bitmap {
	m := c.keywords[field]
	if m == nil {
		m = map[string]*roaring.Bitmap{}
		c.keywords[field] = m
	}
	b := m[term]
	if b == nil {
		b = roaring.New()
		m[term] = b
	}
	return b
}

// docKeywords are a document's keyword terms per field, as the Catalog
// contract defines them.
func docKeywords(d *index.Doc) map[string][]string {
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	kw := map[string][]string{
		"path":       {norm(d.Path)},
		"collection": {norm(d.Collection)},
		"lang":       {norm(d.Lang)},
	}
	for _, t := range d.Tags {
		kw["tag"] = append(kw["tag"], norm(t))
	}
	var walk func(name string, v any, depth int)
	walk = func(name string, v any, depth int) {
		if m, ok := v.(map[string]any); ok {
			if depth < 8 {
				for k, e := range m {
					walk(name+"."+strings.ToLower(k), e, depth+1)
				}
			}
			return
		}
		kw[name] = append(kw[name], query.Keywords(v)...)
	}
	for k, v := range d.Fields {
		walk("field."+strings.ToLower(k), v, 0)
	}
	return kw
}

// numbers are a document's numeric doc values for field.
func numbers(d *index.Doc, field string) []float64 {
	switch field {
	case "created":
		return query.Numbers(d.Created)
	case "updated":
		return query.Numbers(d.Updated)
	}
	if name, ok := query.FieldRef(field); ok {
		return query.Numbers(query.FieldValue(d.Fields, name))
	}
	return nil
}

// inRange reports whether any of nums is in r.
func inRange(nums []float64, r query.NumRange) bool {
	return slices.ContainsFunc(nums, r.Contains)
}

// Docs implements query.Catalog.
func (c *Catalog) Docs() *roaring.Bitmap { return c.all }

// ID implements query.Catalog.
func (c *Catalog) ID(key string) (query.DocID, bool) {
	id, ok := c.ids[key]
	return id, ok
}

// Doc returns the document with id.
func (c *Catalog) Doc(id query.DocID) *index.Doc { return c.docs[id] }

// Value implements query.Catalog.
func (c *Catalog) Value(id query.DocID, name string) (any, bool) {
	if int(id) >= len(c.docs) {
		return nil, false
	}
	return query.DocValue(c.docs[id], name)
}

// KeywordCount implements query.Catalog.
func (c *Catalog) KeywordCount(field, value string) int {
	if b := c.keywords[field][value]; b != nil {
		return int(b.GetCardinality())
	}
	return 0
}

// Keyword implements query.Catalog.
func (c *Catalog) Keyword(field, value string) (*roaring.Bitmap, error) {
	c.count(&c.Counts.Keyword)
	return c.keywords[field][value], nil
}

// KeywordPrefixCount implements query.Catalog (exactly).
func (c *Catalog) KeywordPrefixCount(field, prefix string) int {
	b, _ := c.keywordPrefix(field, prefix)
	return int(b.GetCardinality())
}

// KeywordPrefix implements query.Catalog.
func (c *Catalog) KeywordPrefix(field, prefix string) (*roaring.Bitmap, error) {
	c.count(&c.Counts.KeywordPrefix)
	return c.keywordPrefix(field, prefix)
}

func (c *Catalog) keywordPrefix(field, prefix string) (*roaring.Bitmap, error) {
	out := roaring.New()
	terms := c.terms[field]
	i, _ := slices.BinarySearch(terms, prefix)
	for _, term := range terms[i:] {
		if !strings.HasPrefix(term, prefix) {
			break
		}
		out.Or(c.keywords[field][term])
	}
	return out, nil
}

// NumericCount implements query.Catalog (exactly).
func (c *Catalog) NumericCount(field string, r query.NumRange) int {
	b, _ := c.numeric(field, r)
	return int(b.GetCardinality())
}

// Numeric implements query.Catalog.
func (c *Catalog) Numeric(field string, r query.NumRange) (*roaring.Bitmap, error) {
	c.count(&c.Counts.Numeric)
	return c.numeric(field, r)
}

func (c *Catalog) numeric(field string, r query.NumRange) (*roaring.Bitmap, error) {
	out := roaring.New()
	for i, d := range c.docs {
		if inRange(numbers(d, field), r) {
			out.Add(query.DocID(i))
		}
	}
	return out, nil
}

// ExistsCount implements query.Catalog.
func (c *Catalog) ExistsCount(name string) int {
	b, _ := c.exists(name)
	return int(b.GetCardinality())
}

// Exists implements query.Catalog.
func (c *Catalog) Exists(name string) (*roaring.Bitmap, error) {
	c.count(&c.Counts.Exists)
	return c.exists(name)
}

func (c *Catalog) exists(name string) (*roaring.Bitmap, error) {
	out := roaring.New()
	for i, d := range c.docs {
		if query.FieldValue(d.Fields, name) != nil {
			out.Add(query.DocID(i))
		}
	}
	return out, nil
}

// hits evaluates a text query over every document, once.
func (c *Catalog) hits(q query.Text) (*textHits, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.cache[q]; ok {
		return h, nil
	}
	m, err := newMatcher(q)
	if err != nil {
		return nil, fmt.Errorf("memcat: %w", err)
	}
	h := &textHits{matches: roaring.New(), tf: map[query.DocID]float64{}}
	for i, t := range c.text {
		if tf := m(t); tf > 0 {
			h.matches.Add(query.DocID(i))
			h.tf[query.DocID(i)] = tf
		}
	}
	c.cache[q] = h
	return h, nil
}

// Score is the relevance of document id for a text query (0 when it does
// not match): the same number Search reports.
func (c *Catalog) Score(q query.Text, id query.DocID) (float64, error) {
	h, err := c.hits(q)
	if err != nil {
		return 0, err
	}
	tf, ok := h.tf[id]
	if !ok {
		return 0, nil
	}
	return bm25(tf, c.text[id].length, c.avgLen, int(h.matches.GetCardinality()), len(c.docs)), nil
}

// Matches reports whether document id matches a text query.
func (c *Catalog) Matches(q query.Text, id query.DocID) (bool, error) {
	h, err := c.hits(q)
	if err != nil {
		return false, err
	}
	return h.matches.Contains(id), nil
}

// SearchCount implements query.Catalog (exactly).
func (c *Catalog) SearchCount(q query.Text) int {
	h, err := c.hits(q)
	if err != nil {
		return 0
	}
	return int(h.matches.GetCardinality())
}

// Search implements query.Catalog, honouring TopK: with it, only the
// scores at least as good as the TopK-th best are returned.
func (c *Catalog) Search(ctx context.Context, req query.SearchRequest) (*query.SearchResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.count(&c.Counts.Search)
	h, err := c.hits(req.Query)
	if err != nil {
		return nil, err
	}
	res := &query.SearchResult{Matches: h.matches}
	if req.Within != nil {
		res.Matches = roaring.And(h.matches, req.Within)
	}
	if !req.Score {
		return res, nil
	}
	res.Scores = map[query.DocID]float64{}
	it := res.Matches.Iterator()
	for it.HasNext() {
		id := it.Next()
		res.Scores[id], _ = c.Score(req.Query, id)
	}
	c.mu.Lock()
	c.Counts.Scored += len(res.Scores)
	c.mu.Unlock()
	if req.TopK > 0 && len(res.Scores) > req.TopK {
		all := slices.Collect(maps.Values(res.Scores))
		slices.Sort(all)
		kth := all[len(all)-req.TopK]
		maps.DeleteFunc(res.Scores, func(_ query.DocID, s float64) bool { return s < kth })
	}
	return res, nil
}

// Ordered implements query.Catalog. Ties come in descending DocID order,
// which is not key order, so that the planner's tie-break is exercised.
func (c *Catalog) Ordered(field string, desc bool, within *roaring.Bitmap, yield func(query.DocID) bool) (bool, error) {
	switch {
	case field == "created", field == "updated", field == "path", field == "title":
	case strings.HasPrefix(field, "field."):
	default:
		return false, nil
	}
	c.count(&c.Counts.Ordered)
	type entry struct {
		id query.DocID
		v  query.SortValue
	}
	var entries []entry
	for i := range c.docs {
		id := query.DocID(i)
		if within != nil && !within.Contains(id) {
			continue
		}
		v, ok := c.Value(id, field)
		if sv := query.SortValueOf(field, v, ok); !sv.Missing {
			entries = append(entries, entry{id, sv})
		}
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		if c := query.CompareSortValues(a.v, b.v); c != 0 {
			if desc {
				return -c
			}
			return c
		}
		return int(b.id) - int(a.id)
	})
	for _, e := range entries {
		if !yield(e.id) {
			break
		}
	}
	return true, nil
}

// Graph implements query.Catalog.
func (c *Catalog) Graph() *graph.Graph { return c.g }

func (c *Catalog) count(n *int) {
	c.mu.Lock()
	*n++
	c.mu.Unlock()
}
