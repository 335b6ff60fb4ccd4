package ignore

import (
	"strings"
	"testing"
)

// ignoredInTree answers like a tree walk does: files maps a directory
// ("" for the root) to the content of its ignore file; a path is ignored
// when it or any ancestor directory is.
func ignoredInTree(files map[string]string, path string, isDir bool) bool {
	var m *Matcher
	if c, ok := files[""]; ok {
		m = m.Push(Parse("", ".gitignore", []byte(c)))
	}
	parts := strings.Split(path, "/")
	for i := range parts {
		sub := strings.Join(parts[:i+1], "/")
		last := i == len(parts)-1
		if ign, _ := m.Match(sub, isDir || !last); ign {
			return true
		}
		if !last {
			if c, ok := files[sub]; ok {
				m = m.Push(Parse(sub, sub+"/.gitignore", []byte(c)))
			}
		}
	}
	return false
}

// The cases follow gitignore(5): each claim of the manual is a row.
func TestGitignoreSemantics(t *testing.T) {
	type check struct {
		path  string
		isDir bool
		want  bool
	}
	tests := []struct {
		name   string
		files  map[string]string
		checks []check
	}{
		{"blank lines and comments match nothing",
			map[string]string{"": "\n# foo\n   \n"},
			[]check{{"foo", false, false}, {"# foo", false, false}, {"#", false, false}}},
		{"escaped hash is a literal",
			map[string]string{"": `\#foo`},
			[]check{{"#foo", false, true}, {"foo", false, false}}},
		{"trailing spaces are dropped unless escaped",
			map[string]string{"": "a  \nb\\ \nc\\  \n"},
			[]check{{"a", false, true}, {"a ", false, false}, {"b ", false, true}, {"b", false, false}, {"c ", false, true}}},
		{"tabs are not trimmed",
			map[string]string{"": "a\t"},
			[]check{{"a", false, false}, {"a\t", false, true}}},
		{"CRLF line endings",
			map[string]string{"": "a\r\nb\r\n"},
			[]check{{"a", false, true}, {"b", false, true}}},
		{"UTF-8 BOM is skipped",
			map[string]string{"": "\xef\xbb\xbfa\n"},
			[]check{{"a", false, true}}},
		{"no slash matches the name at any depth",
			map[string]string{"": "hello.*"},
			[]check{{"hello.md", false, true}, {"x/y/hello.c", false, true}, {"x/hello", false, false}, {"hello.d", true, true}}},
		{"trailing slash matches directories only",
			map[string]string{"": "frotz/"},
			[]check{{"frotz", true, true}, {"a/frotz", true, true}, {"frotz", false, false}, {"a/frotz", false, false}, {"frotz/x", false, true}}},
		{"slash in the middle anchors to the file's directory",
			map[string]string{"": "doc/frotz/"},
			[]check{{"doc/frotz", true, true}, {"a/doc/frotz", true, false}}},
		{"leading slash anchors",
			map[string]string{"": "/doc/frotz\n/x"},
			[]check{{"doc/frotz", false, true}, {"a/doc/frotz", false, false}, {"x", false, true}, {"a/x", false, false}}},
		{"star does not cross slashes",
			map[string]string{"": "foo/*"},
			[]check{{"foo/test.json", false, true}, {"foo/bar", true, true}, {"foo/bar/hello.c", false, true}, {"foo", true, false}}},
		{"leading double star matches in all directories",
			map[string]string{"": "**/foo\n**/x/bar"},
			[]check{{"foo", false, true}, {"a/b/foo", true, true}, {"x/bar", false, true}, {"a/x/bar", false, true}, {"a/x/y/bar", false, false}}},
		{"trailing double star matches everything inside",
			map[string]string{"": "abc/**"},
			[]check{{"abc/x", false, true}, {"abc/x/y/z", false, true}, {"abc", true, false}, {"a/abc/x", false, false}}},
		{"middle double star matches zero or more directories",
			map[string]string{"": "a/**/b"},
			[]check{{"a/b", false, true}, {"a/x/b", false, true}, {"a/x/y/b", false, true}, {"a/xb", false, false}}},
		{"other consecutive stars are plain stars",
			map[string]string{"": "x**y"},
			[]check{{"xy", false, true}, {"xaay", false, true}, {"d/xay", false, true}}},
		{"literal prefix before double star",
			map[string]string{"": "/foo**/bar"},
			// git compares "foo" literally, then "**/bar" counts as a whole
			// segment glob (checked against git 2.39).
			[]check{{"fooX/y/bar", false, true}, {"foo/bar", false, true}, {"fooXbar", false, false}}},
		{"question mark and brackets",
			map[string]string{"": "?.txt\n[ab].md\n[!c]x"},
			[]check{{"a.txt", false, true}, {"ab.txt", false, false}, {"b.md", false, true}, {"c.md", false, false}, {"dx", false, true}, {"cx", false, false}}},
		{"negation re-includes",
			map[string]string{"": "*.log\n!important.log"},
			[]check{{"a.log", false, true}, {"important.log", false, false}, {"d/important.log", false, false}}},
		{"escaped exclamation mark is a literal",
			map[string]string{"": `\!important!.txt`},
			[]check{{"!important!.txt", false, true}, {"important!.txt", false, false}}},
		{"last matching line wins",
			map[string]string{"": "!a\na"},
			[]check{{"a", false, true}}},
		{"a file in an excluded directory cannot be re-included",
			map[string]string{"": "build/\n!build/keep.txt"},
			[]check{{"build/keep.txt", false, true}, {"build/x", false, true}}},
		{"exclude everything except foo/bar",
			map[string]string{"": "/*\n!/foo\n/foo/*\n!/foo/bar"},
			[]check{{"a", false, true}, {"foo", true, false}, {"foo/x", false, true}, {"foo/bar", true, false}, {"foo/bar/deep", false, false}}},
		{"deeper files override shallower ones",
			map[string]string{"": "*.md", "sub": "!*.md"},
			[]check{{"a.md", false, true}, {"sub/a.md", false, false}, {"sub/x/a.md", false, false}, {"other/a.md", false, true}}},
		{"patterns in a subdirectory are relative to it",
			map[string]string{"sub": "/only\ndeep/x"},
			[]check{{"sub/only", false, true}, {"only", false, false}, {"sub/a/only", false, false}, {"sub/deep/x", false, true}, {"deep/x", false, false}}},
		{"escaped glob characters",
			map[string]string{"": `a\*b` + "\n" + `q\?`},
			[]check{{"a*b", false, true}, {"axb", false, false}, {"q?", false, true}, {"qx", false, false}}},
		{"a lone slash or bang matches nothing",
			map[string]string{"": "/\n!\n//"},
			[]check{{"a", false, false}, {"a", true, false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range tc.checks {
				if got := ignoredInTree(tc.files, c.path, c.isDir); got != c.want {
					t.Errorf("%q (dir=%v): ignored = %v, want %v", c.path, c.isDir, got, c.want)
				}
			}
		})
	}
}

func TestMatchReportsDecidingPattern(t *testing.T) {
	var m *Matcher
	m = m.Push(Parse("", ".gitignore", []byte("*.log\n# c\n!keep.log\n")))
	m = m.Push(Parse("sub", "sub/.kotadbignore", []byte("secret\n")))
	tests := []struct {
		path    string
		ignored bool
		by      string
	}{
		{"a.log", true, ".gitignore:1:*.log"},
		{"keep.log", false, ".gitignore:3:!keep.log"},
		{"sub/secret", true, "sub/.kotadbignore:1:secret"},
		{"secret", false, ""},
		{"a.txt", false, ""},
	}
	for _, tc := range tests {
		ignored, by := m.Match(tc.path, false)
		got := ""
		if by != nil {
			got = by.String()
			if by.Negative() == ignored {
				t.Errorf("%s: Negative() = %v but ignored = %v", tc.path, by.Negative(), ignored)
			}
		}
		if ignored != tc.ignored || got != tc.by {
			t.Errorf("Match(%q) = %v, %q; want %v, %q", tc.path, ignored, got, tc.ignored, tc.by)
		}
	}
}

func TestPushEmptyListKeepsMatcher(t *testing.T) {
	var m *Matcher
	if got := m.Push(Parse("", "x", []byte("# only a comment\n\n"))); got != nil {
		t.Errorf("Push of an empty list = %v, want the same nil matcher", got)
	}
	if got := m.Push(nil); got != nil {
		t.Errorf("Push(nil) = %v, want nil", got)
	}
}
