package query

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// ValueKind is the type of a Value.
type ValueKind uint8

const (
	StringValue ValueKind = iota
	NumberValue
	BoolValue
	DateValue // absolute ("2025-01-01") or relative ("last-week", "-7d")
)

var valueKindNames = [...]string{"string", "number", "bool", "date"}

func (k ValueKind) String() string {
	if int(k) < len(valueKindNames) {
		return valueKindNames[k]
	}
	return "ValueKind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a literal in a query. Raw is the literal as written (for a
// number its text, "2" or "2.50"; for a date its text), so printing a query
// gives back what was typed; Num and Bool hold the parsed value.
type Value struct {
	Kind ValueKind
	Raw  string
	Num  float64
	Bool bool
}

// Str returns a string Value.
func Str(s string) Value { return Value{Kind: StringValue, Raw: s} }

// Num returns a number Value.
func Num(f float64) Value {
	return Value{Kind: NumberValue, Raw: strconv.FormatFloat(f, 'g', -1, 64), Num: f}
}

// Bool returns a boolean Value.
func Bool(b bool) Value { return Value{Kind: BoolValue, Raw: strconv.FormatBool(b), Bool: b} }

// DateOf returns a date Value; s is checked by ParseDate when the query is
// validated.
func DateOf(s string) Value { return Value{Kind: DateValue, Raw: s} }

// parseNumber accepts decimal numbers only (no hex, inf, nan, underscores),
// so that words like "inf" or "0x1" stay strings.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// Literal classifies an unquoted KQL literal: a number, true/false, a date
// (absolute or relative) or else a string.
func Literal(s string) Value {
	if f, ok := parseNumber(s); ok {
		// Keep the number as written when JSON can carry it ("1.10" must
		// still find a quoted "1.10"); spellings JSON has no room for
		// ("+2", "007", ".5") become the plain number.
		if !json.Valid([]byte(s)) {
			s = strconv.FormatFloat(f, 'g', -1, 64)
		}
		return Value{Kind: NumberValue, Raw: s, Num: f}
	}
	switch s {
	case "true", "false":
		return Value{Kind: BoolValue, Raw: s, Bool: s == "true"}
	}
	if _, err := ParseDate(s); err == nil {
		return DateOf(s)
	}
	return Str(s)
}

// Keyword is how a query value is compared for equality: see Keywords.
func (v Value) Keyword() []string {
	switch v.Kind {
	case NumberValue:
		// Match the canonical number and the text as written ("1.10"
		// must still find a quoted "1.10" in frontmatter).
		k := []string{strconv.FormatFloat(v.Num, 'g', -1, 64)}
		if raw := normalizeKeyword(v.Raw); raw != k[0] {
			k = append(k, raw)
		}
		return k
	case BoolValue:
		return []string{strconv.FormatBool(v.Bool)}
	}
	return []string{normalizeKeyword(v.Raw)}
}

// normalizeKeyword is how every keyword term is written: trimmed and
// lower-cased.
func normalizeKeyword(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Keywords normalizes a document value (as parse and index.Doc type it) to
// the keyword terms equality matches against, the way index/search indexes
// "field.<name>": strings trimmed and lower-cased, numbers in shortest form
// (2.0 → "2"), booleans "true"/"false", times as their UTC date
// "2006-01-02", a list as the terms of its elements. A map has none (its
// keys are fields of their own, see DocValue).
func Keywords(v any) []string {
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		switch x := v.(type) {
		case string:
			if k := normalizeKeyword(x); k != "" {
				out = append(out, k)
			}
		case int:
			out = append(out, strconv.Itoa(x))
		case int64:
			out = append(out, strconv.FormatInt(x, 10))
		case float64:
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				out = append(out, strconv.FormatFloat(x, 'g', -1, 64))
			}
		case bool:
			out = append(out, strconv.FormatBool(x))
		case time.Time:
			out = append(out, x.UTC().Format(time.DateOnly))
		case []any:
			if depth < maxValueDepth {
				for _, e := range x {
					walk(e, depth+1)
				}
			}
		case []string:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}

// maxValueDepth bounds how deep lists of lists are read.
const maxValueDepth = 8

// Numbers are a document value's numeric doc values, the way index/search
// indexes them: integers and floats as they are, times as Unix seconds
// (TimeNumber), every element of a list. Strings are not numbers, even
// "2" or "2025-01-01". A range matches a document when any of its numbers
// is in the range.
func Numbers(v any) []float64 {
	var out []float64
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		switch x := v.(type) {
		case int:
			out = append(out, float64(x))
		case int64:
			out = append(out, float64(x))
		case float64:
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				out = append(out, x)
			}
		case time.Time:
			if !x.IsZero() {
				out = append(out, TimeNumber(x))
			}
		case []any:
			if depth < maxValueDepth {
				for _, e := range x {
					walk(e, depth+1)
				}
			}
		}
	}
	walk(v, 0)
	return out
}

// Numeric is the first of Numbers: what sorting and metrics use.
func Numeric(v any) (float64, bool) {
	if n := Numbers(v); len(n) > 0 {
		return n[0], true
	}
	return 0, false
}

// TimeNumber is a time as a numeric doc value: Unix seconds with the
// fraction, as index/search stores created and updated.
func TimeNumber(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// NumberTime is the inverse of TimeNumber (to the microsecond), in UTC.
func NumberTime(f float64) time.Time {
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64(math.Round((f-sec)*1e6))*1000).UTC()
}
