package query

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/kotadb/kotadb/index/graph"
)

// The JSON form of a query, version 1 (see docs/query.md for examples):
//
//	{"version": 1, "where": EXPR, "sort": ["-updated", "path"], "limit": 20,
//	 "offset": 0, "select": ["path", "title"],
//	 "aggregate": {"group_by": "tag", "metrics": [{"op": "avg", "field": "priority"}]}}
//
// EXPR is an object with exactly one key naming the node:
//
//	{"and": [EXPR…]}  {"or": [EXPR…]}  {"not": EXPR}
//	{"text": "rust"}  {"text": {"value": "rust", "field": "title", "exact": true, "fuzzy": 1}}
//	{"phrase": "error handling"}  {"prefix": "rus"}  (string or {"value", "field", "exact"})
//	{"substring": "rror han"}  {"regex": "err(or)?s?"}  (string or {"value", "exact"})
//	{"tag": "project/kota"}  {"tag": {"name": "project", "exact": true}}
//	{"path": {"prefix": "notes/"}} | {"glob": "notes/**"} | {"eq": "a.md"} | {"from": "a", "to": "m"}
//	{"field": {"name": "status", "eq": "active"}}  (or "in": [...], "exists": true,
//	          "gt"/"gte"/"lt"/"lte": a number or a date string; eq/in take
//	          strings, numbers, booleans or {"date": "today"})
//	{"created": "last-week"}  {"updated": {"gte": "2025-01-01", "lt": "-7d"}}
//	{"collection": "notes"}  {"lang": "go"}
//	{"links_to": "Roadmap"}  {"linked_from": {"note": "Roadmap", "edges": ["wikilink"]}}
//	{"near": {"note": "projects/kota/README.md", "depth": 2, "edges": [...], "direction": "out"}}
//	{"between": {"from": "A", "to": "B", "depth": 5, "edges": [...], "direction": "both"}}
//	{"orphan": true}  {"unresolved": true}

// object is a JSON object that keeps its keys in the order they were added.
type object []member

type member struct {
	key string
	val any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.val)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.key, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MarshalJSON writes the versioned JSON form.
func (q *Query) MarshalJSON() ([]byte, error) {
	o := object{{"version", Version}}
	if q.Where != nil {
		w, err := exprJSON(q.Where)
		if err != nil {
			return nil, err
		}
		o = append(o, member{"where", w})
	}
	if len(q.Sort) > 0 {
		keys := make([]string, len(q.Sort))
		for i, k := range q.Sort {
			keys[i] = k.String()
		}
		o = append(o, member{"sort", keys})
	}
	if q.Limit != 0 {
		o = append(o, member{"limit", q.Limit})
	}
	if q.Offset != 0 {
		o = append(o, member{"offset", q.Offset})
	}
	if len(q.Select) > 0 {
		o = append(o, member{"select", q.Select})
	}
	if a := q.Aggregate; a != nil {
		agg := object{}
		if a.GroupBy != "" {
			agg = append(agg, member{"group_by", a.GroupBy})
		}
		if len(a.Metrics) > 0 {
			ms := make([]object, len(a.Metrics))
			for i, m := range a.Metrics {
				ms[i] = object{{"op", m.Op}, {"field", m.Field}}
			}
			agg = append(agg, member{"metrics", ms})
		}
		o = append(o, member{"aggregate", agg})
	}
	return json.Marshal(o)
}

// String of a sort key as JSON and KQL write it: "-updated", "path".
func (k SortKey) String() string {
	if k.Desc {
		return "-" + k.Field
	}
	return k.Field
}

func exprJSON(e Expr) (any, error) {
	one := func(key string, v any) object { return object{{key, v}} }
	switch n := e.(type) {
	case *And:
		list, err := listJSON(n.Exprs)
		return one("and", list), err
	case *Or:
		list, err := listJSON(n.Exprs)
		return one("or", list), err
	case *Not:
		inner, err := exprJSON(n.Expr)
		return one("not", inner), err
	case *Text:
		key := textKey(n.Kind)
		if n.Field == "" && !n.Exact && n.Fuzzy == 0 {
			return one(key, n.Value), nil
		}
		o := object{{"value", n.Value}}
		if n.Field != "" {
			o = append(o, member{"field", n.Field})
		}
		if n.Exact {
			o = append(o, member{"exact", true})
		}
		if n.Fuzzy != 0 {
			o = append(o, member{"fuzzy", n.Fuzzy})
		}
		return one(key, o), nil
	case *Tag:
		if !n.Exact {
			return one("tag", n.Name), nil
		}
		return one("tag", object{{"name", n.Name}, {"exact", true}}), nil
	case *Path:
		switch n.Op {
		case PathGlob:
			return one("path", object{{"glob", n.Value}}), nil
		case PathEq:
			return one("path", object{{"eq", n.Value}}), nil
		case PathRange:
			o := object{}
			if n.Lo != "" {
				o = append(o, member{"from", n.Lo})
			}
			if n.Hi != "" {
				o = append(o, member{"to", n.Hi})
			}
			return one("path", o), nil
		}
		return one("path", object{{"prefix", n.Value}}), nil
	case *Field:
		return one("field", append(object{{"name", n.Name}}, condJSON(n.Cond, false)...)), nil
	case *Date:
		return one(n.Field, condJSON(n.Cond, true)), nil
	case *Collection:
		return one("collection", n.Name), nil
	case *Lang:
		return one("lang", n.Name), nil
	case *LinksTo:
		return linkJSON("links_to", n.Note, n.Kinds), nil
	case *LinkedFrom:
		return linkJSON("linked_from", n.Note, n.Kinds), nil
	case *Near:
		return one("near", traversalJSON(object{{"note", n.Note}}, n.Depth, n.Kinds, n.Direction)), nil
	case *Between:
		return one("between", traversalJSON(object{{"from", n.From}, {"to", n.To}}, n.Depth, n.Kinds, n.Direction)), nil
	case *Orphan:
		return one("orphan", true), nil
	case *Unresolved:
		return one("unresolved", true), nil
	}
	return nil, fmt.Errorf("query: cannot encode expression of type %T", e)
}

func listJSON(list []Expr) ([]any, error) {
	out := make([]any, len(list))
	for i, e := range list {
		v, err := exprJSON(e)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func condJSON(c Cond, date bool) object {
	switch c.Op {
	case CondEq:
		return object{{"eq", valueJSON(c.Value, date)}}
	case CondIn:
		vs := make([]any, len(c.Values))
		for i, v := range c.Values {
			vs[i] = valueJSON(v, date)
		}
		return object{{"in", vs}}
	case CondExists:
		return object{{"exists", true}}
	}
	o := object{}
	if c.Lo != nil {
		key := "gt"
		if c.Lo.Inclusive {
			key = "gte"
		}
		o = append(o, member{key, valueJSON(c.Lo.Value, true)})
	}
	if c.Hi != nil {
		key := "lt"
		if c.Hi.Inclusive {
			key = "lte"
		}
		o = append(o, member{key, valueJSON(c.Hi.Value, true)})
	}
	return o
}

// valueJSON writes a value; where a string can only be a date (dateContext:
// created/updated and range bounds) a date is a plain string, elsewhere it
// is {"date": "..."} so that it stays distinct from the string.
func valueJSON(v Value, dateContext bool) any {
	switch v.Kind {
	case NumberValue:
		if json.Valid([]byte(v.Raw)) {
			return json.Number(v.Raw)
		}
		return json.Number(strconv.FormatFloat(v.Num, 'g', -1, 64))
	case BoolValue:
		return v.Bool
	case DateValue:
		if dateContext {
			return v.Raw
		}
		return object{{"date", v.Raw}}
	}
	return v.Raw
}

func kindsJSON(k graph.Kind) []string {
	var out []string
	for _, kind := range []graph.Kind{graph.Wikilink, graph.Embed, graph.Markdown, graph.Frontmatter} {
		if k&kind != 0 {
			out = append(out, kind.String())
		}
	}
	return out
}

func linkJSON(key, note string, kinds graph.Kind) object {
	if kinds == 0 {
		return object{{key, note}}
	}
	return object{{key, object{{"note", note}, {"edges", kindsJSON(kinds)}}}}
}

func traversalJSON(o object, depth int, kinds graph.Kind, dir graph.Direction) object {
	if depth != 0 {
		o = append(o, member{"depth", depth})
	}
	if kinds != 0 {
		o = append(o, member{"edges", kindsJSON(kinds)})
	}
	if dir != graph.Both {
		o = append(o, member{"direction", dir.String()})
	}
	return o
}
