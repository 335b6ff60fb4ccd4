package trigram

import (
	"errors"
	"regexp/syntax"
	"testing"
)

func TestPlanRegexp(t *testing.T) {
	tests := []struct {
		expr string
		ci   bool
		want string
	}{
		// From google/codesearch's regexp_test.go; the algorithm is the same.
		{`Abcdef`, false, `"abc" "bcd" "cde" "def"`},
		{`(abc)(def)`, false, `"abc" "bcd" "cde" "def"`},
		{`abc.*(def|ghi)`, false, `"abc" ("def"|"ghi")`},
		{`abc(def|ghi)`, false, `"abc" ("bcd" "cde" "def")|("bcg" "cgh" "ghi")`},
		{`a+hello`, false, `"ahe" "ell" "hel" "llo"`},
		{`(a+hello|b+world)`, false, `("ahe" "ell" "hel" "llo")|("bwo" "orl" "rld" "wor")`},
		{`a*bbb`, false, `"bbb"`},
		{`a?bbb`, false, `"bbb"`},
		{`(bbb)a?`, false, `"bbb"`},
		{`(bbb)a*`, false, `"bbb"`},
		{`^abc`, false, `"abc"`},
		{`abc$`, false, `"abc"`},
		{`ab[cde]f`, false, `("abc" "bcf")|("abd" "bdf")|("abe" "bef")`},
		{`(abc|bac)de`, false, `"cde" ("abc" "bcd")|("acd" "bac")`},
		{`ab[^cde]f`, false, `+`},
		{`ab.f`, false, `+`},
		{`.`, false, `+`},
		{`()`, false, `+`},
		{`[^\s\S]`, false, `-`},
		{`(abc|abc)`, false, `"abc"`},
		{`(ab|ab)c`, false, `"abc"`},
		{`ab(cab|cat)`, false, `"abc" "bca" ("cab"|"cat")`},
		{`(z*(abc|def)z*)(z*(abc|def)z*)`, false, `("abc"|"def")`},
		{`(z*abcz*defz*)|(z*abcz*defz*)`, false, `"abc" "def"`},
		{`(z*abcz*defz*(ghi|jkl)z*)|(z*abcz*defz*(mno|prs)z*)`, false, `"abc" "def" ("ghi"|"jkl"|"mno"|"prs")`},
		{`(z*(abcz*def)|(ghiz*jkl)z*)|(z*(mnoz*prs)|(tuvz*wxy)z*)`, false, `("abc" "def")|("ghi" "jkl")|("mno" "prs")|("tuv" "wxy")`},
		{`(z*abcz*defz*)(z*(ghi|jkl)z*)`, false, `"abc" "def" ("ghi"|"jkl")`},
		{`(z*abcz*defz*)|(z*(ghi|jkl)z*)`, false, `("ghi"|"jkl")|("abc" "def")`},
		{`[ab][cd][ef]`, false, `("ace"|"acf"|"ade"|"adf"|"bce"|"bcf"|"bde"|"bdf")`},
		{`ab[cd]e`, false, `("abc" "bce")|("abd" "bde")`},
		{`(a|ab)cde`, false, `"cde" ("abc" "bcd")|("acd")`},
		{`(a|b|c|d)(ef|g|hi|j)`, false, `+`},
		{`(?s).`, false, `+`},
		{`\b`, false, `+`},
		{`\babc`, false, `"abc"`},
		{`abc\B`, false, `"abc"`},
		{`ab\bc`, false, `"abc"`},

		// The index is folded, so case never multiplies the alternatives
		// (codesearch lists all 8 spellings of (?i)abc).
		{`(?i)abc`, false, `"abc"`},
		{`ABC`, false, `"abc"`},
		{`abc`, true, `"abc"`},
		{`(?i)abc|def`, false, `("abc"|"def")`},
		{`(?i)abcd`, false, `"abc" "bcd"`},
		{`[Kk]elvin`, false, `"elv" "kel" "lvi" "vin"`},
		{`\x{212A}elvin`, false, `"elv" "kel" "lvi" "vin"`},

		// An exact branch alternated with an inexact one keeps its strings
		// (codesearch drops them here and would require "cde").
		{`(ab|c+)de`, false, `("abd" "bde")|("cde")`},
		{`(abc|x.*)de`, false, `+`},
		{`ab(cd)?ef`, false, `("abc" "bcd" "cde" "def")|("abe" "bef")`},
		{`x(abcd)+y`, false, `"abc" "bcd" "cdy" "xab"`},

		// Identifiers and CJK from the corpora's queries.
		{`OTEL_\w+_ENDPOINT`, false, `"_en" "dpo" "el_" "end" "int" "ndp" "oin" "ote" "poi" "tel"`},
		{`fs\.readFile`, true, `".re" "adf" "dfi" "ead" "fil" "fs." "ile" "rea" "s.r"`},
		{`トレース`, false, `"\x83\x88\xe3" "\x83\xac\xe3" "\x83\xbc\xe3" "\x88\xe3\x83" "\xac\xe3\x83" "\xbc\xe3\x82" "ス" "ト" "レ" "ー"`},
		{`可`, false, `"可"`},
	}
	for _, tt := range tests {
		q, re, err := PlanRegexp(tt.expr, tt.ci)
		if err != nil {
			t.Errorf("PlanRegexp(%#q): %v", tt.expr, err)
			continue
		}
		if got := q.String(); got != tt.want {
			t.Errorf("PlanRegexp(%#q, %v) = %#q, want %#q", tt.expr, tt.ci, got, tt.want)
		}
		if re == nil {
			t.Errorf("PlanRegexp(%#q) returned no regexp", tt.expr)
		}
	}
}

func TestPlanRegexpErrors(t *testing.T) {
	tests := []struct {
		expr string
		col  int
		code syntax.ErrorCode
	}{
		{`(abc`, 1, syntax.ErrMissingParen},
		{`a(b(c)`, 2, syntax.ErrMissingParen},
		{`x[(]y(z`, 6, syntax.ErrMissingParen},
		{`a)b`, 2, syntax.ErrUnexpectedParen},
		{`(a)b)`, 5, syntax.ErrUnexpectedParen},
		{`a**`, 2, syntax.ErrInvalidRepeatOp},
		{`ab*c**`, 5, syntax.ErrInvalidRepeatOp},
		{`[abc`, 1, syntax.ErrMissingBracket},
		{`ab\`, 3, syntax.ErrTrailingBackslash},
		{`a\qb`, 2, syntax.ErrInvalidEscape},
		{`x{2,1}`, 2, syntax.ErrInvalidRepeatSize},
		{`*a`, 1, syntax.ErrMissingRepeatArgument},
		{`a|*`, 3, syntax.ErrMissingRepeatArgument},
		{`[z-a]`, 2, syntax.ErrInvalidCharRange},
		{`\p{Greek}\pX`, 10, syntax.ErrInvalidCharRange},
		{`(?z)`, 1, syntax.ErrInvalidPerlOp},
	}
	for _, tt := range tests {
		_, _, err := PlanRegexp(tt.expr, false)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("PlanRegexp(%#q) = %v, want a *SyntaxError", tt.expr, err)
			continue
		}
		var pe *syntax.Error
		if !errors.As(err, &pe) {
			t.Errorf("PlanRegexp(%#q) error %v does not wrap a *syntax.Error", tt.expr, err)
			continue
		}
		if se.Column != tt.col || pe.Code != tt.code {
			t.Errorf("PlanRegexp(%#q): column %d, code %q; want column %d, code %q (%v)", tt.expr, se.Column, pe.Code, tt.col, tt.code, err)
		}
	}
}

func TestPlanSubstring(t *testing.T) {
	tests := []struct {
		s, want string
	}{
		{"", `+`},
		{"ab", `+`},
		{"abc", `"abc"`},
		{"ABCD", `"abc" "bcd"`},
		{"abab", `"aba" "bab"`},
		{"aaaa", `"aaa"`},
		{"é", `+`}, // two bytes
		{"可", `"可"`},
		{"\u212aELVIN", `"elv" "kel" "lvi" "vin"`},
		{"Straße", `"aß" "ra\xc3" "str" "tra" "ße"`},
		{"a\xffb", `"a\xef\xbf" "\xbf\xbdb" "�"`}, // invalid bytes fold to U+FFFD
	}
	for _, tt := range tests {
		if got := PlanSubstring(tt.s).String(); got != tt.want {
			t.Errorf("PlanSubstring(%q) = %#q, want %#q", tt.s, got, tt.want)
		}
	}
}

// TestPlanSubstringLong checks the trigram cap: a long pattern asks for at
// most maxSubstringTrigrams trigrams, all of them its own.
func TestPlanSubstringLong(t *testing.T) {
	s := ""
	for i := range 100 {
		s += string(rune('a'+i%26)) + string(rune('A'+(i*7)%26))
	}
	q := PlanSubstring(s)
	if q.Op != QAnd || len(q.Trigram) == 0 || len(q.Trigram) > maxSubstringTrigrams {
		t.Fatalf("PlanSubstring(long) = %s: want an And of 1..%d trigrams", q, maxSubstringTrigrams)
	}
	has := docTrigrams([]byte(s))
	for _, tr := range q.Trigram {
		if !has[tr] {
			t.Errorf("trigram %q is not in the pattern", tr)
		}
	}
}
