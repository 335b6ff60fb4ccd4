package parse

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/kotadb/kotadb/errs"
	yaml "go.yaml.in/yaml/v4"
)

// markdownSeeds cover every construct the scanner distinguishes; the
// committed corpus in testdata/fuzz/FuzzParseMarkdown adds whole files.
var markdownSeeds = []string{
	"",
	"#tag #a/b/ #123 C# &#1; http://x#y [[a#b|c]] ![[e]] [x](y.md#z) [r][l]\n\n[l]: r.md",
	"---\ntitle: t\ntags: [a, b]\n---\n# H1\nSetext\n---\n",
	"---\nbroken: [\n---\nbody",
	"---\nno end",
	"```\n#in\n````\n~~~\n#in\n~~~\n    #code\n- item\n\n    #list\n> ```\n> #q",
	"`a\n#b` ``c`` ` d",
	"<!-- #x\n--> <style>\n#y\n</style> <a href='#z'>",
	"\ufeff---\r\na: 1\r\n---\r\n# T\r\n",
	"bad \xff utf8 #t\xe9g",
	"[[[[[[a]]]]]] [[]] [] ![ ![](x) [a](<b c.md> \"t\") [a]: <x>",
	"## Head {#id .c k=v}\n## { #x }",
	"\x00binary",
}

func FuzzParseMarkdown(f *testing.F) {
	for _, s := range markdownSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		doc, err := Parse(FileInfo{Path: "fuzz.md"}, content)
		if err != nil {
			if binary, _ := IsBinary(content); !binary || !errors.Is(err, errs.ErrBinary) {
				t.Fatalf("Parse failed on a text file: %v", err)
			}
			return
		}
		checkInvariants(t, content, doc)
		checkFuzzInvariants(t, doc)
	})
}

// checkFuzzInvariants are the properties beyond checkInvariants that must
// hold for any input.
func checkFuzzInvariants(t *testing.T, doc *Document) {
	t.Helper()
	if _, err := json.Marshal(doc); err != nil {
		t.Fatalf("document cannot be encoded as JSON: %v", err)
	}
	valid := func(what, s string) {
		if !utf8.ValidString(s) {
			t.Errorf("%s %q is not valid UTF-8", what, s)
		}
	}
	valid("title", doc.Title)
	for _, tag := range doc.Tags {
		valid("tag", tag)
	}
	for _, l := range doc.Links {
		valid("link target", l.Target)
		valid("link heading", l.Heading)
		valid("link alias", l.Alias)
		if l.Target == "" && (l.Heading == "" || l.Kind != LinkWiki && l.Kind != LinkEmbed && l.Kind != LinkFrontmatter) {
			t.Errorf("link with neither target nor heading: %+v", l)
		}
	}
	for _, h := range doc.Headings {
		valid("heading", h.Text)
		if h.Level < 1 || h.Level > 6 {
			t.Errorf("heading level %d", h.Level)
		}
	}
	if doc.Words < 0 || doc.Lines < 0 {
		t.Errorf("words, lines = %d, %d", doc.Words, doc.Lines)
	}
}

// frontmatterSeeds cover the shapes fastYAML reads and the ones it must
// leave to go-yaml.
var frontmatterSeeds = []string{
	"title: Note\ntags: [a, b]\ndate: 2024-05-01\n",
	"tags:\n  - a\n  -   b\n  -\nnext: 1\n",
	"tags:\n- a\n- 'b''c'\n",
	"a: \"x y\"\nb: 'z'\nc: ~\nd: -5\ne: 1_000\nf: 0x1F\ng: .5\nh: 1e3\ni: true\nj: .inf\nk: 2024-1-2\n",
	"é: [ü, 'ß']\n# comment\n\nkey with spaces: value: no\n",
	"a: b # comment\nc: |\n  block\n",
	"a:\n  nested: map\n",
	"a: [x, [y]]\nb: {c: d}\n",
	"a: &x 1\nb: *x\n<<: {c: 1}\n",
	"- not\n- a map\n",
	"\tbad: tab\n",
	"a: 'unclosed\n",
	"a: \"esc\\n\"\n",
	"? complex\n: key\n",
	"a: 2024-02-30\nb: 2024-05-01 10:00\nc: 2024-05-01T10:00:00Z\n",
	"a:    \nb: x  \n",
	"dup: 1\ndup: 2\n",
}

// FuzzFrontmatter checks that fastYAML builds exactly the node tree go-yaml
// builds whenever it accepts the input, and that Parse handles any
// frontmatter.
func FuzzFrontmatter(f *testing.F) {
	for _, s := range frontmatterSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if fast, ok := fastYAML(text); ok {
			var slow yaml.Node
			if err := yaml.Load(text, &slow); err != nil {
				t.Fatalf("fastYAML accepted %q, go-yaml rejects it: %v", text, err)
			}
			if diff := cmp.Diff(nodeShape(&slow), nodeShape(fast)); diff != "" {
				t.Fatalf("fastYAML differs from go-yaml on %q (-go-yaml +fast):\n%s", text, diff)
			}
		}
		content := append([]byte("---\n"), text...)
		content = append(content, "\n---\n#body"...)
		doc, err := Parse(FileInfo{Path: "fuzz.md"}, content)
		if err != nil {
			if !errors.Is(err, errs.ErrBinary) {
				t.Fatalf("Parse: %v", err)
			}
			return
		}
		checkInvariants(t, content, doc)
		checkFuzzInvariants(t, doc)
	})
}

// shape is the part of a yaml.Node that Parse depends on.
type shape struct {
	Kind         yaml.Kind
	Tag, Value   string
	Style        yaml.Style
	Line, Column int
	Content      []shape
}

func nodeShape(n *yaml.Node) shape {
	s := shape{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style &^ (yaml.TaggedStyle), Line: n.Line, Column: n.Column}
	for _, c := range n.Content {
		s.Content = append(s.Content, nodeShape(c))
	}
	return s
}
