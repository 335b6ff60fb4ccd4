package query

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"github.com/kotadb/kotadb/index/graph"
)

// Error is a query that is well-formed JSON or KQL but asks for something
// impossible (or a Go-built query that is malformed). Path is the place in
// the JSON form, "where.and[2].tag".
type Error struct {
	Path string
	Msg  string
	Hint string
}

func (e *Error) Error() string {
	s := e.Msg
	if e.Path != "" {
		s = e.Path + ": " + s
	}
	if e.Hint != "" {
		s += " — " + e.Hint
	}
	return s
}

// Validate checks q: every node well-formed, regular expressions and dates
// parse, depths in range, sort and aggregate names known. Decoders and the
// KQL parser produce valid queries; Validate is for queries built in Go and
// is called by NewPlan.
func (q *Query) Validate() error {
	if q.Version != 0 && q.Version != Version {
		return &Error{"version", fmt.Sprintf("unsupported version %d", q.Version), fmt.Sprintf("this kotadb reads version %d", Version)}
	}
	if q.Where != nil {
		if err := validateExpr(q.Where, "where"); err != nil {
			return err
		}
	}
	for i, k := range q.Sort {
		if !validSortKey(k.Field) {
			return &Error{fmt.Sprintf("sort[%d]", i), fmt.Sprintf("unknown sort key %q", k.Field), sortHint}
		}
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		return &Error{"limit", fmt.Sprintf("%d out of range", q.Limit), fmt.Sprintf("expected 0 (default %d) to %d", DefaultLimit, MaxLimit)}
	}
	if q.Offset < 0 || q.Offset > MaxLimit {
		return &Error{"offset", fmt.Sprintf("%d out of range", q.Offset), fmt.Sprintf("expected 0 to %d", MaxLimit)}
	}
	for i, s := range q.Select {
		if !validSelect(s) {
			return &Error{fmt.Sprintf("select[%d]", i), fmt.Sprintf("unknown field %q", s), selectHint}
		}
	}
	if a := q.Aggregate; a != nil {
		if a.GroupBy != "" && !validGroupBy(a.GroupBy) {
			return &Error{"aggregate.group_by", fmt.Sprintf("unknown group %q", a.GroupBy), groupHint}
		}
		for i, m := range a.Metrics {
			p := fmt.Sprintf("aggregate.metrics[%d]", i)
			if !slices.Contains(MetricOps, m.Op) {
				return &Error{p + ".op", fmt.Sprintf("unknown metric %q", m.Op), "expected min, max, avg or sum (count is always reported)"}
			}
			if !validMetricField(m.Field) {
				return &Error{p + ".field", fmt.Sprintf("unknown field %q", m.Field), metricHint}
			}
		}
	}
	return nil
}

const sortHint = "expected score, created, updated, path, title, key or a field name (field.NAME); prefix - for descending"

func validateExpr(e Expr, p string) error {
	switch n := e.(type) {
	case *And:
		return validateList(n.Exprs, p+".and")
	case *Or:
		return validateList(n.Exprs, p+".or")
	case *Not:
		if n.Expr == nil {
			return &Error{p + ".not", "missing expression", "not needs one expression"}
		}
		return validateExpr(n.Expr, p+".not")
	case *Text:
		return validateText(n, p)
	case *Tag:
		if n.Name == "" || n.Name != NormalizeTag(n.Name) {
			return &Error{p + ".tag", fmt.Sprintf("invalid tag %q", n.Name), "tags are non-empty, lower-case, without '#' or a trailing '/'"}
		}
	case *Path:
		return validatePath(n, p+".path")
	case *Field:
		if n.Name == "" {
			return &Error{p + ".field.name", "missing field name", "name a frontmatter field"}
		}
		return validateCond(n.Cond, p+".field", false)
	case *Date:
		if n.Field != "created" && n.Field != "updated" {
			return &Error{p, fmt.Sprintf("unknown date %q", n.Field), "expected created or updated"}
		}
		if n.Op != CondEq && n.Op != CondRange {
			return &Error{p + "." + n.Field, "dates take eq or a range", "use eq, gt, gte, lt or lte"}
		}
		return validateCond(n.Cond, p+"."+n.Field, true)
	case *Collection:
		if n.Name == "" {
			return &Error{p + ".collection", "empty collection name", ""}
		}
	case *Lang:
		if n.Name == "" {
			return &Error{p + ".lang", "empty language name", `e.g. "go" or "markdown"`}
		}
	case *LinksTo:
		return validateNote(n.Note, n.Kinds, p+".links_to")
	case *LinkedFrom:
		return validateNote(n.Note, n.Kinds, p+".linked_from")
	case *Near:
		if err := validateNote(n.Note, n.Kinds, p+".near"); err != nil {
			return err
		}
		return validateTraversal(n.Depth, n.Direction, p+".near")
	case *Between:
		if err := validateNote(n.From, n.Kinds, p+".between.from"); err != nil {
			return err
		}
		if err := validateNote(n.To, n.Kinds, p+".between.to"); err != nil {
			return err
		}
		return validateTraversal(n.Depth, n.Direction, p+".between")
	case *Orphan, *Unresolved:
	case nil:
		return &Error{p, "missing expression", ""}
	default:
		return &Error{p, fmt.Sprintf("unknown expression type %T", e), ""}
	}
	return nil
}

func validateList(list []Expr, p string) error {
	if len(list) == 0 {
		return &Error{p, "empty list", "give at least one expression"}
	}
	for i, e := range list {
		if err := validateExpr(e, p+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

func validateText(n *Text, p string) error {
	key := p + "." + textKey(n.Kind)
	if n.Kind > Regex {
		return &Error{p, fmt.Sprintf("unknown text kind %d", n.Kind), ""}
	}
	if n.Value == "" {
		return &Error{key, "empty text", "give a word, phrase or pattern"}
	}
	if n.Field != "" && !slices.Contains(TextFields, n.Field) {
		return &Error{key + ".field", fmt.Sprintf("unknown text field %q", n.Field), "expected title, headings or body"}
	}
	if n.Field != "" && (n.Kind == Substring || n.Kind == Regex) {
		return &Error{key + ".field", n.Kind.String() + " searches the whole text", "drop field"}
	}
	if n.Fuzzy < 0 || n.Fuzzy > 2 || n.Fuzzy > 0 && n.Kind != Term {
		return &Error{key + ".fuzzy", fmt.Sprintf("fuzzy %d not allowed", n.Fuzzy), "fuzzy is 1 or 2, on a single term"}
	}
	if n.Exact && n.Kind == Regex {
		return &Error{key + ".exact", "a regex is always exact", "use (?i) in the pattern to ignore case"}
	}
	if n.Kind == Regex {
		if _, err := syntax.Parse(n.Value, syntax.Perl); err != nil {
			return &Error{key, "invalid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: "), "the syntax is RE2 (Go regexp)"}
		}
	}
	return nil
}

// textKey is the JSON key of a text kind.
func textKey(k TextKind) string {
	if k == Term {
		return "text"
	}
	return k.String()
}

func validatePath(n *Path, p string) error {
	switch n.Op {
	case PathPrefix, PathGlob, PathEq:
		if n.Value == "" && n.Op != PathPrefix {
			return &Error{p, "empty path", ""}
		}
		if n.Op == PathGlob {
			if _, err := CompileGlob(n.Value); err != nil {
				return &Error{p + ".glob", err.Error(), "use * within a folder, ** across folders, ? for one character"}
			}
		}
	case PathRange:
		if n.Lo == "" && n.Hi == "" {
			return &Error{p, "empty range", "give from, to or both"}
		}
		if n.Hi != "" && n.Lo > n.Hi {
			return &Error{p, fmt.Sprintf("from %q is after to %q", n.Lo, n.Hi), "swap them"}
		}
	default:
		return &Error{p, fmt.Sprintf("unknown path operator %d", n.Op), ""}
	}
	return nil
}

func validateCond(c Cond, p string, date bool) error {
	checkValue := func(v Value, at string) error {
		if v.Kind == DateValue || date && v.Kind != NumberValue {
			if _, err := ParseDate(v.Raw); err != nil {
				return &Error{at, err.Error(), ""}
			}
		}
		return nil
	}
	switch c.Op {
	case CondEq:
		return checkValue(c.Value, p+".eq")
	case CondIn:
		if len(c.Values) == 0 {
			return &Error{p + ".in", "empty list", "give at least one value"}
		}
		for i, v := range c.Values {
			if err := checkValue(v, fmt.Sprintf("%s.in[%d]", p, i)); err != nil {
				return err
			}
		}
	case CondExists:
	case CondRange:
		if c.Lo == nil && c.Hi == nil {
			return &Error{p, "empty range", "give gt/gte, lt/lte or both"}
		}
		for _, b := range []struct {
			b    *Bound
			name string
		}{{c.Lo, "gt"}, {c.Hi, "lt"}} {
			if b.b == nil {
				continue
			}
			at := p + "." + b.name
			if b.b.Inclusive {
				at += "e"
			}
			if b.b.Value.Kind != NumberValue && b.b.Value.Kind != DateValue {
				return &Error{at, fmt.Sprintf("range bound %q is a %s", b.b.Value.Raw, b.b.Value.Kind), "ranges take numbers or dates"}
			}
			if err := checkValue(b.b.Value, at); err != nil {
				return err
			}
		}
		if c.Lo != nil && c.Hi != nil && c.Lo.Value.Kind == NumberValue && c.Hi.Value.Kind == NumberValue && c.Lo.Value.Num > c.Hi.Value.Num {
			return &Error{p, fmt.Sprintf("range %s..%s is empty", c.Lo.Value.Raw, c.Hi.Value.Raw), "swap the bounds"}
		}
	default:
		return &Error{p, fmt.Sprintf("unknown condition %d", c.Op), ""}
	}
	return nil
}

func validateNote(note string, kinds graph.Kind, p string) error {
	if strings.TrimSpace(note) == "" {
		return &Error{p, "missing note", "name a note: a path, key, note name or [[wikilink]]"}
	}
	if kinds&^graph.AllKinds != 0 {
		return &Error{p + ".edges", fmt.Sprintf("unknown link kinds %d", kinds), "expected wikilink, embed, markdown or frontmatter"}
	}
	return nil
}

func validateTraversal(depth int, dir graph.Direction, p string) error {
	if depth < 0 || depth > graph.MaxDepth {
		return &Error{p + ".depth", fmt.Sprintf("depth %d out of range", depth), fmt.Sprintf("expected 1 to %d", graph.MaxDepth)}
	}
	if dir > graph.In {
		return &Error{p + ".direction", fmt.Sprintf("unknown direction %d", dir), "expected out, in or both"}
	}
	return nil
}

// NormalizeTag writes a tag the way documents carry it: without leading
// '#', lower-case, without a trailing '/'.
func NormalizeTag(t string) string {
	for {
		n := strings.TrimSpace(strings.TrimRight(strings.TrimLeft(strings.TrimSpace(t), "#"), "/"))
		if n == t {
			return strings.ToLower(n)
		}
		t = n
	}
}
