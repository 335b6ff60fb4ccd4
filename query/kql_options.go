package query

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kotadb/kotadb/index/graph"
)

// SelectBuiltins are the names Select, sort and group accept besides
// "field.NAME" (a frontmatter field).
var SelectBuiltins = []string{"key", "collection", "path", "folder", "title", "tags", "aliases", "links",
	"created", "updated", "lang", "score", "fields"}

// FieldRef returns the frontmatter field a "field.NAME" reference names.
func FieldRef(s string) (string, bool) {
	name, ok := strings.CutPrefix(s, "field.")
	return name, ok && name != ""
}

func validSortKey(s string) bool {
	_, isField := FieldRef(s)
	return isField || slices.Contains(SortFields, s)
}

func validSelect(s string) bool {
	_, isField := FieldRef(s)
	return isField || slices.Contains(SelectBuiltins, s)
}

func validGroupBy(s string) bool {
	_, isField := FieldRef(s)
	return isField || slices.Contains(GroupByBuiltins, s)
}

func validMetricField(s string) bool {
	_, isField := FieldRef(s)
	return isField || s == "created" || s == "updated"
}

const (
	selectHint = "expected key, collection, path, folder, title, tags, aliases, links, created, updated, lang, score, fields or field.NAME"
	groupHint  = "expected tag, folder, collection, lang or field.NAME"
	metricHint = "expected count or min/max/avg/sum of created, updated or field.NAME, as in avg(field.priority)"
)

// option reads sort:, limit:, offset:, select:, group: or agg:.
func (p *parser) option() error {
	name := p.advance()
	parts, err := p.value(name)
	if err != nil {
		return err
	}
	if p.depth > 0 {
		return p.errTok(name, name.text+": applies to the whole query", "move it out of the parentheses and negations")
	}
	if p.options == nil {
		p.options = map[string]bool{}
	}
	if p.options[name.text] {
		return p.errTok(name, name.text+": given twice", "keep one")
	}
	p.options[name.text] = true
	items, err := p.split(name, parts, ",")
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.text == "" {
			return p.errTok(it.tok, "empty element in "+name.text+":", "separate names with single commas")
		}
	}
	switch name.text {
	case "sort":
		for _, it := range items {
			k, err := ParseSortKey(it.text)
			if err != nil || !validSortKey(k.Field) {
				return p.errTok(it.tok, fmt.Sprintf("unknown sort key %q", strings.TrimLeft(it.text, "+-")), sortHint)
			}
			p.q.Sort = append(p.q.Sort, k)
		}
	case "limit", "offset":
		if len(items) != 1 {
			return p.errTok(parts[0].tok, name.text+": takes one number", "")
		}
		n, err := strconv.Atoi(items[0].text)
		if err != nil || n < 0 || n > MaxLimit {
			return p.errTok(items[0].tok, fmt.Sprintf("%s:%s is not a number from 0 to %d", name.text, items[0].text, MaxLimit), "")
		}
		if name.text == "limit" {
			p.q.Limit = n
		} else {
			p.q.Offset = n
		}
	case "select":
		for _, it := range items {
			if !validSelect(it.text) {
				return p.errTok(it.tok, fmt.Sprintf("unknown field %q", it.text), selectHint)
			}
			p.q.Select = append(p.q.Select, it.text)
		}
	case "group":
		if len(items) != 1 || !validGroupBy(items[0].text) {
			return p.errTok(items[0].tok, fmt.Sprintf("unknown group %q", items[0].text), groupHint)
		}
		p.aggregate().GroupBy = items[0].text
	case "agg":
		a := p.aggregate()
		for _, it := range items {
			if it.text == "count" {
				continue
			}
			m, ok := parseMetric(it.text)
			if !ok {
				return p.errTok(it.tok, fmt.Sprintf("unknown aggregate %q", it.text), metricHint)
			}
			a.Metrics = append(a.Metrics, m)
		}
	}
	return nil
}

func (p *parser) aggregate() *Aggregate {
	if p.q.Aggregate == nil {
		p.q.Aggregate = &Aggregate{}
	}
	return p.q.Aggregate
}

// parseMetric parses op(field).
func parseMetric(s string) (Metric, bool) {
	op, rest, ok := strings.Cut(s, "(")
	if !ok || !strings.HasSuffix(rest, ")") || !slices.Contains(MetricOps, op) {
		return Metric{}, false
	}
	m := Metric{Op: op, Field: strings.TrimSuffix(rest, ")")}
	return m, validMetricField(m.Field)
}

// modifier reads depth:, edges: or dir: and applies it to the last graph
// clause.
func (p *parser) modifier() error {
	name := p.advance()
	parts, err := p.value(name)
	if err != nil {
		return err
	}
	v, _, err := p.single(name, parts)
	if err != nil {
		return err
	}
	g := p.lastGraph
	traversal := func() (*int, *graph.Direction) {
		switch n := g.(type) {
		case *Near:
			return &n.Depth, &n.Direction
		case *Between:
			return &n.Depth, &n.Direction
		}
		return nil, nil
	}
	depth, dir := traversal()
	if g == nil || name.text != "edges" && depth == nil {
		what := "a near: or between:"
		if name.text == "edges" {
			what = "a links:, backlinks:, near: or between:"
		}
		return p.errTok(name, name.text+": must follow "+what+" clause", "as in near:[[Note]] depth:2")
	}
	if p.modified == nil {
		p.modified = map[Expr]map[string]bool{}
	}
	if p.modified[g] == nil {
		p.modified[g] = map[string]bool{}
	}
	if p.modified[g][name.text] {
		return p.errTok(name, name.text+": given twice for the same clause", "keep one")
	}
	p.modified[g][name.text] = true
	switch name.text {
	case "depth":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > graph.MaxDepth {
			return p.errTok(parts[0].tok, fmt.Sprintf("depth %s out of range", v), fmt.Sprintf("expected 1 to %d", graph.MaxDepth))
		}
		*depth = n
	case "dir":
		d, err := graph.ParseDirection(v)
		if err != nil {
			return p.errTok(parts[0].tok, fmt.Sprintf("unknown direction %q", v), "expected out, in or both")
		}
		*dir = d
	case "edges":
		var kinds graph.Kind
		for _, name := range strings.Split(v, ",") {
			k, err := graph.ParseKind(name)
			if err != nil {
				return p.errTok(parts[0].tok, fmt.Sprintf("unknown link kind %q", name), "expected wikilink, embed, markdown or frontmatter, separated by commas")
			}
			kinds |= k
		}
		switch n := g.(type) {
		case *LinksTo:
			n.Kinds = kinds
		case *LinkedFrom:
			n.Kinds = kinds
		case *Near:
			n.Kinds = kinds
		case *Between:
			n.Kinds = kinds
		}
	}
	return nil
}

// setExact applies --exact: every text match that can fold case does not.
func setExact(e Expr) {
	switch n := e.(type) {
	case *And:
		for _, c := range n.Exprs {
			setExact(c)
		}
	case *Or:
		for _, c := range n.Exprs {
			setExact(c)
		}
	case *Not:
		setExact(n.Expr)
	case *Text:
		if n.Kind != Regex {
			n.Exact = true
		}
	}
}
