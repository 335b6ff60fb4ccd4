package query

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// Group is one group of an aggregate: its key, how many matching documents
// fall in it and the requested metrics over them.
type Group struct {
	Key string `json:"key"`
	// Missing marks the group of documents without a value for the group
	// key (Key is then "").
	Missing bool           `json:"missing,omitempty"`
	Count   int            `json:"count"`
	Metrics []MetricResult `json:"metrics,omitempty"`
}

// MetricResult is one metric of a group. Value is a float64, or a
// time.Time for min, max and avg of dates; it is nil when no document of
// the group has a number for the field.
type MetricResult struct {
	Metric string `json:"metric"` // "avg(field.priority)"
	Value  any    `json:"value"`
	// Count is how many documents had a number for the field.
	Count int `json:"count"`
}

type metricAcc struct {
	n             int
	sum, min, max float64
	dates         bool
}

func (a *metricAcc) add(v any) {
	f, ok := Numeric(v)
	if !ok {
		return
	}
	if _, isTime := v.(time.Time); isTime {
		a.dates = true
	}
	if a.n == 0 {
		a.min, a.max = f, f
	}
	a.n++
	a.sum += f
	a.min, a.max = math.Min(a.min, f), math.Max(a.max, f)
}

func (a *metricAcc) result(m Metric) MetricResult {
	r := MetricResult{Metric: m.String(), Count: a.n}
	if a.n == 0 {
		return r
	}
	var f float64
	switch m.Op {
	case "min":
		f = a.min
	case "max":
		f = a.max
	case "avg":
		f = a.sum / float64(a.n)
	default:
		r.Value = a.sum
		return r
	}
	r.Value = f
	if a.dates {
		r.Value = NumberTime(f)
	}
	return r
}

type groupAcc struct {
	g       Group
	metrics []metricAcc
}

// aggregate groups every matching document (not only the page).
func (p *Plan) aggregate(final *roaring.Bitmap) []Group {
	a := p.q.Aggregate
	groups := map[string]*groupAcc{}
	var missing *groupAcc
	get := func(key string, isMissing bool) *groupAcc {
		if isMissing {
			if missing == nil {
				missing = &groupAcc{g: Group{Missing: true}, metrics: make([]metricAcc, len(a.Metrics))}
			}
			return missing
		}
		g := groups[key]
		if g == nil {
			g = &groupAcc{g: Group{Key: key}, metrics: make([]metricAcc, len(a.Metrics))}
			groups[key] = g
		}
		return g
	}
	it := final.Iterator()
	for it.HasNext() {
		id := it.Next()
		keys := p.groupKeys(id, a.GroupBy)
		values := make([]any, len(a.Metrics))
		for i, m := range a.Metrics {
			values[i], _ = p.cat.Value(id, m.Field)
		}
		accs := make([]*groupAcc, 0, max(len(keys), 1))
		if keys == nil {
			accs = append(accs, get("", true))
		}
		for _, k := range keys {
			accs = append(accs, get(k, false))
		}
		for _, g := range accs {
			g.g.Count++
			for i := range a.Metrics {
				if values[i] != nil {
					g.metrics[i].add(values[i])
				}
			}
		}
	}
	out := make([]Group, 0, len(groups)+1)
	finish := func(g *groupAcc) Group {
		for i, m := range a.Metrics {
			g.g.Metrics = append(g.g.Metrics, g.metrics[i].result(m))
		}
		return g.g
	}
	for _, g := range groups {
		out = append(out, finish(g))
	}
	slices.SortFunc(out, func(x, y Group) int { return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Key, y.Key)) })
	if missing != nil {
		out = append(out, finish(missing))
	}
	return out
}

// groupKeys are the groups a document falls in; nil means none (the
// missing group). Without GroupBy every document is in the one group "".
func (p *Plan) groupKeys(id DocID, by string) []string {
	var v any
	var ok bool
	switch by {
	case "":
		return []string{""}
	case "tag":
		v, ok = p.cat.Value(id, "tags")
	default:
		v, ok = p.cat.Value(id, by)
	}
	if !ok {
		return nil
	}
	if s, isString := v.(string); isString && (by == "folder" || by == "collection" || by == "lang") {
		return []string{s}
	}
	keys := Keywords(v)
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
