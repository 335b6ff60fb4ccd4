package ignore

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary ignore files and paths: parsing and matching
// must never panic, and a line that is a plain name (no glob characters,
// no slash, no '!', no comment) must ignore exactly that base name.
func FuzzParse(f *testing.F) {
	f.Add([]byte("*.log\n!keep.log\nbuild/\n"), "a/b/keep.log", false)
	f.Add([]byte("/a/**/b\n\\#x\n\\!y  \n"), "a/x/y/b", true)
	f.Add([]byte("[[:alpha:]\n[!\n\\"), "[", false)
	f.Add([]byte("\xef\xbb\xbffoo\r\nbar \\ \n"), "bar  ", false)
	f.Add([]byte("**/x/**/*y?[a-c]\n"), "p/x/q/zyb", false)
	f.Fuzz(func(t *testing.T, data []byte, path string, isDir bool) {
		path = strings.Trim(path, "/")
		if path == "" || strings.Contains(path, "//") {
			return
		}
		l := Parse("", ".gitignore", data)
		var m *Matcher
		m = m.Push(l)
		ignored, by := m.Match(path, isDir)
		if by == nil && ignored {
			t.Fatalf("ignored without a deciding pattern")
		}
		if by != nil && by.Negative() == ignored {
			t.Fatalf("pattern %q (negative=%v) decided ignored=%v", by.Text, by.Negative(), ignored)
		}
		base := path[strings.LastIndexByte(path, '/')+1:]
		for _, p := range l.Patterns {
			if p.Text == "" || strings.ContainsAny(p.Text, "*?[\\/!#") {
				continue
			}
			if got := p.match(path, isDir); got != (p.Text == base) {
				t.Fatalf("plain pattern %q on %q: match = %v", p.Text, path, got)
			}
		}
	})
}

// FuzzWildmatch checks wildmatch against properties that hold for every
// input: no panic, a fully escaped text matches itself, "*" matches every
// segment and "**" every path.
func FuzzWildmatch(f *testing.F) {
	f.Add("a*b?c[d-f]", "axxbycd")
	f.Add("**/x/**", "a/x/b")
	f.Add("[[:digit:]-]", "-")
	f.Add(`\`, `\`)
	f.Add("*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Fuzz(func(t *testing.T, pattern, text string) {
		_ = wildmatch(pattern, text) // must terminate without panicking on any input
		var esc strings.Builder
		for i := 0; i < len(text); i++ {
			esc.WriteByte('\\')
			esc.WriteByte(text[i])
		}
		if !wildmatch(esc.String(), text) {
			t.Fatalf("escaped %q does not match itself", text)
		}
		if !wildmatch("**", text) {
			t.Fatalf("** does not match %q", text)
		}
		if got := wildmatch("*", text); got != !strings.Contains(text, "/") {
			t.Fatalf("* on %q = %v", text, got)
		}
	})
}
