package ignore

import "testing"

// Cases from git's t/t3070-wildmatch.sh (the WM_PATHNAME column, which is
// the mode ignore files use).
func TestWildmatch(t *testing.T) {
	tests := []struct {
		text, pattern string
		want          bool
	}{
		// Basic features.
		{"foo", "foo", true},
		{"foo", "bar", false},
		{"", "", true},
		{"foo", "???", true},
		{"foo", "??", false},
		{"foo", "*", true},
		{"foo", "f*", true},
		{"foo", "*f", false},
		{"foo", "*foo*", true},
		{"foobar", "*ob*a*r*", true},
		{"aaaaaaabababab", "*ab", true},
		{"foo*", `foo\*`, true},
		{"foobar", `foo\*bar`, false},
		{`f\oo`, `f\\oo`, true},
		{"ball", "*[al]?", true},
		{"ten", "[ten]", false},
		{"ten", "**[!te]", true},
		{"ten", "**[!ten]", false},
		{"ten", "t[a-g]n", true},
		{"ten", "t[!a-g]n", false},
		{"ton", "t[!a-g]n", true},
		{"ton", "t[^a-g]n", true},
		{"a]b", "a[]]b", true},
		{"a-b", "a[]-]b", true},
		{"a]b", "a[]-]b", true},
		{"aab", "a[]-]b", false},
		{"aab", "a[]a-]b", true},
		{"]", "]", true},
		// Slash handling.
		{"foo/baz/bar", "foo*bar", false},
		{"foo/baz/bar", "foo**bar", false},
		{"foobazbar", "foo**bar", true},
		{"foo/baz/bar", "foo/**/bar", true},
		{"foo/baz/bar", "foo/**/**/bar", true},
		{"foo/b/a/z/bar", "foo/**/bar", true},
		{"foo/b/a/z/bar", "foo/**/**/bar", true},
		{"foo/bar", "foo/**/bar", true},
		{"foo/bar", "foo/**/**/bar", true},
		{"foo/bar", "foo?bar", false},
		{"foo/bar", "foo[/]bar", false},
		{"foo/bar", "foo[^a-z]bar", false},
		{"foo/bar", "f[^eiu][^eiu][^eiu][^eiu][^eiu]r", false},
		{"foo-bar", "f[^eiu][^eiu][^eiu][^eiu][^eiu]r", true},
		{"foo", "**/foo", true},
		{"XXX/foo", "**/foo", true},
		{"bar/baz/foo", "**/foo", true},
		{"bar/baz/foo", "*/foo", false},
		{"foo/bar/baz", "**/bar*", false},
		{"deep/foo/bar/baz", "**/bar/*", true},
		{"deep/foo/bar/baz/", "**/bar/*", false},
		{"deep/foo/bar/baz/", "**/bar/**", true},
		{"deep/foo/bar", "**/bar/*", false},
		{"deep/foo/bar/", "**/bar/**", true},
		{"foo/bar/baz", "**/bar**", false},
		{"foo/bar/baz/x", "*/bar/**", true},
		{"deep/foo/bar/baz/x", "*/bar/**", false},
		{"deep/foo/bar/baz/x", "**/bar/*/*", true},
		// Character classes.
		{"a1B", "[[:alpha:]][[:digit:]][[:upper:]]", true},
		{"a", "[[:digit:][:upper:][:space:]]", false},
		{"A", "[[:digit:][:upper:][:space:]]", true},
		{"1", "[[:digit:][:upper:][:space:]]", true},
		{" ", "[[:digit:][:upper:][:space:]]", true},
		{".", "[[:digit:][:upper:][:space:]]", false},
		{".", "[[:digit:][:punct:][:space:]]", true},
		{"5", "[[:xdigit:]]", true},
		{"f", "[[:xdigit:]]", true},
		{"D", "[[:xdigit:]]", true},
		{"_", "[[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:graph:][:lower:][:print:][:punct:][:space:][:upper:][:xdigit:]]", true},
		{"5", "[a-c[:digit:]x-z]", true},
		{"b", "[a-c[:digit:]x-z]", true},
		{"y", "[a-c[:digit:]x-z]", true},
		{"q", "[a-c[:digit:]x-z]", false},
		{"a", "[[:nope:]]", false},
		{"[", "[[:]", true}, // no ":]": '[' and ':' are plain members
		// Malformed patterns never match and never panic.
		{"a", "[", false},
		{"a", "[!", false},
		{"a", "[a-", false},
		{"a", `\`, false},
		{"a\\", `a\`, false},
		{"[ab", "[ab", false},
		{"ab", "[ab", false},
		// Escapes and ranges with escapes.
		{"]", `[\]]`, true},
		{`\`, `[\\]`, true},
		{"b", `[a\-c]`, false},
		{"-", `[a\-c]`, true},
		{"-", "[a-]", true},
		{"a", "[!]", false},
		// Backtracking bounded by the abort shortcuts.
		{"-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1", "-*-*-*-*-*-*-12-*-*-*-m-*-*-*", true},
		{"-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1", "-*-*-*-*-*-*-12-*-*-*-m-*-*-*", false},
		{"XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1", "XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", true},
		{"abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt", "**/*a*b*g*n*t", true},
		{"abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz", "**/*a*b*g*n*t", false},
		{"foo", "*/*/*", false},
		{"foo/bar", "*/*/*", false},
		{"foo/bba/arr", "*/*/*", true},
		{"foo/bb/aa/rr", "*/*/*", false},
		{"foo/bb/aa/rr", "**/**/**", true},
		{"abcXdefXghi", "*X*i", true},
		{"ab/cXd/efXg/hi", "*X*i", false},
		{"ab/cXd/efXg/hi", "*/*X*/*/*i", true},
		{"ab/cXd/efXg/hi", "**/*X*/**/*i", true},
	}
	for _, tc := range tests {
		if got := wildmatch(tc.pattern, tc.text); got != tc.want {
			t.Errorf("wildmatch(%q, %q) = %v, want %v", tc.pattern, tc.text, got, tc.want)
		}
	}
}
