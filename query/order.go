package query

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// SortValue is a document value as sorting compares it.
type SortValue struct {
	Missing bool
	Numeric bool // compare Num; else Str
	Num     float64
	Str     string
}

// SortValueOf converts a value for a sort key: "score" and dates compare
// as numbers, "path" and "key" bytewise, "title" case-insensitively, a
// frontmatter field as a number when Numeric accepts it, else as its first
// keyword. Catalog.Ordered must yield documents in this order.
func SortValueOf(field string, v any, ok bool) SortValue {
	if !ok || v == nil {
		return SortValue{Missing: true}
	}
	switch field {
	case "path", "key":
		s, _ := v.(string)
		return SortValue{Str: s}
	case "title":
		s, _ := v.(string)
		return SortValue{Str: strings.ToLower(s) + "\x00" + s}
	}
	if f, ok := Numeric(v); ok {
		return SortValue{Numeric: true, Num: f}
	}
	if k := Keywords(v); len(k) > 0 {
		return SortValue{Str: k[0]}
	}
	return SortValue{Missing: true}
}

// CompareSortValues orders values ascending: numbers before strings; a
// missing value is not compared here (it always sorts last, see page).
func CompareSortValues(a, b SortValue) int {
	switch {
	case a.Numeric && b.Numeric:
		return cmp.Compare(a.Num, b.Num)
	case a.Numeric != b.Numeric:
		if a.Numeric {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Str, b.Str)
}

// row is a candidate with what ordering it needs.
type row struct {
	id   DocID
	key  string
	vals []SortValue
}

func (p *Plan) compareRows(a, b *row) int {
	for i, k := range p.sort {
		va, vb := a.vals[i], b.vals[i]
		if va.Missing || vb.Missing {
			if va.Missing != vb.Missing {
				if va.Missing {
					return 1 // missing last in either direction
				}
				return -1
			}
			continue
		}
		c := CompareSortValues(va, vb)
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return strings.Compare(a.key, b.key)
}

func (p *Plan) makeRow(id DocID, scores map[DocID]float64) *row {
	r := &row{id: id, key: p.key(id), vals: make([]SortValue, len(p.sort))}
	for i, k := range p.sort {
		if k.Field == "score" {
			r.vals[i] = SortValue{Numeric: true, Num: scores[id]}
			continue
		}
		v, ok := p.cat.Value(id, k.Field)
		r.vals[i] = SortValueOf(k.Field, v, ok)
	}
	return r
}

// page returns the IDs of the requested page, in order.
func (p *Plan) page(ctx context.Context, final *roaring.Bitmap, scores map[DocID]float64) ([]DocID, error) {
	need := p.offset + p.limit
	total := int(final.GetCardinality())
	if total == 0 || p.offset >= total {
		p.order = "nothing to order"
		return nil, nil
	}
	var rows []*row
	if k := p.sort[0]; k.Field != "score" && len(p.sort) == 1 && need < total {
		ok, err := p.orderedScan(ctx, final, scores, need, &rows)
		if err != nil {
			return nil, err
		}
		if !ok {
			rows = nil
		}
	}
	if rows == nil {
		rows = p.topRows(final, scores, need)
	}
	end := min(need, len(rows))
	out := make([]DocID, 0, max(end-p.offset, 0))
	for _, r := range rows[min(p.offset, end):end] {
		out = append(out, r.id)
	}
	return out, nil
}

// topRows orders every candidate, keeping only the first need with a
// bounded heap when that is fewer.
func (p *Plan) topRows(final *roaring.Bitmap, scores map[DocID]float64, need int) []*row {
	total := int(final.GetCardinality())
	it := final.Iterator()
	if need >= total {
		p.order = fmt.Sprintf("full sort of %d by %s", total, p.sortString())
		rows := make([]*row, 0, total)
		for it.HasNext() {
			rows = append(rows, p.makeRow(it.Next(), scores))
		}
		slices.SortFunc(rows, p.compareRows)
		return rows
	}
	p.order = fmt.Sprintf("top-%d heap over %d by %s", need, total, p.sortString())
	h := &rowHeap{p: p}
	for it.HasNext() {
		r := p.makeRow(it.Next(), scores)
		if h.Len() < need {
			heap.Push(h, r)
		} else if p.compareRows(r, h.rows[0]) < 0 {
			h.rows[0] = r
			heap.Fix(h, 0)
		}
	}
	rows := h.rows
	slices.SortFunc(rows, p.compareRows)
	return rows
}

// rowHeap is a max-heap under the result order: its top is the worst of the
// best rows kept so far.
type rowHeap struct {
	p    *Plan
	rows []*row
}

func (h *rowHeap) Len() int           { return len(h.rows) }
func (h *rowHeap) Less(i, j int) bool { return h.p.compareRows(h.rows[i], h.rows[j]) > 0 }
func (h *rowHeap) Swap(i, j int)      { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *rowHeap) Push(x any)         { h.rows = append(h.rows, x.(*row)) }
func (h *rowHeap) Pop() any {
	r := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return r
}

// orderedScan walks the catalog's order of the single sort field and stops
// once need rows are known: it reads on through the ties of the last one so
// that the tie-break by key is exact. Documents without a value come last,
// ordered by key. It reports false when the catalog cannot order by the
// field or yields out of order, and the caller sorts instead.
func (p *Plan) orderedScan(ctx context.Context, final *roaring.Bitmap, scores map[DocID]float64, need int, out *[]*row) (bool, error) {
	k := p.sort[0]
	var rows []*row
	seen := roaring.New()
	inOrder := true
	var stopErr error
	ok, err := p.cat.Ordered(k.Field, k.Desc, final, func(id DocID) bool {
		if stopErr = ctx.Err(); stopErr != nil {
			return false
		}
		if !final.Contains(id) || seen.Contains(id) {
			return true
		}
		r := p.makeRow(id, scores)
		if n := len(rows); n > 0 {
			last := rows[n-1].vals[0]
			if r.vals[0].Missing || !valueOrderOK(last, r.vals[0], k.Desc) {
				inOrder = false
				return false
			}
			if n >= need && CompareSortValues(last, r.vals[0]) != 0 {
				return false
			}
		} else if r.vals[0].Missing {
			inOrder = false
			return false
		}
		seen.Add(id)
		rows = append(rows, r)
		return true
	})
	if stopErr != nil {
		return false, stopErr
	}
	if err != nil {
		return false, fmt.Errorf("query: ordered scan of %s: %w", k.Field, err)
	}
	if !ok || !inOrder {
		return false, nil
	}
	slices.SortFunc(rows, p.compareRows)
	if len(rows) < need {
		// The rest have no value: they follow, by key.
		rest := roaring.AndNot(final, seen)
		var tail []*row
		it := rest.Iterator()
		for it.HasNext() {
			tail = append(tail, p.makeRow(it.Next(), scores))
		}
		slices.SortFunc(tail, p.compareRows)
		rows = append(rows, tail...)
	}
	p.order = fmt.Sprintf("ordered scan of %s, stopped after %d of %d", p.sortString(), seen.GetCardinality(), final.GetCardinality())
	*out = rows
	return true, nil
}

func valueOrderOK(prev, next SortValue, desc bool) bool {
	c := CompareSortValues(prev, next)
	return c == 0 || (c < 0) != desc
}

func (p *Plan) sortString() string {
	parts := make([]string, len(p.sort))
	for i, k := range p.sort {
		dir := "asc"
		if k.Desc {
			dir = "desc"
		}
		parts[i] = k.Field + " " + dir
	}
	return strings.Join(append(parts, "key asc"), ", ")
}
