package query

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A date in a query is a period, resolved when the query is planned
// (Options.Now, Options.Location):
//
//	2025 · 2025-03 · 2025-03-14     that year, month, day
//	2025-03-14T09:30[:05][Z|+01:00] that minute or second
//	today · yesterday · tomorrow    that day
//	this-week · this-month · this-year  the calendar period (weeks start Monday)
//	last-week · last-month · last-year  the rolling period up to now
//	now · -7d · +2w · -3m · -1y · -12h  an instant: now, shifted by hours (h),
//	                                days (d), weeks (w), months (m) or years (y)
//
// Against a period P: `x:P` means x in P, `>P` after P ends, `>=P` from
// P's start, `<P` before P starts, `<=P` before P ends, `A..B` from A's start
// to B's end. An instant I is a zero-length period, except that `x:I`
// means "since I" (updated:-7d is "updated in the last seven days").

// Period is a resolved date: [Start, End). A zero-length period (Start ==
// End) is an instant.
type Period struct{ Start, End time.Time }

// Instant reports whether p is an instant rather than a span.
func (p Period) Instant() bool { return p.Start.Equal(p.End) }

type dateForm uint8

const (
	absoluteDate dateForm = iota
	namedDate
	offsetDate
)

// DateSpec is a parsed, not yet resolved, date.
type DateSpec struct {
	form   dateForm
	raw    string
	name   string // namedDate
	amount int    // offsetDate
	unit   byte   // offsetDate: h d w m y
	abs    func(*time.Location) (Period, bool)
}

var namedDates = []string{"now", "today", "yesterday", "tomorrow",
	"this-week", "last-week", "this-month", "last-month", "this-year", "last-year"}

// ParseDate parses a date as a query writes it.
func ParseDate(s string) (DateSpec, error) {
	for _, n := range namedDates {
		if s == n {
			return DateSpec{form: namedDate, raw: s, name: n}, nil
		}
	}
	if len(s) >= 3 && (s[0] == '-' || s[0] == '+') {
		unit := s[len(s)-1]
		n, err := strconv.Atoi(s[1 : len(s)-1])
		if err == nil && n >= 0 && n <= 100000 && strings.IndexByte("hdwmy", unit) >= 0 && s[1] >= '0' && s[1] <= '9' {
			if s[0] == '-' {
				n = -n
			}
			return DateSpec{form: offsetDate, raw: s, amount: n, unit: unit}, nil
		}
	}
	if _, ok := parseAbsolute(s, time.UTC); ok {
		return DateSpec{form: absoluteDate, raw: s, abs: func(loc *time.Location) (Period, bool) { return parseAbsolute(s, loc) }}, nil
	}
	return DateSpec{}, fmt.Errorf("%q is not a date: expected YYYY-MM-DD (or YYYY, YYYY-MM, YYYY-MM-DDTHH:MM), today, yesterday, this-week, last-week, this-month, last-month, this-year, last-year, now or an offset like -7d", s)
}

// parseAbsolute parses 2006, 2006-01, 2006-01-02 and RFC 3339-like times
// without or with seconds and zone, interpreting zone-less times in loc.
func parseAbsolute(s string, loc *time.Location) (Period, bool) {
	type layout struct {
		layout string
		span   func(time.Time) time.Time
	}
	layouts := []layout{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01-02T15:04", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01-02T15:04Z07:00", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01-02T15:04:05", func(t time.Time) time.Time { return t.Add(time.Second) }},
		{"2006-01-02T15:04:05Z07:00", func(t time.Time) time.Time { return t.Add(time.Second) }},
	}
	if len(s) < 4 || s[0] < '0' || s[0] > '9' {
		return Period{}, false
	}
	for _, l := range layouts {
		if len(l.layout) == 4 && len(s) != 4 || strings.Contains(s, ".") {
			continue
		}
		if t, err := time.ParseInLocation(l.layout, s, loc); err == nil {
			return Period{t, l.span(t)}, true
		}
	}
	if t, err := time.ParseInLocation(time.RFC3339Nano, s, loc); err == nil {
		return Period{t, t}, true
	}
	return Period{}, false
}

// String is the date as written.
func (d DateSpec) String() string { return d.raw }

// Resolve turns the date into a period at now in loc.
func (d DateSpec) Resolve(now time.Time, loc *time.Location) Period {
	now = now.In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch d.form {
	case absoluteDate:
		p, _ := d.abs(loc)
		return p
	case offsetDate:
		var t time.Time
		switch d.unit {
		case 'h':
			t = now.Add(time.Duration(d.amount) * time.Hour)
		case 'd':
			t = now.AddDate(0, 0, d.amount)
		case 'w':
			t = now.AddDate(0, 0, 7*d.amount)
		case 'm':
			t = now.AddDate(0, d.amount, 0)
		default:
			t = now.AddDate(d.amount, 0, 0)
		}
		return Period{t, t}
	}
	switch d.name {
	case "today":
		return Period{day, day.AddDate(0, 0, 1)}
	case "yesterday":
		return Period{day.AddDate(0, 0, -1), day}
	case "tomorrow":
		return Period{day.AddDate(0, 0, 1), day.AddDate(0, 0, 2)}
	case "this-week":
		monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		return Period{monday, monday.AddDate(0, 0, 7)}
	case "last-week":
		return Period{now.AddDate(0, 0, -7), now}
	case "this-month":
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
		return Period{first, first.AddDate(0, 1, 0)}
	case "last-month":
		return Period{now.AddDate(0, -1, 0), now}
	case "this-year":
		first := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
		return Period{first, first.AddDate(1, 0, 0)}
	case "last-year":
		return Period{now.AddDate(-1, 0, 0), now}
	}
	return Period{now, now} // "now"
}

// NumRange is a range of numeric doc values; ±Inf bounds are open ends.
type NumRange struct {
	Lo, Hi         float64
	LoIncl, HiIncl bool
}

// Contains reports whether x is in r.
func (r NumRange) Contains(x float64) bool {
	return (x > r.Lo || r.LoIncl && x == r.Lo) && (x < r.Hi || r.HiIncl && x == r.Hi)
}

// Empty reports whether no number can be in r.
func (r NumRange) Empty() bool {
	return r.Lo > r.Hi || r.Lo == r.Hi && !(r.LoIncl && r.HiIncl)
}

func (r NumRange) String() string {
	var parts []string
	if !math.IsInf(r.Lo, -1) {
		op := ">"
		if r.LoIncl {
			op = ">="
		}
		parts = append(parts, op+strconv.FormatFloat(r.Lo, 'g', -1, 64))
	}
	if !math.IsInf(r.Hi, 1) {
		op := "<"
		if r.HiIncl {
			op = "<="
		}
		parts = append(parts, op+strconv.FormatFloat(r.Hi, 'g', -1, 64))
	}
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, " ")
}

// Clock says how dates resolve: at Now, in Location.
type Clock struct {
	Now      time.Time
	Location *time.Location
}

func (c Clock) period(v Value) (Period, error) {
	raw := v.Raw
	if v.Kind == NumberValue && v.Num == math.Trunc(v.Num) && v.Num >= 1 && v.Num <= 9999 {
		raw = fmt.Sprintf("%04d", int(v.Num)) // created:2025 is the year
	}
	d, err := ParseDate(raw)
	if err != nil {
		return Period{}, err
	}
	return d.Resolve(c.Now, c.Location), nil
}

// FieldRange converts a condition on a frontmatter field to the numeric
// range it selects: numbers as they are, dates as TimeNumber.
func (c Clock) FieldRange(cond Cond) (NumRange, error) { return c.numRange(cond, false) }

// DateRange converts a condition on created/updated to the numeric range
// it selects; there a bare number is a year (created:2025).
func (c Clock) DateRange(cond Cond) (NumRange, error) { return c.numRange(cond, true) }

func (c Clock) numRange(cond Cond, dateContext bool) (NumRange, error) {
	r := NumRange{Lo: math.Inf(-1), Hi: math.Inf(1)}
	bound := func(b *Bound, lower bool) error {
		if b == nil {
			return nil
		}
		if b.Value.Kind == NumberValue && !dateContext {
			if lower {
				r.Lo, r.LoIncl = b.Value.Num, b.Inclusive
			} else {
				r.Hi, r.HiIncl = b.Value.Num, b.Inclusive
			}
			return nil
		}
		if b.Value.Kind != DateValue && b.Value.Kind != NumberValue {
			return fmt.Errorf("range bound %q is a %s: expected a number or a date", b.Value.Raw, b.Value.Kind)
		}
		p, err := c.period(b.Value)
		if err != nil {
			return err
		}
		s, e := TimeNumber(p.Start), TimeNumber(p.End)
		switch {
		case lower && b.Inclusive: // >=P: from P's start
			r.Lo, r.LoIncl = s, true
		case lower: // >P: after P (an instant: strictly after it)
			r.Lo, r.LoIncl = e, !p.Instant()
		case b.Inclusive: // <=P: before P ends (an instant: up to it)
			r.Hi, r.HiIncl = e, p.Instant()
		default: // <P: before P starts
			r.Hi, r.HiIncl = s, false
		}
		return nil
	}
	switch cond.Op {
	case CondEq:
		v := cond.Value
		if v.Kind == NumberValue && !dateContext {
			return NumRange{v.Num, v.Num, true, true}, nil
		}
		p, err := c.period(v)
		if err != nil {
			return r, err
		}
		if p.Instant() { // x:-7d is "since seven days ago"
			return NumRange{TimeNumber(p.Start), math.Inf(1), true, false}, nil
		}
		return NumRange{TimeNumber(p.Start), TimeNumber(p.End), true, false}, nil
	case CondRange:
		if err := bound(cond.Lo, true); err != nil {
			return r, err
		}
		return r, bound(cond.Hi, false)
	}
	return r, fmt.Errorf("condition %v has no numeric range", cond.Op)
}
