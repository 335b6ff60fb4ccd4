package query

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/kotadb/kotadb/index/graph"
)

// String prints the query as KQL. For a query ParseKQL produced, parsing
// the result gives the same query back. Queries built otherwise print as
// equivalent KQL where the AST has no exact KQL spelling (a range with one
// open and one closed end prints as two conditions).
func (q *Query) String() string {
	var parts []string
	if q.Where != nil {
		parts = append(parts, exprKQL(q.Where, true))
	}
	if len(q.Sort) > 0 {
		keys := make([]string, len(q.Sort))
		for i, k := range q.Sort {
			keys[i] = k.String()
		}
		parts = append(parts, "sort:"+strings.Join(keys, ","))
	}
	if q.Limit != 0 {
		parts = append(parts, "limit:"+strconv.Itoa(q.Limit))
	}
	if q.Offset != 0 {
		parts = append(parts, "offset:"+strconv.Itoa(q.Offset))
	}
	if len(q.Select) > 0 {
		parts = append(parts, "select:"+strings.Join(q.Select, ","))
	}
	if a := q.Aggregate; a != nil {
		if a.GroupBy != "" {
			parts = append(parts, "group:"+a.GroupBy)
		}
		if len(a.Metrics) > 0 {
			ms := make([]string, len(a.Metrics))
			for i, m := range a.Metrics {
				ms[i] = m.String()
			}
			parts = append(parts, "agg:"+strings.Join(ms, ","))
		} else if a.GroupBy == "" {
			parts = append(parts, "agg:count")
		}
	}
	return strings.Join(parts, " ")
}

// ExprString prints one expression as KQL.
func ExprString(e Expr) string { return exprKQL(e, true) }

// exprKQL prints e; top says it is the whole Where, where an And needs no
// parentheses.
func exprKQL(e Expr, top bool) string {
	switch n := e.(type) {
	case *And:
		s := joinKQL(n.Exprs, " ", func(c Expr) bool {
			_, and := c.(*And)
			_, or := c.(*Or)
			return and || or
		})
		if top {
			return s
		}
		return "(" + s + ")"
	case *Or:
		s := joinKQL(n.Exprs, " OR ", func(c Expr) bool { _, or := c.(*Or); return or })
		if top {
			return s
		}
		return "(" + s + ")"
	case *Not:
		switch n.Expr.(type) {
		case *And, *Or, *Not:
			return "-(" + exprKQL(n.Expr, true) + ")"
		}
		return "-" + exprKQL(n.Expr, false)
	case *Text:
		return textKQL(n)
	case *Tag:
		if n.Exact {
			return "tag:=" + quoteIf(n.Name)
		}
		return "tag:" + quoteIf(n.Name)
	case *Path:
		switch n.Op {
		case PathEq:
			return "path:=" + quoteIf(n.Value)
		case PathRange:
			return "path:" + rangeEnd(n.Lo) + ".." + rangeEnd(n.Hi)
		}
		return "path:" + quoteIf(n.Value)
	case *Field:
		if n.Op == CondExists {
			return "has:" + quoteIf(n.Name)
		}
		name := n.Name
		if reservedName(name) || !validName(name) {
			name = quote(name)
		}
		return condKQL(name, n.Cond)
	case *Date:
		return dateKQL(n.Field, n.Cond)
	case *Collection:
		return "in:" + quoteIf(n.Name)
	case *Lang:
		return "lang:" + quoteIf(n.Name)
	case *LinksTo:
		return "links:" + noteKQL(n.Note) + modifiersKQL(0, n.Kinds, graph.Both)
	case *LinkedFrom:
		return "backlinks:" + noteKQL(n.Note) + modifiersKQL(0, n.Kinds, graph.Both)
	case *Near:
		return "near:" + noteKQL(n.Note) + modifiersKQL(n.Depth, n.Kinds, n.Direction)
	case *Between:
		return "between:" + noteKQL(n.From) + ".." + noteKQL(n.To) + modifiersKQL(n.Depth, n.Kinds, n.Direction)
	case *Orphan:
		return "is:orphan"
	case *Unresolved:
		return "is:unresolved"
	}
	return ""
}

func joinKQL(list []Expr, sep string, paren func(Expr) bool) string {
	parts := make([]string, len(list))
	for i, c := range list {
		if paren(c) {
			parts[i] = "(" + exprKQL(c, true) + ")"
		} else {
			parts[i] = exprKQL(c, true)
		}
	}
	return strings.Join(parts, sep)
}

// textKQL prints a text match. Terms, prefixes and fuzzy terms are bare
// words, which only some strings can be; the candidate is parsed back to
// make sure, and a value KQL cannot say bare prints as a phrase, the
// closest KQL has.
func textKQL(n *Text) string {
	var s string
	switch n.Kind {
	case Phrase:
		s = quote(n.Value)
	case Prefix:
		s = n.Value + "*"
	case Substring:
		s = "sub:" + quoteIf(n.Value)
	case Regex:
		if strings.Contains(n.Value, `\/`) {
			return "re:" + quoteIf(n.Value)
		}
		return "/" + escapeRegex(n.Value) + "/"
	default:
		s = n.Value
		if n.Fuzzy > 0 {
			s += "~" + strconv.Itoa(n.Fuzzy)
		}
	}
	switch n.Field {
	case "":
	case "headings":
		s = "heading:" + s
	default:
		s = n.Field + ":" + s
	}
	if n.Exact {
		s = "exact:" + s
	}
	if n.Kind == Term || n.Kind == Prefix {
		if q, err := ParseKQL(s); err != nil || !reflect.DeepEqual(q.Where, Expr(n)) {
			return textKQL(&Text{Kind: Phrase, Value: n.Value, Field: n.Field, Exact: n.Exact})
		}
	}
	return s
}

func escapeRegex(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
		case p[i] == '/':
			b.WriteString(`\/`)
		default:
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

func condKQL(name string, c Cond) string { return condKQLWith(name, c, valueKQL) }

func condKQLWith(name string, c Cond, value func(Value) string) string {
	switch c.Op {
	case CondEq:
		return name + ":" + value(c.Value)
	case CondIn:
		vs := make([]string, len(c.Values))
		for i, v := range c.Values {
			vs[i] = value(v)
		}
		return name + ":" + strings.Join(vs, ",")
	}
	switch {
	case c.Lo != nil && c.Hi != nil && c.Lo.Inclusive && c.Hi.Inclusive:
		return name + ":" + value(c.Lo.Value) + ".." + value(c.Hi.Value)
	case c.Lo != nil && c.Hi != nil: // one end open, one closed: KQL says it as two conditions
		return "(" + condKQLWith(name, Cond{Op: CondRange, Lo: c.Lo}, value) + " " + condKQLWith(name, Cond{Op: CondRange, Hi: c.Hi}, value) + ")"
	case c.Lo != nil:
		op := ">"
		if c.Lo.Inclusive {
			op = ">="
		}
		return name + ":" + op + value(c.Lo.Value)
	case c.Hi != nil:
		op := "<"
		if c.Hi.Inclusive {
			op = "<="
		}
		return name + ":" + op + value(c.Hi.Value)
	}
	return name + ":.."
}

// dateKQL prints a created:/updated: condition, where every value is a
// date and needs no quotes to say so (created:2025 is the year).
func dateKQL(name string, c Cond) string {
	bare := func(v Value) Value {
		if v.Kind == DateValue && bareSafe(v.Raw) {
			return Value{Kind: StringValue, Raw: v.Raw} // printed as is below
		}
		return v
	}
	c.Value = bare(c.Value)
	if c.Lo != nil {
		c.Lo = &Bound{Value: bare(c.Lo.Value), Inclusive: c.Lo.Inclusive}
	}
	if c.Hi != nil {
		c.Hi = &Bound{Value: bare(c.Hi.Value), Inclusive: c.Hi.Inclusive}
	}
	return condKQLWith(name, c, func(v Value) string {
		if v.Kind == StringValue {
			return v.Raw
		}
		return valueKQL(v)
	})
}

// valueKQL prints a literal so that it reads back as the same kind: a
// string that would read as a number, date or boolean is quoted.
func valueKQL(v Value) string {
	if v.Kind == StringValue {
		if Literal(v.Raw).Kind != StringValue {
			return quote(v.Raw)
		}
		return quoteIf(v.Raw)
	}
	if Literal(v.Raw).Kind == v.Kind && bareSafe(v.Raw) {
		return v.Raw
	}
	switch v.Kind {
	case NumberValue:
		return strconv.FormatFloat(v.Num, 'g', -1, 64)
	case BoolValue:
		return strconv.FormatBool(v.Bool)
	}
	return quote(v.Raw)
}

// rangeEnd prints one end of a path range; a dot next to the ".." would
// merge with it, so such an end is quoted.
func rangeEnd(s string) string {
	switch {
	case s == "":
		return ""
	case strings.HasPrefix(s, ".") || strings.HasSuffix(s, "."):
		return quote(s)
	}
	return quoteIf(s)
}

// bareSafe reports whether s can be written unquoted as a value.
func bareSafe(s string) bool {
	if s == "" || strings.Contains(s, "..") || strings.Contains(s, "[[") || strings.ContainsAny(s, "\",|()<>=") {
		return false
	}
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0xA0 ||
			r == 0x1680 || r >= 0x2000 && r <= 0x200a || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000 {
			return false
		}
	}
	return true
}

func quoteIf(s string) string {
	if bareSafe(s) {
		return s
	}
	return quote(s)
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func noteKQL(note string) string {
	if note != "" && !strings.Contains(note, "]]") && strings.TrimSpace(note) == note && !strings.Contains(note, "..") && !strings.HasSuffix(note, "]") {
		return "[[" + note + "]]"
	}
	return quote(note)
}

func modifiersKQL(depth int, kinds graph.Kind, dir graph.Direction) string {
	var s string
	if depth != 0 {
		s += " depth:" + strconv.Itoa(depth)
	}
	if kinds != 0 {
		s += " edges:" + strings.Join(kindsJSON(kinds), ",")
	}
	if dir != graph.Both {
		s += " dir:" + dir.String()
	}
	return s
}
