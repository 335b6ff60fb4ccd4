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
		if raw := strings.ToLower(v.Raw); raw != k[0] {
			k = append(k, raw)
		}
		return k
	case BoolValue:
		return []string{strconv.FormatBool(v.Bool)}
	}
	return []string{strings.ToLower(v.Raw)}
}

// Keywords normalizes a document value (as parse and index.Doc type it) to
// the keyword terms equality matches against: strings lower-cased, numbers
// in shortest form (2.0 → "2"), booleans "true"/"false", dates at midnight
// UTC as "2006-01-02" and other times in RFC 3339, a list as the terms of
// its elements. Maps have no terms. Catalog implementations index
// "field.<name>" with exactly these terms.
func Keywords(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{strings.ToLower(x)}
	case int:
		return []string{strconv.Itoa(x)}
	case int64:
		return []string{strconv.FormatInt(x, 10)}
	case uint64:
		return []string{strconv.FormatUint(x, 10)}
	case float64:
		return []string{strconv.FormatFloat(x, 'g', -1, 64)}
	case bool:
		return []string{strconv.FormatBool(x)}
	case time.Time:
		return []string{formatTime(x)}
	case []any:
		var out []string
		for _, e := range x {
			if _, nested := e.([]any); !nested {
				out = append(out, Keywords(e)...)
			}
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = strings.ToLower(s)
		}
		return out
	}
	return nil
}

func formatTime(t time.Time) string {
	u := t.UTC()
	if u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
		return u.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

// Numeric is a document value as a number for ranges, sorting and metrics:
// numbers as they are, times (and strings that are absolute dates) as Unix
// seconds, strings that are decimal numbers as those numbers. A list uses
// its first element. Catalog implementations index numeric doc values
// ("created", "updated", "field.<name>") with exactly these numbers.
func Numeric(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	case time.Time:
		return TimeNumber(x), !x.IsZero()
	case string:
		if f, ok := parseNumber(strings.TrimSpace(x)); ok {
			return f, true
		}
		if t, ok := parseAbsolute(strings.TrimSpace(x), time.UTC); ok {
			return TimeNumber(t.Start), true
		}
	case []any:
		if len(x) > 0 {
			return Numeric(x[0])
		}
	}
	return 0, false
}

// TimeNumber is a time as the planner compares it: Unix seconds with the
// fraction kept to the microsecond.
func TimeNumber(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond()/1000)/1e6
}

// NumberTime is the inverse of TimeNumber (to the microsecond), in UTC.
func NumberTime(f float64) time.Time {
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64(math.Round((f-sec)*1e6))*1000).UTC()
}
