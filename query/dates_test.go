package query_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/query"
)

// now is a Wednesday afternoon.
var testNow = time.Date(2025, 3, 12, 15, 4, 5, 0, time.UTC)

func TestDatePeriods(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		in         string
		start, end time.Time
	}{
		{"2025", day(2025, 1, 1), day(2026, 1, 1)},
		{"2025-02", day(2025, 2, 1), day(2025, 3, 1)},
		{"2024-02-29", day(2024, 2, 29), day(2024, 3, 1)},
		{"2025-03-14T09:30", time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC), time.Date(2025, 3, 14, 9, 31, 0, 0, time.UTC)},
		{"2025-03-14T09:30:05+01:00", time.Date(2025, 3, 14, 8, 30, 5, 0, time.UTC), time.Date(2025, 3, 14, 8, 30, 6, 0, time.UTC)},
		{"2025-03-14T09:30:05.5Z", time.Date(2025, 3, 14, 9, 30, 5, 5e8, time.UTC), time.Date(2025, 3, 14, 9, 30, 5, 5e8, time.UTC)},
		{"today", day(2025, 3, 12), day(2025, 3, 13)},
		{"yesterday", day(2025, 3, 11), day(2025, 3, 12)},
		{"tomorrow", day(2025, 3, 13), day(2025, 3, 14)},
		{"this-week", day(2025, 3, 10), day(2025, 3, 17)},
		{"this-month", day(2025, 3, 1), day(2025, 4, 1)},
		{"this-year", day(2025, 1, 1), day(2026, 1, 1)},
		{"last-week", testNow.AddDate(0, 0, -7), testNow},
		{"last-month", testNow.AddDate(0, -1, 0), testNow},
		{"last-year", testNow.AddDate(-1, 0, 0), testNow},
		{"now", testNow, testNow},
		{"-7d", testNow.AddDate(0, 0, -7), testNow.AddDate(0, 0, -7)},
		{"+2w", testNow.AddDate(0, 0, 14), testNow.AddDate(0, 0, 14)},
		{"-3m", testNow.AddDate(0, -3, 0), testNow.AddDate(0, -3, 0)},
		{"-1y", testNow.AddDate(-1, 0, 0), testNow.AddDate(-1, 0, 0)},
		{"-12h", testNow.Add(-12 * time.Hour), testNow.Add(-12 * time.Hour)},
	}
	for _, tt := range tests {
		d, err := query.ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		p := d.Resolve(testNow, time.UTC)
		if !p.Start.Equal(tt.start) || !p.End.Equal(tt.end) {
			t.Errorf("%q = [%v, %v), want [%v, %v)", tt.in, p.Start, p.End, tt.start, tt.end)
		}
		if d.String() != tt.in {
			t.Errorf("String() = %q", d.String())
		}
	}
	for _, bad := range []string{"", "someday", "2025-13-01", "2025-02-30", "7d", "-d", "-7x", "--7d", "- 7d", "25", "2025/01/01", "+-1d", "-1000000d"} {
		if _, err := query.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

// A week starts on Monday, in the location dates resolve in.
func TestThisWeekInLocation(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	d, _ := query.ParseDate("this-week")
	sunday := time.Date(2025, 3, 16, 23, 0, 0, 0, time.UTC) // Monday 08:00 in Tokyo
	p := d.Resolve(sunday, tokyo)
	if want := time.Date(2025, 3, 17, 0, 0, 0, 0, tokyo); !p.Start.Equal(want) {
		t.Errorf("this-week starts %v, want %v", p.Start, want)
	}
	p = d.Resolve(sunday, time.UTC)
	if want := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC); !p.Start.Equal(want) {
		t.Errorf("this-week (UTC) starts %v, want %v", p.Start, want)
	}
}

func TestDateRanges(t *testing.T) {
	clock := query.Clock{Now: testNow, Location: time.UTC}
	ts := func(s string) float64 {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return query.TimeNumber(tm)
	}
	inf := math.Inf(1)
	tests := []struct {
		kql  string
		want query.NumRange
	}{
		{"created:2025-01-01", query.NumRange{Lo: ts("2025-01-01T00:00:00Z"), Hi: ts("2025-01-02T00:00:00Z"), LoIncl: true}},
		{"created:>2025-01-01", query.NumRange{Lo: ts("2025-01-02T00:00:00Z"), Hi: inf, LoIncl: true}},
		{"created:>=2025-01-01", query.NumRange{Lo: ts("2025-01-01T00:00:00Z"), Hi: inf, LoIncl: true}},
		{"created:<2025-01-01", query.NumRange{Lo: -inf, Hi: ts("2025-01-01T00:00:00Z")}},
		{"created:<=2025-01-01", query.NumRange{Lo: -inf, Hi: ts("2025-01-02T00:00:00Z")}},
		{"created:2025-01..2025-02", query.NumRange{Lo: ts("2025-01-01T00:00:00Z"), Hi: ts("2025-03-01T00:00:00Z"), LoIncl: true}},
		{"updated:-7d", query.NumRange{Lo: ts("2025-03-05T15:04:05Z"), Hi: inf, LoIncl: true}},
		{"updated:>-7d", query.NumRange{Lo: ts("2025-03-05T15:04:05Z"), Hi: inf}},
		{"updated:<=-7d", query.NumRange{Lo: -inf, Hi: ts("2025-03-05T15:04:05Z"), HiIncl: true}},
		{"updated:-30d..-7d", query.NumRange{Lo: ts("2025-02-10T15:04:05Z"), Hi: ts("2025-03-05T15:04:05Z"), LoIncl: true, HiIncl: true}},
		{"updated:last-week", query.NumRange{Lo: ts("2025-03-05T15:04:05Z"), Hi: ts("2025-03-12T15:04:05Z"), LoIncl: true}},
		{"created:2024", query.NumRange{Lo: ts("2024-01-01T00:00:00Z"), Hi: ts("2025-01-01T00:00:00Z"), LoIncl: true}},
	}
	for _, tt := range tests {
		q := query.MustParseKQL(tt.kql)
		got, err := clock.DateRange(q.Where.(*query.Date).Cond)
		if err != nil || got != tt.want {
			t.Errorf("%s: %v, %v\n want %v", tt.kql, got, err, tt.want)
		}
	}
	// A frontmatter field compares numbers as numbers and dates as dates.
	for _, tt := range []struct {
		kql  string
		want query.NumRange
	}{
		{"priority:>=2", query.NumRange{Lo: 2, Hi: inf, LoIncl: true}},
		{"priority:1..3", query.NumRange{Lo: 1, Hi: 3, LoIncl: true, HiIncl: true}},
		{"due:<today", query.NumRange{Lo: -inf, Hi: ts("2025-03-12T00:00:00Z")}},
	} {
		got, err := clock.FieldRange(query.MustParseKQL(tt.kql).Where.(*query.Field).Cond)
		if err != nil || got != tt.want {
			t.Errorf("%s: %v, %v\n want %v", tt.kql, got, err, tt.want)
		}
	}
}

func TestNumRange(t *testing.T) {
	r := query.NumRange{Lo: 1, Hi: 3, LoIncl: true}
	for x, want := range map[float64]bool{0.9: false, 1: true, 2: true, 3: false} {
		if r.Contains(x) != want {
			t.Errorf("%v contains %v = %v", r, x, !want)
		}
	}
	for _, tt := range []struct {
		r     query.NumRange
		empty bool
	}{
		{query.NumRange{Lo: 1, Hi: 1, LoIncl: true, HiIncl: true}, false},
		{query.NumRange{Lo: 1, Hi: 1, LoIncl: true}, true},
		{query.NumRange{Lo: 2, Hi: 1, LoIncl: true, HiIncl: true}, true},
	} {
		if tt.r.Empty() != tt.empty {
			t.Errorf("%v Empty = %v", tt.r, !tt.empty)
		}
	}
}

func TestValueNormalization(t *testing.T) {
	tests := []struct {
		v        any
		keywords []string
		numbers  []float64
	}{
		{" Active ", []string{"active"}, nil},
		{"2", []string{"2"}, nil}, // a string is not a number, as in index/search
		{int64(2), []string{"2"}, []float64{2}},
		{2.0, []string{"2"}, []float64{2}},
		{2.5, []string{"2.5"}, []float64{2.5}},
		{math.NaN(), nil, nil},
		{true, []string{"true"}, nil},
		{time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), []string{"2025-01-02"}, []float64{1735776000}},
		{time.Date(2025, 1, 2, 23, 4, 5, 0, time.FixedZone("X", -3600)), []string{"2025-01-03"}, []float64{1735862645}},
		{"2025-01-02", []string{"2025-01-02"}, nil},
		{[]any{"A", int64(3), []any{"nested", 4.5}}, []string{"a", "3", "nested", "4.5"}, []float64{3, 4.5}},
		{[]string{"X", " y"}, []string{"x", "y"}, nil},
		{map[string]any{"a": 1}, nil, nil},
		{"", nil, nil},
	}
	for _, tt := range tests {
		if got := query.Keywords(tt.v); !equalStrings(got, tt.keywords) {
			t.Errorf("Keywords(%#v) = %q, want %q", tt.v, got, tt.keywords)
		}
		if got := query.Numbers(tt.v); fmt.Sprint(got) != fmt.Sprint(tt.numbers) {
			t.Errorf("Numbers(%#v) = %v, want %v", tt.v, got, tt.numbers)
		}
	}
	doc := &index.Doc{Fields: map[string]any{"Status": "x", "meta": map[string]any{"Owner": "ana"}, "a.b": 1}}
	for name, want := range map[string]any{"field.status": "x", "field.STATUS": "x", "field.meta.owner": "ana", "field.a.b": 1, "field.meta.none": nil, "field.nope": nil} {
		got, ok := query.DocValue(doc, name)
		if got != want || ok != (want != nil) {
			t.Errorf("DocValue(%s) = %v, %v; want %v", name, got, ok, want)
		}
	}
	// A query number matches the canonical form and the text as written.
	if got := query.Literal("1.10").Keyword(); !equalStrings(got, []string{"1.1", "1.10"}) {
		t.Errorf("Literal(1.10).Keyword() = %q", got)
	}
	for s, kind := range map[string]query.ValueKind{"2": query.NumberValue, "-2.5": query.NumberValue, "true": query.BoolValue,
		"2025-01-01": query.DateValue, "last-week": query.DateValue, "-7d": query.DateValue, "active": query.StringValue, "0x10": query.StringValue, "NaN": query.StringValue} {
		if got := query.Literal(s).Kind; got != kind {
			t.Errorf("Literal(%q) is a %v, want %v", s, got, kind)
		}
	}
	tm := time.Date(2025, 1, 2, 3, 4, 5, 123456000, time.UTC)
	if back := query.NumberTime(query.TimeNumber(tm)); !back.Equal(tm) {
		t.Errorf("NumberTime(TimeNumber(%v)) = %v", tm, back)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGlob(t *testing.T) {
	tests := []struct {
		glob, prefix string
		match, miss  []string
	}{
		{"notes/**", "notes/", []string{"notes/a.md", "notes/x/y/z.md"}, []string{"notes", "other/notes/a.md"}},
		{"**/README.md", "", []string{"README.md", "a/README.md", "a/b/README.md"}, []string{"a/README.mdx", "xREADME.md"}},
		{"notes/*.md", "notes/", []string{"notes/a.md", "notes/.md"}, []string{"notes/x/a.md", "notes/a.txt"}},
		{"a?c", "a", []string{"abc", "aéc"}, []string{"a/c", "ac", "abbc"}},
		{`lit\*eral*`, "lit*eral", []string{"lit*eral", "lit*erals"}, []string{"litteral"}},
		{"x/**/y.md", "x/", []string{"x/y.md", "x/a/b/y.md"}, []string{"x/ay.md"}},
		{"a.b(c)+[d]", "a.b(c)+[d]", []string{"a.b(c)+[d]"}, []string{"aXb(c)+[d]"}},
	}
	for _, tt := range tests {
		g, err := query.CompileGlob(tt.glob)
		if err != nil {
			t.Fatalf("CompileGlob(%q): %v", tt.glob, err)
		}
		if g.Prefix != tt.prefix {
			t.Errorf("%q prefix = %q, want %q", tt.glob, g.Prefix, tt.prefix)
		}
		for _, p := range tt.match {
			if !g.Match(p) {
				t.Errorf("%q does not match %q", tt.glob, p)
			}
		}
		for _, p := range tt.miss {
			if g.Match(p) {
				t.Errorf("%q matches %q", tt.glob, p)
			}
		}
	}
	if _, err := query.CompileGlob(`a\`); err == nil {
		t.Error("a lone backslash compiled")
	}
}
