package trigram

import (
	"math/rand/v2"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestFindSubstring(t *testing.T) {
	tests := []struct {
		name, text, pat string
		max             int
		want            []LineMatch
	}{
		{"ascii case", "Hello\nsay HELLO there", "hello", 0, []LineMatch{
			{Line: 1, Column: 1, Text: "Hello", Start: 0, End: 5},
			{Line: 2, Column: 5, Text: "say HELLO there", Start: 4, End: 9},
		}},
		{"max", "ab ab ab", "AB", 2, []LineMatch{
			{Line: 1, Column: 1, Text: "ab ab ab", Start: 0, End: 2},
			{Line: 1, Column: 4, Text: "ab ab ab", Start: 3, End: 5},
		}},
		{"no overlap", "aaaa", "aa", 0, []LineMatch{
			{Line: 1, Column: 1, Text: "aaaa", Start: 0, End: 2},
			{Line: 1, Column: 3, Text: "aaaa", Start: 2, End: 4},
		}},
		{"katakana", "OpenTelemetry の\nトレース を見る", "トレース", 0, []LineMatch{
			{Line: 2, Column: 1, Text: "トレース を見る", Start: 0, End: 12},
		}},
		{"chinese", "什么是可观测性？", "可观测性", 1, []LineMatch{
			{Line: 1, Column: 10, Text: "什么是可观测性？", Start: 9, End: 21},
		}},
		{"kelvin sign in text", "273 \u212aelvin", "kelvin", 0, []LineMatch{
			{Line: 1, Column: 5, Text: "273 \u212aelvin", Start: 4, End: 12},
		}},
		{"long s in pattern", "Mass", "ma\u017fs", 0, []LineMatch{
			{Line: 1, Column: 1, Text: "Mass", Start: 0, End: 4},
		}},
		{"sharp s widths differ", "STRAẞE strasse Straße", "straße", 0, []LineMatch{
			{Line: 1, Column: 1, Text: "STRAẞE strasse Straße", Start: 0, End: 8},
			{Line: 1, Column: 18, Text: "STRAẞE strasse Straße", Start: 17, End: 24},
		}},
		{"greek sigma forms", "ΟΔΟΣ οδος οδοσ", "οδοσ", 0, []LineMatch{
			{Line: 1, Column: 1, Text: "ΟΔΟΣ οδος οδοσ", Start: 0, End: 8},
			{Line: 1, Column: 10, Text: "ΟΔΟΣ οδος οδοσ", Start: 9, End: 17},
			{Line: 1, Column: 19, Text: "ΟΔΟΣ οδος οδοσ", Start: 18, End: 26},
		}},
		{"across lines", "end\nstart", "d\ns", 0, []LineMatch{
			{Line: 1, Column: 3, Text: "end", Start: 2, End: 3},
		}},
		{"crlf kept", "a\r\nB\r\n", "b", 0, []LineMatch{
			{Line: 2, Column: 1, Text: "B\r", Start: 0, End: 1},
		}},
		{"invalid byte matches U+FFFD", "a\xffb", "a\ufffdB", 0, []LineMatch{
			{Line: 1, Column: 1, Text: "a\xffb", Start: 0, End: 3},
		}},
		{"identifier", "export OTEL_EXPORTER_OTLP_ENDPOINT=x", "otel_exporter_otlp_endpoint", 0, []LineMatch{
			{Line: 1, Column: 8, Text: "export OTEL_EXPORTER_OTLP_ENDPOINT=x", Start: 7, End: 34},
		}},
		{"wide variant before a narrow match", "\u212aelvin, kelvin", "KELVIN", 0, []LineMatch{
			{Line: 1, Column: 1, Text: "\u212aelvin, kelvin", Start: 0, End: 8},
			{Line: 1, Column: 11, Text: "\u212aelvin, kelvin", Start: 10, End: 16},
		}},
		{"long s after a narrow match", "spanKind, \u017fpankind", "SpanKind", 0, []LineMatch{
			{Line: 1, Column: 1, Text: "spanKind, \u017fpankind", Start: 0, End: 8},
			{Line: 1, Column: 11, Text: "spanKind, \u017fpankind", Start: 10, End: 19},
		}},
		{"vector blocks", "Provider MeterProvider LoggerProvider, then tracerprovider here", "TracerProvider", 0, []LineMatch{
			{Line: 1, Column: 45, Text: "Provider MeterProvider LoggerProvider, then tracerprovider here", Start: 44, End: 58},
		}},
		{"katakana after long japanese", "オブザーバビリティのトレースとメトリクスとログ、そしてトレース", "トレース", 0, []LineMatch{
			{Line: 1, Column: 31, Text: "オブザーバビリティのトレースとメトリクスとログ、そしてトレース", Start: 30, End: 42},
			{Line: 1, Column: 82, Text: "オブザーバビリティのトレースとメトリクスとログ、そしてトレース", Start: 81, End: 93},
		}},
		{"empty pattern", "abc", "", 0, nil},
		{"absent", "abc", "abd", 0, nil},
		{"pattern longer than text", "ab", "abc", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindSubstring([]byte(tt.text), tt.pat, tt.max)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FindSubstring(%q, %q, %d) (-want +got):\n%s", tt.text, tt.pat, tt.max, diff)
			}
			if tt.pat == "" {
				return
			}
			if diff := cmp.Diff(bruteLines(substringRegexp(tt.pat), []byte(tt.text), tt.max), got); diff != "" {
				t.Errorf("FindSubstring disagrees with regexp (-regexp +got):\n%s", diff)
			}
			if c := ContainsSubstring([]byte(tt.text), tt.pat); c != (len(tt.want) > 0) {
				t.Errorf("ContainsSubstring(%q, %q) = %v", tt.text, tt.pat, c)
			}
			sub := NewSubstring(tt.pat)
			if diff := cmp.Diff(tt.want, sub.Find([]byte(tt.text), tt.max)); diff != "" {
				t.Errorf("NewSubstring(%q).Find(%q, %d) (-want +got):\n%s", tt.pat, tt.text, tt.max, diff)
			}
			if c := sub.Contains([]byte(tt.text)); c != (len(tt.want) > 0) {
				t.Errorf("NewSubstring(%q).Contains(%q) = %v", tt.pat, tt.text, c)
			}
		})
	}
	var zero Substring
	if zero.Contains([]byte("abc")) || zero.Find([]byte("abc"), 0) != nil {
		t.Error("the zero Substring matches")
	}
}

// TestFindSubstringRandom compares FindSubstring with the (?i) regexp on
// generated texts full of case variants of different widths.
func TestFindSubstringRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		n := rng.IntN(40)
		if i%10 == 0 {
			n = rng.IntN(400) // long enough for anchors to be switched
		}
		text := randomText(rng, n)
		pat := randomPattern(rng, text)
		if !utf8Valid(pat) || pat == "" {
			continue
		}
		max := rng.IntN(4)
		got := FindSubstring(text, pat, max)
		want := bruteLines(substringRegexp(pat), text, max)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("case %d: FindSubstring(%q, %q, %d) (-regexp +got):\n%s", i, text, pat, max, diff)
		}
		if c, w := ContainsSubstring(text, pat), substringRegexp(pat).Match(text); c != w {
			t.Fatalf("case %d: ContainsSubstring(%q, %q) = %v, regexp says %v", i, text, pat, c, w)
		}
	}
}

func TestMatchLines(t *testing.T) {
	tests := []struct {
		name, text, expr string
		ci               bool
		max              int
		want             []LineMatch
	}{
		{"anchors are per line", "foo bar\nbar foo\n", "^bar", false, 0, []LineMatch{
			{Line: 2, Column: 1, Text: "bar foo", Start: 0, End: 3},
		}},
		{"end anchor", "foo bar\nbar foo", "foo$", false, 0, []LineMatch{
			{Line: 2, Column: 5, Text: "bar foo", Start: 4, End: 7},
		}},
		{"case-insensitive literal", "x OTEL_SDK_DISABLED\notel_traces_exporter", `otel_\w+`, true, 0, []LineMatch{
			{Line: 1, Column: 3, Text: "x OTEL_SDK_DISABLED", Start: 2, End: 19},
			{Line: 2, Column: 1, Text: "otel_traces_exporter", Start: 0, End: 20},
		}},
		{"case-sensitive", "Foo foo", "foo", false, 0, []LineMatch{
			{Line: 1, Column: 5, Text: "Foo foo", Start: 4, End: 7},
		}},
		{"alternation of literals", "alpha\nbeta\ngamma", "beta|gamma", false, 0, []LineMatch{
			{Line: 2, Column: 1, Text: "beta", Start: 0, End: 4},
			{Line: 3, Column: 1, Text: "gamma", Start: 0, End: 5},
		}},
		{"spans lines", "abc\ndef", `c\sd`, false, 0, []LineMatch{
			{Line: 1, Column: 3, Text: "abc", Start: 2, End: 3},
		}},
		{"text anchor", "abc\nabc", `\Aabc`, false, 0, []LineMatch{
			{Line: 1, Column: 1, Text: "abc", Start: 0, End: 3},
		}},
		{"max", "ab ab\nab", "ab", false, 2, []LineMatch{
			{Line: 1, Column: 1, Text: "ab ab", Start: 0, End: 2},
			{Line: 1, Column: 4, Text: "ab ab", Start: 3, End: 5},
		}},
		{"word boundary at line start", "x\nfoo", `\bfoo`, false, 0, []LineMatch{
			{Line: 2, Column: 1, Text: "foo", Start: 0, End: 3},
		}},
		{"cjk", "見る トレース", "トレー?ス", false, 0, []LineMatch{
			{Line: 1, Column: 8, Text: "見る トレース", Start: 7, End: 19},
		}},
		{"no match", "abc", "xyz", false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, re, err := PlanRegexp(tt.expr, tt.ci)
			if err != nil {
				t.Fatal(err)
			}
			got := MatchLines(re, []byte(tt.text), tt.max)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MatchLines(%q, %q, %d) (-want +got):\n%s", tt.expr, tt.text, tt.max, diff)
			}
			if m := MatchRegexp(re, []byte(tt.text)); m != (len(tt.want) > 0) {
				t.Errorf("MatchRegexp(%q, %q) = %v", tt.expr, tt.text, m)
			}
			// A regexp from elsewhere takes the plain path and must agree.
			plain := MatchLines(regexp.MustCompile(re.String()), []byte(tt.text), tt.max)
			if diff := cmp.Diff(got, plain); diff != "" {
				t.Errorf("prefiltered and plain MatchLines differ (-prefiltered +plain):\n%s", diff)
			}
		})
	}
}

// TestMatchLinesRandom compares MatchLines on regexps from PlanRegexp with
// running the regexp over the whole text.
func TestMatchLinesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 5000 {
		text := randomText(rng, rng.IntN(40))
		expr := randomRegexp(rng, text, rng.IntN(3))
		_, re, err := PlanRegexp(expr, rng.IntN(2) == 0)
		if err != nil {
			continue // random pieces can make invalid UTF-8 or repeat counts
		}
		max := rng.IntN(3)
		got := MatchLines(re, text, max)
		want := bruteLines(re, text, max)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("case %d: MatchLines(%q, %q, %d) (-regexp +got):\n%s", i, re, text, max, diff)
		}
		if m, w := MatchRegexp(re, text), re.Match(text); m != w {
			t.Fatalf("case %d: MatchRegexp(%q, %q) = %v, regexp says %v", i, re, text, m, w)
		}
	}
}

func utf8Valid(s string) bool {
	for _, r := range s {
		if r == 0xFFFD {
			return false
		}
	}
	return true
}

// TestStepBack: stepBack's ASCII shortcut gives what walking rune by rune
// gives, on texts mixing ASCII and multi-byte runes.
func TestStepBack(t *testing.T) {
	walk := func(text []byte, h, n int) (int, bool) {
		for range n {
			if h == 0 {
				return 0, false
			}
			_, size := utf8.DecodeLastRune(text[:h])
			h -= size
		}
		return h, true
	}
	rng := rand.New(rand.NewPCG(7, 11))
	pieces := []string{"a", "Z", " ", ".", "é", "ſ", "K", "ト", "😀", "abcdefgh"}
	for range 2000 {
		var b []byte
		var bounds []int
		for range rng.IntN(30) {
			bounds = append(bounds, len(b))
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
		bounds = append(bounds, len(b))
		h := bounds[rng.IntN(len(bounds))]
		n := rng.IntN(12)
		gotSt, gotOK := stepBack(b, h, n)
		wantSt, wantOK := walk(b, h, n)
		if gotOK != wantOK || (gotOK && gotSt != wantSt) {
			t.Fatalf("stepBack(%q, %d, %d) = %d, %v; want %d, %v", b, h, n, gotSt, gotOK, wantSt, wantOK)
		}
	}
}
