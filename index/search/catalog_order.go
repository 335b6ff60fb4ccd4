package search

import (
	"math"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kotadb/kotadb/query"
)

// Ordered walks. created and updated come from their numeric doc values;
// path and title from the stored doc table; a frontmatter field from its
// numeric doc values and keyword postings, which give a document's sort
// value directly when it has one number, or no number and one keyword
// (query.SortValueOf takes the first number, else the first keyword, of
// the value as written, which the index cannot tell apart when there are
// several). Those documents, and keywords the index cut short, are
// looked up with Value. The documents are then sorted: the walk is exact,
// so the planner can stop early, and cheaper than the planner's sort since
// most sort values need no document.

// orderEntry is a document with its sort value.
type orderEntry struct {
	id query.DocID
	v  query.SortValue
}

// Ordered implements query.Catalog for created, updated, path, title and
// field.<name>.
func (c *QueryCatalog) Ordered(field string, desc bool, within *roaring.Bitmap, yield func(query.DocID) bool) (bool, error) {
	if !c.begin() {
		return false, errReleased
	}
	entries, ok := c.orderEntries(field, within)
	err := c.corruption()
	c.end() // yield calls back into the catalog
	if !ok || err != nil {
		return false, err
	}
	slices.SortFunc(entries, func(a, b orderEntry) int {
		if desc {
			return query.CompareSortValues(b.v, a.v)
		}
		return query.CompareSortValues(a.v, b.v)
	})
	for _, e := range entries {
		if !yield(e.id) {
			break
		}
	}
	return true, nil
}

// orderEntries returns the candidates that have a value for field with
// their sort values, unsorted; ok is false for a field it cannot order by.
func (c *QueryCatalog) orderEntries(field string, within *roaring.Bitmap) ([]orderEntry, bool) {
	cand := c.live
	if within != nil {
		cand = roaring.And(within, c.live)
	}
	var out []orderEntry
	switch field {
	case NumericCreated, NumericUpdated:
		it := cand.Iterator()
		for it.HasNext() {
			id := it.Next()
			if f := c.timeOf(field, id); !math.IsNaN(f) {
				// The value Value gives (to the microsecond), so that the
				// planner's order check agrees.
				out = append(out, orderEntry{id, query.SortValue{Numeric: true, Num: query.TimeNumber(query.NumberTime(f))}})
			}
		}
		return out, true
	case "path", "title":
		c.read(func() {
			it := cand.Iterator()
			for it.HasNext() {
				id := it.Next()
				vi, local, _ := c.locate(id)
				m, err := c.snap.views[vi].r.docMeta(local)
				if err != nil {
					continue // the segment recorded the corruption
				}
				if field == "path" {
					_, rel := splitKey(m.key)
					out = append(out, orderEntry{id, query.SortValueOf(field, rel, true)})
				} else if m.title != "" {
					out = append(out, orderEntry{id, query.SortValueOf(field, m.title, true)})
				}
			}
		})
		return out, true
	}
	if _, ok := query.FieldRef(field); !ok {
		return nil, false
	}
	return c.fieldOrder(field, cand), true
}

// fieldOrder gives the sort values of a frontmatter field.
func (c *QueryCatalog) fieldOrder(field string, cand *roaring.Bitmap) []orderEntry {
	col := strings.ToLower(field)
	type seen struct {
		n   int
		num float64
		kw  string
	}
	nums := map[query.DocID]*seen{}
	kws := map[query.DocID]*seen{}
	note := func(m map[query.DocID]*seen, id query.DocID) *seen {
		s := m[id]
		if s == nil {
			s = &seen{}
			m[id] = s
		}
		s.n++
		return s
	}
	from := []byte(kwKey(col, ""))
	c.read(func() {
		for vi := range c.snap.views {
			v := &c.snap.views[vi]
			base := c.bases[vi]
			v.r.numeric(col, func(d uint32, x float64) {
				if d < v.limit && cand.Contains(base+d) {
					note(nums, base+d).num = x
				}
			})
			v.r.rangeKeyword(from, prefixEnd(from), func(key []byte, l kwList) bool {
				term := string(key[len(from):])
				var cur kwCursor
				for cur.reset(l.data, v.limit); cur.doc != noDoc; cur.next() {
					if cand.Contains(base + cur.doc) {
						note(kws, base+cur.doc).kw = term
					}
				}
				return true
			})
		}
	})
	var out []orderEntry
	it := cand.Iterator()
	for it.HasNext() {
		id := it.Next()
		n, k := nums[id], kws[id]
		switch {
		case n != nil && n.n == 1:
			out = append(out, orderEntry{id, query.SortValue{Numeric: true, Num: n.num}})
		case n == nil && k != nil && k.n == 1 && len(k.kw) < maxKeywordLen:
			out = append(out, orderEntry{id, query.SortValue{Str: k.kw}})
		case n != nil || k != nil:
			v, ok := c.value(id, field)
			if sv := query.SortValueOf(field, v, ok); !sv.Missing {
				out = append(out, orderEntry{id, sv})
			}
		}
	}
	return out
}
