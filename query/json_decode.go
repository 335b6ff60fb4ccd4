package query

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kotadb/kotadb/index/graph"
)

// DecodeJSON parses the JSON form of a query strictly: unknown keys, wrong
// types, missing or unsupported versions are *Error values naming the JSON
// path ("where.and[2].tag: expected string") with a hint.
func DecodeJSON(data []byte) (*Query, error) {
	root, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	m, err := fields(root, "", "version", "where", "sort", "limit", "offset", "select", "aggregate")
	if err != nil {
		return nil, err
	}
	q := &Query{}
	vn, ok := m["version"]
	if !ok {
		return nil, &Error{"version", "missing", fmt.Sprintf(`add "version": %d`, Version)}
	}
	if q.Version, err = integer(vn, "version"); err != nil {
		return nil, err
	}
	if q.Version != Version {
		return nil, &Error{"version", fmt.Sprintf("unsupported version %d", q.Version), fmt.Sprintf("this kotadb reads version %d", Version)}
	}
	if w, ok := m["where"]; ok {
		if q.Where, err = decodeExpr(w, "where"); err != nil {
			return nil, err
		}
	}
	if s, ok := m["sort"]; ok {
		keys, err := strings_(s, "sort")
		if err != nil {
			return nil, err
		}
		for i, k := range keys {
			sk, err := ParseSortKey(k)
			if err != nil {
				return nil, &Error{fmt.Sprintf("sort[%d]", i), err.Error(), sortHint}
			}
			q.Sort = append(q.Sort, sk)
		}
	}
	if n, ok := m["limit"]; ok {
		if q.Limit, err = integer(n, "limit"); err != nil {
			return nil, err
		}
	}
	if n, ok := m["offset"]; ok {
		if q.Offset, err = integer(n, "offset"); err != nil {
			return nil, err
		}
	}
	if s, ok := m["select"]; ok {
		if q.Select, err = strings_(s, "select"); err != nil {
			return nil, err
		}
	}
	if a, ok := m["aggregate"]; ok {
		if q.Aggregate, err = decodeAggregate(a); err != nil {
			return nil, err
		}
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return q, nil
}

// UnmarshalJSON is DecodeJSON for encoding/json users.
func (q *Query) UnmarshalJSON(data []byte) error {
	d, err := DecodeJSON(data)
	if err != nil {
		return err
	}
	*q = *d
	return nil
}

// ParseSortKey parses "-updated" (descending) or "path" (ascending).
func ParseSortKey(s string) (SortKey, error) {
	k := SortKey{Field: s}
	if strings.HasPrefix(s, "-") {
		k = SortKey{Field: s[1:], Desc: true}
	} else if strings.HasPrefix(s, "+") {
		k.Field = s[1:]
	}
	if k.Field == "" || strings.TrimSpace(k.Field) != k.Field {
		return k, fmt.Errorf("invalid sort key %q", s)
	}
	return k, nil
}

func decodeAggregate(n *jsonNode) (*Aggregate, error) {
	m, err := fields(n, "aggregate", "group_by", "metrics")
	if err != nil {
		return nil, err
	}
	a := &Aggregate{}
	if g, ok := m["group_by"]; ok {
		if a.GroupBy, err = str(g, "aggregate.group_by"); err != nil {
			return nil, err
		}
	}
	if ms, ok := m["metrics"]; ok {
		list, err := array(ms, "aggregate.metrics")
		if err != nil {
			return nil, err
		}
		for i, mn := range list {
			p := fmt.Sprintf("aggregate.metrics[%d]", i)
			mm, err := fields(mn, p, "op", "field")
			if err != nil {
				return nil, err
			}
			var metric Metric
			if metric.Op, err = requiredStr(mm, "op", p); err != nil {
				return nil, err
			}
			if metric.Field, err = requiredStr(mm, "field", p); err != nil {
				return nil, err
			}
			a.Metrics = append(a.Metrics, metric)
		}
	}
	return a, nil
}

var exprKeys = []string{"and", "or", "not", "text", "phrase", "prefix", "substring", "regex", "tag", "path",
	"field", "created", "updated", "collection", "lang", "links_to", "linked_from", "near", "between", "orphan", "unresolved"}

func decodeExpr(n *jsonNode, p string) (Expr, error) {
	if n.kind != 'o' {
		return nil, &Error{p, "expected expression object, got " + n.typeName(), `e.g. {"tag": "project/kota"}`}
	}
	switch len(n.keys) {
	case 0:
		return nil, &Error{p, "empty expression", "use one of " + strings.Join(exprKeys, ", ")}
	case 1:
	default:
		return nil, &Error{p, fmt.Sprintf("expression has %d keys (%s)", len(n.keys), strings.Join(n.keys, ", ")), `combine conditions with {"and": [...]}`}
	}
	key, v := n.keys[0], n.vals[0]
	at := join(p, key)
	switch key {
	case "and", "or":
		list, err := array(v, at)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, &Error{at, "empty list", "give at least one expression"}
		}
		exprs := make([]Expr, len(list))
		for i, e := range list {
			if exprs[i], err = decodeExpr(e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return nil, err
			}
		}
		if key == "and" {
			return &And{exprs}, nil
		}
		return &Or{exprs}, nil
	case "not":
		inner, err := decodeExpr(v, at)
		if err != nil {
			return nil, err
		}
		return &Not{inner}, nil
	case "text", "phrase", "prefix", "substring", "regex":
		return decodeText(key, v, at)
	case "tag":
		if v.kind == 's' {
			return &Tag{Name: NormalizeTag(v.str)}, nil
		}
		if v.kind != 'o' {
			return nil, &Error{at, "expected string or object, got " + v.typeName(), `{"tag": "project/kota"} or {"tag": {"name": "project", "exact": true}}`}
		}
		m, err := fields(v, at, "name", "exact")
		if err != nil {
			return nil, err
		}
		name, err := requiredStr(m, "name", at)
		if err != nil {
			return nil, err
		}
		exact, err := optBool(m, "exact", at)
		return &Tag{Name: NormalizeTag(name), Exact: exact}, err
	case "path":
		return decodePath(v, at)
	case "field":
		m, err := fields(v, at, "name", "eq", "in", "exists", "gt", "gte", "lt", "lte")
		if err != nil {
			return nil, err
		}
		name, err := requiredStr(m, "name", at)
		if err != nil {
			return nil, err
		}
		delete(m, "name")
		c, err := decodeCond(m, at, false)
		return &Field{Name: name, Cond: c}, err
	case "created", "updated":
		if v.kind == 's' {
			return &Date{Field: key, Cond: Cond{Op: CondEq, Value: DateOf(v.str)}}, nil
		}
		m, err := fields(v, at, "eq", "gt", "gte", "lt", "lte")
		if err != nil {
			return nil, err
		}
		c, err := decodeCond(m, at, true)
		return &Date{Field: key, Cond: c}, err
	case "collection":
		s, err := str(v, at)
		return &Collection{s}, err
	case "lang":
		s, err := str(v, at)
		return &Lang{s}, err
	case "links_to", "linked_from":
		note, kinds := "", graph.Kind(0)
		if v.kind == 's' {
			note = v.str
		} else {
			if v.kind != 'o' {
				return nil, &Error{at, "expected string or object, got " + v.typeName(), `{"` + key + `": "Roadmap"} or {"` + key + `": {"note": "Roadmap", "edges": ["wikilink"]}}`}
			}
			m, err := fields(v, at, "note", "edges")
			if err != nil {
				return nil, err
			}
			if note, err = requiredStr(m, "note", at); err != nil {
				return nil, err
			}
			if kinds, err = decodeKinds(m, at); err != nil {
				return nil, err
			}
		}
		if key == "links_to" {
			return &LinksTo{note, kinds}, nil
		}
		return &LinkedFrom{note, kinds}, nil
	case "near":
		if v.kind == 's' {
			return &Near{Note: v.str}, nil
		}
		m, err := fields(v, at, "note", "depth", "edges", "direction")
		if err != nil {
			return nil, err
		}
		n := &Near{}
		if n.Note, err = requiredStr(m, "note", at); err != nil {
			return nil, err
		}
		n.Depth, n.Kinds, n.Direction, err = decodeTraversal(m, at)
		return n, err
	case "between":
		m, err := fields(v, at, "from", "to", "depth", "edges", "direction")
		if err != nil {
			return nil, err
		}
		n := &Between{}
		if n.From, err = requiredStr(m, "from", at); err != nil {
			return nil, err
		}
		if n.To, err = requiredStr(m, "to", at); err != nil {
			return nil, err
		}
		n.Depth, n.Kinds, n.Direction, err = decodeTraversal(m, at)
		return n, err
	case "orphan", "unresolved":
		b, err := boolean(v, at)
		if err != nil {
			return nil, err
		}
		if !b {
			return nil, &Error{at, "must be true", fmt.Sprintf(`for the opposite write {"not": {"%s": true}}`, key)}
		}
		if key == "orphan" {
			return &Orphan{}, nil
		}
		return &Unresolved{}, nil
	}
	return nil, &Error{at, fmt.Sprintf("unknown expression %q", key), suggest(key, exprKeys)}
}

func decodeText(key string, v *jsonNode, at string) (Expr, error) {
	kind := map[string]TextKind{"text": Term, "phrase": Phrase, "prefix": Prefix, "substring": Substring, "regex": Regex}[key]
	if v.kind == 's' {
		return &Text{Kind: kind, Value: v.str}, nil
	}
	allowed := []string{"value", "field", "exact", "fuzzy"}
	switch kind {
	case Phrase, Prefix:
		allowed = allowed[:3]
	case Substring:
		allowed = []string{"value", "exact"}
	case Regex:
		allowed = allowed[:1]
	}
	m, err := fields(v, at, allowed...)
	if err != nil {
		if v.kind != 'o' {
			return nil, &Error{at, "expected string or object, got " + v.typeName(), fmt.Sprintf(`{"%s": "word"} or {"%s": {"value": "word", …}}`, key, key)}
		}
		return nil, err
	}
	t := &Text{Kind: kind}
	if t.Value, err = requiredStr(m, "value", at); err != nil {
		return nil, err
	}
	if f, ok := m["field"]; ok {
		if t.Field, err = str(f, at+".field"); err != nil {
			return nil, err
		}
	}
	if t.Exact, err = optBool(m, "exact", at); err != nil {
		return nil, err
	}
	if f, ok := m["fuzzy"]; ok {
		if t.Fuzzy, err = integer(f, at+".fuzzy"); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func decodePath(v *jsonNode, at string) (Expr, error) {
	m, err := fields(v, at, "prefix", "glob", "eq", "from", "to")
	if err != nil {
		if v.kind != 'o' {
			return nil, &Error{at, "expected object, got " + v.typeName(), `{"path": {"prefix": "notes/"}}, {"glob": "notes/**"}, {"eq": "a.md"} or {"from": "a", "to": "m"}`}
		}
		return nil, err
	}
	groups := 0
	for _, k := range []string{"prefix", "glob", "eq"} {
		if m[k] != nil {
			groups++
		}
	}
	if m["from"] != nil || m["to"] != nil {
		groups++
	}
	switch {
	case groups == 0:
		return nil, &Error{at, "empty path condition", "give prefix, glob, eq or from/to"}
	case groups > 1:
		return nil, &Error{at, "conflicting keys " + strings.Join(v.keys, ", "), "give one of prefix, glob, eq, or from/to"}
	}
	get := func(k string) (string, error) {
		if n, ok := m[k]; ok {
			return str(n, at+"."+k)
		}
		return "", nil
	}
	p := &Path{}
	switch {
	case m["prefix"] != nil:
		p.Op = PathPrefix
		p.Value, err = get("prefix")
	case m["glob"] != nil:
		p.Op = PathGlob
		p.Value, err = get("glob")
	case m["eq"] != nil:
		p.Op = PathEq
		p.Value, err = get("eq")
	default:
		p.Op = PathRange
		if p.Lo, err = get("from"); err == nil {
			p.Hi, err = get("to")
		}
	}
	return p, err
}

func decodeCond(m map[string]*jsonNode, at string, date bool) (Cond, error) {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		if date {
			return Cond{}, &Error{at, "missing condition", "give eq, gt, gte, lt or lte"}
		}
		return Cond{}, &Error{at, "missing condition", "give eq, in, exists, gt, gte, lt or lte"}
	}
	single := func() error {
		if len(keys) > 1 {
			return &Error{at, "conflicting keys " + strings.Join(keys, ", "), "eq, in and exists stand alone; combine gt/gte with lt/lte for a range"}
		}
		return nil
	}
	switch {
	case m["eq"] != nil:
		if err := single(); err != nil {
			return Cond{}, err
		}
		v, err := decodeValue(m["eq"], at+".eq", date)
		return Cond{Op: CondEq, Value: v}, err
	case m["in"] != nil:
		if err := single(); err != nil {
			return Cond{}, err
		}
		list, err := array(m["in"], at+".in")
		if err != nil {
			return Cond{}, err
		}
		c := Cond{Op: CondIn}
		for i, n := range list {
			v, err := decodeValue(n, fmt.Sprintf("%s.in[%d]", at, i), date)
			if err != nil {
				return Cond{}, err
			}
			c.Values = append(c.Values, v)
		}
		return c, nil
	case m["exists"] != nil:
		if err := single(); err != nil {
			return Cond{}, err
		}
		b, err := boolean(m["exists"], at+".exists")
		if err == nil && !b {
			err = &Error{at + ".exists", "must be true", `for missing fields write {"not": {"field": {"name": …, "exists": true}}}`}
		}
		return Cond{Op: CondExists}, err
	}
	if m["gt"] != nil && m["gte"] != nil || m["lt"] != nil && m["lte"] != nil {
		return Cond{}, &Error{at, "conflicting keys " + strings.Join(keys, ", "), "give at most one lower (gt, gte) and one upper (lt, lte) bound"}
	}
	c := Cond{Op: CondRange}
	for _, k := range keys {
		v, err := decodeValue(m[k], at+"."+k, true)
		if err != nil {
			return Cond{}, err
		}
		if v.Kind != NumberValue && v.Kind != DateValue {
			return Cond{}, &Error{at + "." + k, "expected a number or a date, got " + v.Kind.String(), `e.g. 2, "2025-01-01" or "-7d"`}
		}
		b := &Bound{Value: v, Inclusive: strings.HasSuffix(k, "e")}
		if strings.HasPrefix(k, "g") {
			c.Lo = b
		} else {
			c.Hi = b
		}
	}
	return c, nil
}

// decodeValue reads a literal. Where only a date makes sense (dateContext)
// a string is a date; elsewhere a date is written {"date": "…"}.
func decodeValue(n *jsonNode, at string, dateContext bool) (Value, error) {
	switch n.kind {
	case 's':
		if dateContext {
			return DateOf(n.str), nil
		}
		return Str(n.str), nil
	case 'n':
		f, err := strconv.ParseFloat(string(n.num), 64)
		if err != nil {
			return Value{}, &Error{at, fmt.Sprintf("number %s out of range", n.num), ""}
		}
		return Value{Kind: NumberValue, Raw: string(n.num), Num: f}, nil
	case 'b':
		return Bool(n.b), nil
	case 'o':
		m, err := fields(n, at, "date")
		if err != nil {
			return Value{}, err
		}
		s, err := requiredStr(m, "date", at)
		return DateOf(s), err
	}
	return Value{}, &Error{at, "expected string, number, boolean or {\"date\": …}, got " + n.typeName(), ""}
}

func decodeKinds(m map[string]*jsonNode, at string) (graph.Kind, error) {
	e, ok := m["edges"]
	if !ok {
		return 0, nil
	}
	names, err := strings_(e, at+".edges")
	if err != nil {
		return 0, err
	}
	var kinds graph.Kind
	for i, name := range names {
		k, err := graph.ParseKind(name)
		if err != nil {
			return 0, &Error{fmt.Sprintf("%s.edges[%d]", at, i), fmt.Sprintf("unknown link kind %q", name), "expected wikilink, embed, markdown or frontmatter"}
		}
		kinds |= k
	}
	return kinds, nil
}

func decodeTraversal(m map[string]*jsonNode, at string) (depth int, kinds graph.Kind, dir graph.Direction, err error) {
	if d, ok := m["depth"]; ok {
		if depth, err = integer(d, at+".depth"); err != nil {
			return
		}
		if depth < 1 || depth > graph.MaxDepth {
			err = &Error{at + ".depth", fmt.Sprintf("depth %d out of range", depth), fmt.Sprintf("expected 1 to %d", graph.MaxDepth)}
			return
		}
	}
	if kinds, err = decodeKinds(m, at); err != nil {
		return
	}
	if d, ok := m["direction"]; ok {
		var s string
		if s, err = str(d, at+".direction"); err != nil {
			return
		}
		if dir, err = graph.ParseDirection(s); err != nil {
			err = &Error{at + ".direction", fmt.Sprintf("unknown direction %q", s), "expected out, in or both"}
		}
	}
	return
}
