package parse

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kotadb/kotadb/errs"
)

var testModTime = time.Date(2024, 8, 9, 10, 0, 0, 0, time.UTC)

// parseNote parses text as the markdown file notes/note.md.
func parseNote(t *testing.T, text string) *Document {
	t.Helper()
	doc, err := Parse(FileInfo{Path: "notes/note.md", ModTime: testModTime}, []byte(text))
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	checkInvariants(t, []byte(text), doc)
	return doc
}

func TestTags(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"inline", "a #tag here", []string{"tag"}},
		{"start of line", "#tag", []string{"tag"}},
		{"lower-cased and deduplicated", "#Tag #tag #TAG", []string{"tag"}},
		{"sorted", "#zeta #alpha #mid", []string{"alpha", "mid", "zeta"}},
		{"nested", "#a/b/c and #a/b", []string{"a/b", "a/b/c"}},
		{"trailing slash trimmed", "#a/b/ end", []string{"a/b"}},
		{"punctuation ends a tag", "#one, #two. (#three) #four!", []string{"four", "one", "two"}},
		{"dash and underscore", "#my-tag #my_tag", []string{"my-tag", "my_tag"}},
		{"unicode letters", "#über #日本語 #café", []string{"café", "über", "日本語"}},
		{"after ideographic space", "文字\u3000#タグ", []string{"タグ"}},
		{"pure number is not a tag", "#123 and #2024", nil},
		{"digits and separators are not a tag", "#1-2 #2024/05 #---", nil},
		{"digits with a letter are", "#2024a #v1", []string{"2024a", "v1"}},
		{"heading is not a tag", "# Heading\n## Sub", nil},
		{"tag in heading text", "## Plans #roadmap", []string{"roadmap"}},
		{"heading id", "## Setup {#install}\n## Run { #run .wide lang=en }", nil},
		{"inline code", "use `#notatag` here", nil},
		{"double backtick code", "``a ` #notatag``", nil},
		{"code span across lines", "start `code\n#notatag` end #tag", []string{"tag"}},
		{"unclosed backtick is text", "a ` b #tag", []string{"tag"}},
		{"fenced code", "```\n#notatag\n```\n#tag", []string{"tag"}},
		{"tilde fence", "~~~python\n# comment\n#x = 1\n~~~", nil},
		{"longer closing fence", "````\n```\n#in\n````\n#out", []string{"out"}},
		{"unclosed fence runs to the end", "```\n#in\n", nil},
		{"indented code", "para\n\n    #notatag\n\n#tag", []string{"tag"}},
		{"indented continuation is text", "para\n    #tag", []string{"tag"}},
		{"list continuation is text", "- item\n\n    #tag", []string{"tag"}},
		{"fence in a list", "- item\n  ```\n  #notatag\n  ```", nil},
		{"fence in a blockquote", "> ```\n> #notatag\n> ```\n> #tag", []string{"tag"}},
		{"url fragment", "see http://x.com/page#frag and https://y.org/#top", nil},
		{"markdown link anchor", "[jump](#section) [x](a.md#h)", nil},
		{"wikilink heading", "[[Note#Heading]] [[#Local]]", nil},
		{"html entity", "&#123; &#x1F600;", nil},
		{"html attribute", `<a href="#top">up</a> <div id=x #y>`, nil},
		{"autolink", "<https://x.org/#frag>", nil},
		{"html comment", "<!-- #hidden -->\n<!--\n#hidden\n-->\n#tag", []string{"tag"}},
		{"script and style", "<style>\n#main { color: red }\n</style>\n<script>\n#x\n</script>", nil},
		{"escaped hash", `\#notatag`, nil},
		{"C sharp", "C# and F# are languages", nil},
		{"in a list and a quote", "- #listed\n> #quoted", []string{"listed", "quoted"}},
		{"in a table", "| a | #cell |", []string{"cell"}},
		{"setext heading text", "Title #t\n===", []string{"t"}},
		{"frontmatter list", "---\ntags: [Go, backend]\n---\n", []string{"backend", "go"}},
		{"frontmatter block list", "---\ntags:\n  - a/b\n  - '#c'\n---\n", []string{"a/b", "c"}},
		{"frontmatter comma string", "---\ntags: backend, engineering/backend\n---\n", []string{"backend", "engineering/backend"}},
		{"frontmatter space string", "---\ntags: one two\n---\n", []string{"one", "two"}},
		{"frontmatter tag key", "---\ntag: solo\n---\n", []string{"solo"}},
		{"frontmatter and inline", "---\ntags: [a]\n---\n#b", []string{"a", "b"}},
		{"frontmatter numbers dropped", "---\ntags: [2024, x1]\n---\n", []string{"x1"}},
		{"frontmatter null", "---\ntags: null\n---\n", nil},
		{"frontmatter unquoted wikilink list", "---\ntags: [[a]]\n---\n", []string{"a"}},
		{"inside frontmatter text is not inline", "---\ntitle: '#x'\n---\n", nil},
		{"not in a text file", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseNote(t, tt.text)
			if diff := cmp.Diff(tt.want, doc.Tags); diff != "" {
				t.Errorf("tags of %q (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestTagsOnlyInMarkdown(t *testing.T) {
	doc, err := Parse(FileInfo{Path: "main.go"}, []byte("package main // #notatag\n[[not a link]]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Kind != KindText || doc.Lang != "go" || doc.Title != "main.go" || doc.Tags != nil || doc.Links != nil || doc.Headings != nil {
		t.Errorf("text file parsed as markdown: %+v", doc)
	}
	if doc.Words != 6 || doc.Lines != 2 {
		t.Errorf("words, lines = %d, %d; want 6, 2", doc.Words, doc.Lines)
	}
}

func TestLinks(t *testing.T) {
	wiki := func(target, heading, alias string, line int) Link {
		return Link{Kind: LinkWiki, Target: target, Heading: heading, Alias: alias, Line: line}
	}
	tests := []struct {
		name, text string
		want       []Link
	}{
		{"wikilink", "see [[Roadmap]]", []Link{wiki("Roadmap", "", "", 1)}},
		{"alias", "[[Roadmap|the plan]]", []Link{wiki("Roadmap", "", "the plan", 1)}},
		{"alias with spaces", "[[Reinforcement Learning | reinforcement learning]]",
			[]Link{wiki("Reinforcement Learning", "", "reinforcement learning", 1)}},
		{"heading", "[[Roadmap#Q3 goals]]", []Link{wiki("Roadmap", "Q3 goals", "", 1)}},
		{"heading and alias", "[[a#b|c]]", []Link{wiki("a", "b", "c", 1)}},
		{"block reference", "[[a#^block1]]", []Link{wiki("a", "^block1", "", 1)}},
		{"same file heading", "[[#Local]]", []Link{wiki("", "Local", "", 1)}},
		{"escaped pipe in a table", `| [[a\|b]] |`, []Link{wiki("a", "", "b", 1)}},
		{"path target", "[[notes/sub/a.md]]", []Link{wiki("notes/sub/a.md", "", "", 1)}},
		{"empty is nothing", "[[]] [[ ]] [[|x]]", nil},
		{"inner one wins", "[[a [[b]]", []Link{wiki("b", "", "", 1)}},
		{"unclosed", "[[never closed", nil},
		{"embed", "![[diagram.png]]", []Link{{Kind: LinkEmbed, Target: "diagram.png", Line: 1}}},
		{"embed with heading", "![[Note#Part]]", []Link{{Kind: LinkEmbed, Target: "Note", Heading: "Part", Line: 1}}},
		{"line numbers", "a\n[[x]]\n\nb [[y]] [[z]]", []Link{wiki("x", "", "", 2), wiki("y", "", "", 4), wiki("z", "", "", 4)}},
		{"markdown relative", "[the doc](../a.md)", []Link{{Kind: LinkMarkdown, Target: "../a.md", Alias: "the doc", Line: 1}}},
		{"markdown fragment", "[x](a.md#install)", []Link{{Kind: LinkMarkdown, Target: "a.md", Heading: "install", Alias: "x", Line: 1}}},
		{"markdown escaped spaces", "[x](My%20Note.md)", []Link{{Kind: LinkMarkdown, Target: "My Note.md", Alias: "x", Line: 1}}},
		{"markdown angle brackets", "[x](<My Note.md>)", []Link{{Kind: LinkMarkdown, Target: "My Note.md", Alias: "x", Line: 1}}},
		{"markdown title", `[x](a.md "Title")`, []Link{{Kind: LinkMarkdown, Target: "a.md", Alias: "x", Line: 1}}},
		{"markdown parens in path", "[x](a_(b).md)", []Link{{Kind: LinkMarkdown, Target: "a_(b).md", Alias: "x", Line: 1}}},
		{"markdown query dropped", "[x](a.md?v=1#h)", []Link{{Kind: LinkMarkdown, Target: "a.md", Heading: "h", Alias: "x", Line: 1}}},
		{"site absolute path", "[x](/docs/collector/)", []Link{{Kind: LinkMarkdown, Target: "/docs/collector/", Alias: "x", Line: 1}}},
		{"link text markup stripped", "[**bold** `code`](a.md)", []Link{{Kind: LinkMarkdown, Target: "a.md", Alias: "bold code", Line: 1}}},
		{"image is an embed", "![alt](assets/x.webp)", []Link{{Kind: LinkEmbed, Target: "assets/x.webp", Alias: "alt", Line: 1}}},
		{"urls skipped", "[a](https://x.org/a.md) [b](mailto:me@x.org) [c](//cdn.x.org/a) [d](ftp://h/f)", nil},
		{"anchor only skipped", "[a](#section)", nil},
		{"template skipped", "[a]({{% param _issues %}})", nil},
		{"empty destination skipped", "[a]()", nil},
		{"not a link", "[a] (b.md) and [a]b", nil},
		{"reference", "[text][label]\n\n[label]: ./b.md", []Link{{Kind: LinkMarkdown, Target: "./b.md", Alias: "text", Line: 1}}},
		{"reference collapsed and shortcut", "[Label][] and [label]\n\n[LABEL]: b.md \"t\"",
			[]Link{{Kind: LinkMarkdown, Target: "b.md", Alias: "Label", Line: 1}, {Kind: LinkMarkdown, Target: "b.md", Alias: "label", Line: 1}}},
		{"reference defined first", "[d]: <a b.md>\n\nsee [d]", []Link{{Kind: LinkMarkdown, Target: "a b.md", Alias: "d", Line: 3}}},
		{"reference to url skipped", "[x][u]\n\n[u]: https://x.org", nil},
		{"undefined reference", "[x][nope] [task] - [ ] todo", nil},
		{"first definition wins", "[x]\n\n[x]: a.md\n[x]: b.md", []Link{{Kind: LinkMarkdown, Target: "a.md", Alias: "x", Line: 1}}},
		{"not in code", "`[[a]]` and\n```\n[[b]] [c](c.md)\n```\n    [[d]]", nil},
		{"not in html comment", "<!-- [[a]] -->", nil},
		{"escaped", `\[[a]] \[b](b.md)`, nil},
		{"frontmatter related", "---\nrelated: \"[[A]]\"\nlinks:\n  - \"[[B|bee]]\"\n  - c.md\n---\n",
			[]Link{{Kind: LinkFrontmatter, Target: "A", Line: 2}, {Kind: LinkFrontmatter, Target: "B", Alias: "bee", Line: 4},
				{Kind: LinkFrontmatter, Target: "c.md", Line: 5}}},
		{"frontmatter unquoted wikilink", "---\nrelated: [[A]]\n---\n", []Link{{Kind: LinkFrontmatter, Target: "A", Line: 2}}},
		{"frontmatter several in a string", "---\nrelated: \"[[A]], [[B#h]]\"\n---\n",
			[]Link{{Kind: LinkFrontmatter, Target: "A", Line: 2}, {Kind: LinkFrontmatter, Target: "B", Heading: "h", Line: 2}}},
		{"frontmatter url skipped", "---\nlinks: https://x.org\n---\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseNote(t, tt.text)
			if diff := cmp.Diff(tt.want, doc.Links); diff != "" {
				t.Errorf("links of %q (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestHeadings(t *testing.T) {
	h := func(level int, text, anchor string, line int) Heading {
		return Heading{Level: level, Text: text, Anchor: anchor, Line: line}
	}
	tests := []struct {
		name, text string
		want       []Heading
	}{
		{"atx levels", "# One\n## Two\n###### Six\n####### Seven", []Heading{h(1, "One", "one", 1), h(2, "Two", "two", 2), h(6, "Six", "six", 3)}},
		{"closing hashes", "## Title ##\n## C# #", []Heading{h(2, "Title", "title", 1), h(2, "C#", "c", 2)}},
		{"needs a space", "#NoSpace\n#", []Heading{h(1, "", "", 2)}},
		{"up to three spaces", "   # Yes\n    # Code", []Heading{h(1, "Yes", "yes", 1)}},
		{"setext", "Title\n=====\n\nSub title\nmore\n---", []Heading{h(1, "Title", "title", 1), h(2, "Sub title more", "sub-title-more", 4)}},
		{"thematic break is not setext", "Para\n\n---\n\n- item\n---", nil},
		{"inline markup stripped", "## **Bold** _it_ `code` [link](x.md) [[Page|alias]] ~~old~~ ==mark==",
			[]Heading{h(2, "Bold it code link alias old mark", "bold-it-code-link-alias-old-mark", 1)}},
		{"snake_case kept", "# my_var and 2 * 3", []Heading{h(1, "my_var and 2 * 3", "my_var-and-2--3", 1)}},
		{"github slug", "## What's new in v1.2? (beta)", []Heading{h(2, "What's new in v1.2? (beta)", "whats-new-in-v12-beta", 1)}},
		{"unicode slug", "## Ce este observabilitatea? Übersicht 日本", []Heading{h(2, "Ce este observabilitatea? Übersicht 日本", "ce-este-observabilitatea-übersicht-日本", 1)}},
		{"duplicate anchors", "# A\n# A\n# A", []Heading{h(1, "A", "a", 1), h(1, "A", "a-1", 2), h(1, "A", "a-2", 3)}},
		{"custom id", "## Setup {#install}\n## Run { #go .x }", []Heading{h(2, "Setup", "install", 1), h(2, "Run", "go", 2)}},
		{"braces that are text", "## Maps {x}", []Heading{h(2, "Maps {x}", "maps-x", 1)}},
		{"in a quote and a list", "> # Quoted\n- ## Listed", []Heading{h(1, "Quoted", "quoted", 1), h(2, "Listed", "listed", 2)}},
		{"not in code", "```\n# no\n```\n<!--\n# no\n-->", nil},
		{"after frontmatter", "---\na: 1\n---\n# H", []Heading{h(1, "H", "h", 4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseNote(t, tt.text)
			if diff := cmp.Diff(tt.want, doc.Headings); diff != "" {
				t.Errorf("headings of %q (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestTitle(t *testing.T) {
	tests := []struct {
		name, path, text, want string
	}{
		{"frontmatter", "a.md", "---\ntitle: From YAML\n---\n# From heading", "From YAML"},
		{"first h1", "a.md", "## Not this\n# This one\n# Not this", "This one"},
		{"setext h1", "a.md", "Setext *title*\n===", "Setext title"},
		{"file name", "dir/My Note.md", "no heading", "My Note"},
		{"file name with dots", "v1.2 notes.markdown", "", "v1.2 notes"},
		{"numeric title", "a.md", "---\ntitle: 2024\n---\n", "2024"},
		{"empty title falls back", "a.md", "---\ntitle: ''\n---\n# H", "H"},
		{"text file", "src/main.py", "# comment", "main.py"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(FileInfo{Path: tt.path}, []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tt.want {
				t.Errorf("title = %q, want %q", doc.Title, tt.want)
			}
		})
	}
}

func TestAliases(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"---\naliases: [One, Two]\n---\n", []string{"One", "Two"}},
		{"---\naliases:\n  - One\n  - One\n---\n", []string{"One"}},
		{"---\nalias: Single Name\n---\n", []string{"Single Name"}},
		{"---\naliases: [/about, /docs/what]\n---\n", []string{"/about", "/docs/what"}},
		{"---\naliases:\n---\n", nil},
	}
	for _, tt := range tests {
		doc := parseNote(t, tt.text)
		if diff := cmp.Diff(tt.want, doc.Aliases); diff != "" {
			t.Errorf("aliases of %q (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestFrontmatterValues(t *testing.T) {
	text := `---
title: "Quoted: title"
count: 42
big: 0x1F
ratio: 0.5
exp: 1e3
on: true
off: False
none: ~
day: 2024-05-01
stamp: 2024-05-01T10:30:00+02:00
spaced: 2024-05-01 10:30:00
quoted_day: "2024-05-01"
list: [a, 1, true]
nested:
  key: value
  inner: [x]
inf: .inf
huge: 18446744073709551615
base: &base {k: 1}
merged:
  <<: *base
  own: 2
Tags: [upper-key]
---
body`
	doc := parseNote(t, text)
	want := map[string]any{
		"title":      "Quoted: title",
		"count":      int64(42),
		"big":        int64(31),
		"ratio":      0.5,
		"exp":        1000.0,
		"on":         true,
		"off":        false,
		"none":       nil,
		"day":        time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		"stamp":      time.Date(2024, 5, 1, 10, 30, 0, 0, time.FixedZone("", 2*3600)),
		"spaced":     time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC),
		"quoted_day": "2024-05-01",
		"list":       []any{"a", int64(1), true},
		"nested":     map[string]any{"key": "value", "inner": []any{"x"}},
		"inf":        ".inf",
		"huge":       float64(18446744073709551615),
		"base":       map[string]any{"k": int64(1)},
		"merged":     map[string]any{"k": int64(1), "own": int64(2)},
		"Tags":       []any{"upper-key"},
	}
	if diff := cmp.Diff(want, doc.Frontmatter, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("frontmatter (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"upper-key"}, doc.Tags); diff != "" {
		t.Errorf("keys are matched case-insensitively: tags (-want +got):\n%s", diff)
	}
	if doc.Warnings != nil {
		t.Errorf("unexpected warnings: %v", doc.Warnings)
	}
	if got := text[doc.Body:]; got != "body" {
		t.Errorf("body starts at %d: %q", doc.Body, got)
	}
}

func TestFrontmatterProblems(t *testing.T) {
	tests := []struct {
		name, text string
		warnings   []string // String() of each warning
		hasFM      bool
		body       int // expected Body offset
		tags       []string
	}{
		{
			name:     "broken yaml keeps the body",
			text:     "---\ntitle: ok\ntags: [a, b\n---\n#body",
			warnings: []string{"notes/note.md:4:1: invalid YAML in frontmatter: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 3, column 7)"},
			body:     len("---\ntitle: ok\ntags: [a, b\n---\n"),
			tags:     []string{"body"},
		},
		{
			name:     "tab indentation",
			text:     "---\na: 1\n\tb: 2\n---\n",
			warnings: []string{"notes/note.md:3:1: invalid YAML in frontmatter: found a tab character that violates indentation (while scanning a plain scalar that starts at line 2, column 4)"},
			body:     len("---\na: 1\n\tb: 2\n---\n"),
		},
		{
			name:     "column counts bytes",
			text:     "---\nétiquette: é: x\n---\n",
			warnings: []string{"notes/note.md:2:15: invalid YAML in frontmatter: mapping values are not allowed in this context"},
			body:     len("---\nétiquette: é: x\n---\n"),
		},
		{
			name:     "unterminated",
			text:     "---\ntitle: x\n\n#tag",
			warnings: []string{"notes/note.md:1:1: frontmatter is not terminated: no closing '---' line; the whole file is read as body"},
			tags:     []string{"tag"},
		},
		{
			name:     "not a mapping",
			text:     "---\n- a\n- b\n---\n",
			warnings: []string{"notes/note.md:2:1: frontmatter is a list, not a mapping of keys to values; ignored"},
			body:     len("---\n- a\n- b\n---\n"),
		},
		{
			name:     "duplicate key",
			text:     "---\ntitle: a\ntitle: b\n---\n",
			warnings: []string{`notes/note.md:3:1: frontmatter key "title" is set more than once; the last value wins`},
			hasFM:    true,
			body:     len("---\ntitle: a\ntitle: b\n---\n"),
		},
		{
			name:     "invalid date",
			text:     "---\ndate: someday\n---\n",
			warnings: []string{`notes/note.md:2:7: frontmatter "date": cannot read "someday" as a date (write it as YYYY-MM-DD or RFC 3339, e.g. 2024-05-01T10:00:00Z)`},
			hasFM:    true,
			body:     len("---\ndate: someday\n---\n"),
		},
		{
			name:     "date that is a list",
			text:     "---\nupdated: [1, 2]\n---\n",
			warnings: []string{`notes/note.md:2:10: frontmatter "updated": cannot read a list as a date (write it as YYYY-MM-DD or RFC 3339, e.g. 2024-05-01T10:00:00Z)`},
			hasFM:    true,
			body:     len("---\nupdated: [1, 2]\n---\n"),
		},
		{name: "empty frontmatter", text: "---\n---\nbody", body: 8},
		{name: "comment only frontmatter", text: "---\n# nothing\n---\n", body: 18},
		{name: "dots close frontmatter", text: "---\na: 1\n...\nbody", hasFM: true, body: 13},
		{name: "fence needs its own line", text: "--- \na: 1\n---  \n", hasFM: true, body: 16},
		{name: "no frontmatter after a blank line", text: "\n---\na: 1\n---\n", body: 0},
		{name: "thematic break is not frontmatter", text: "text\n---\n", body: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseNote(t, tt.text)
			var got []string
			for _, w := range doc.Warnings {
				got = append(got, w.String())
			}
			if diff := cmp.Diff(tt.warnings, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if (doc.Frontmatter != nil) != tt.hasFM {
				t.Errorf("frontmatter = %v, want present = %v", doc.Frontmatter, tt.hasFM)
			}
			if doc.Body != tt.body {
				t.Errorf("Body = %d, want %d", doc.Body, tt.body)
			}
			if diff := cmp.Diff(tt.tags, doc.Tags); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDates(t *testing.T) {
	birth := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name, text       string
		info             FileInfo
		created, updated time.Time
	}{
		{"file times", "x", FileInfo{ModTime: testModTime, Birth: birth}, birth, testModTime},
		{"no birth time", "x", FileInfo{ModTime: testModTime}, testModTime, testModTime},
		{"created and updated", "---\ncreated: 2023-01-02\nupdated: 2023-03-04\n---\n", FileInfo{ModTime: testModTime}, day(2023, 1, 2), day(2023, 3, 4)},
		{"date is creation", "---\ndate: 2023-07-10\n---\n", FileInfo{ModTime: testModTime}, day(2023, 7, 10), testModTime},
		{"created wins over date", "---\ndate: 2023-07-10\ncreated: 2022-01-01\n---\n", FileInfo{ModTime: testModTime}, day(2022, 1, 1), testModTime},
		{"modified", "---\nmodified: 2023-05-06\n---\n", FileInfo{ModTime: testModTime}, testModTime, day(2023, 5, 6)},
		{"hugo lastmod", "---\ndate: 2023-01-01\nlastmod: 2024-02-02\n---\n", FileInfo{ModTime: testModTime}, day(2023, 1, 1), day(2024, 2, 2)},
		{"minutes", "---\ncreated: 2023-01-02 15:04\n---\n", FileInfo{}, time.Date(2023, 1, 2, 15, 4, 0, 0, time.UTC), time.Time{}},
		{"no zone", "---\ncreated: 2023-01-02T15:04:05\n---\n", FileInfo{}, time.Date(2023, 1, 2, 15, 4, 5, 0, time.UTC), time.Time{}},
		{"quoted rfc3339", "---\ncreated: '2023-01-02T15:04:05Z'\n---\n", FileInfo{}, time.Date(2023, 1, 2, 15, 4, 5, 0, time.UTC), time.Time{}},
		{"slashes", "---\ncreated: 2023/01/02\n---\n", FileInfo{}, day(2023, 1, 2), time.Time{}},
		{"words", "---\ncreated: January 2, 2023\n---\n", FileInfo{}, day(2023, 1, 2), time.Time{}},
		{"invalid falls back", "---\ncreated: 2023-02-30\n---\n", FileInfo{ModTime: testModTime}, testModTime, testModTime},
		{"null ignored", "---\ncreated:\n---\n", FileInfo{ModTime: testModTime}, testModTime, testModTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.info.Path = "n.md"
			doc, err := Parse(tt.info, []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if !doc.Created.Equal(tt.created) || !doc.Updated.Equal(tt.updated) {
				t.Errorf("created, updated = %v, %v; want %v, %v", doc.Created, doc.Updated, tt.created, tt.updated)
			}
		})
	}
}

func TestTextProperties(t *testing.T) {
	tests := []struct {
		name, text         string
		words, lines, body int
	}{
		{"empty", "", 0, 0, 0},
		{"no final newline", "one two", 2, 1, 0},
		{"final newline", "one\ntwo\n", 2, 2, 0},
		{"blank lines", "\n\n\n", 0, 3, 0},
		{"crlf", "a b\r\nc\r\n", 3, 2, 0},
		{"frontmatter words not counted", "---\ntitle: many words here\n---\nbody text", 2, 4, 31},
		{"bom", "\ufeff# Title\nword", 2, 2, 3},
		{"cjk", "日本語のテキスト", 8, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseNote(t, tt.text)
			if doc.Words != tt.words || doc.Lines != tt.lines || doc.Body != tt.body {
				t.Errorf("words, lines, body = %d, %d, %d; want %d, %d, %d", doc.Words, doc.Lines, doc.Body, tt.words, tt.lines, tt.body)
			}
			if doc.Size != int64(len(tt.text)) {
				t.Errorf("size = %d, want %d", doc.Size, len(tt.text))
			}
		})
	}
	doc := parseNote(t, "abc")
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; doc.Hash != want {
		t.Errorf("hash = %s, want %s", doc.Hash, want)
	}
}

func TestCRLFAndBOM(t *testing.T) {
	text := "\ufeff---\r\ntitle: Win\r\ntags: [a]\r\n---\r\n# Head\r\n[[Link]] #tag\r\n```\r\n#no\r\n```\r\n"
	doc := parseNote(t, text)
	if doc.Title != "Win" || doc.Warnings != nil {
		t.Errorf("title = %q, warnings = %v", doc.Title, doc.Warnings)
	}
	if diff := cmp.Diff([]string{"a", "tag"}, doc.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Link{{Kind: LinkWiki, Target: "Link", Line: 6}}, doc.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Heading{{Level: 1, Text: "Head", Anchor: "head", Line: 5}}, doc.Headings); diff != "" {
		t.Errorf("headings (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(text[doc.Body:], "# Head") {
		t.Errorf("body starts at %d: %q", doc.Body, text[doc.Body:])
	}
}

func TestInvalidUTF8(t *testing.T) {
	text := "---\ntitle: caf\xe9\n---\nline two\nbad \xff here #t\xe9g [[No\xffte]]\n"
	doc := parseNote(t, text)
	var got []string
	for _, w := range doc.Warnings {
		got = append(got, w.String())
	}
	want := []string{"notes/note.md:2:11: invalid UTF-8 (byte 0xE9 at offset 14); invalid bytes are read as U+FFFD"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if doc.Title != "caf\uFFFD" {
		t.Errorf("title = %q", doc.Title)
	}
	if diff := cmp.Diff([]string{"t"}, doc.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Link{{Kind: LinkWiki, Target: "No\uFFFDte", Line: 5}}, doc.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

func TestBinary(t *testing.T) {
	tests := []struct {
		name    string
		content []byte
		binary  bool
		reason  string
	}{
		{"text", []byte("hello\nworld\n"), false, ""},
		{"empty", nil, false, ""},
		{"nul", []byte("abc\x00def"), true, "contains NUL byte at offset 3"},
		{"nul after 8 KiB is not looked at", append([]byte(strings.Repeat("a", 8192)), 0), false, ""},
		{"latin-1 text", []byte("caf\xe9 cr\xe8me br\xfbl\xe9e is a dessert"), false, ""},
		{"mostly invalid", []byte(strings.Repeat("\xff\xfe\x80", 10)), true, "30 of the first 30 bytes are invalid UTF-8 or control characters"},
		{"control bytes", []byte(strings.Repeat("\x01\x02a", 10)), true, "20 of the first 30 bytes are invalid UTF-8 or control characters"},
		{"escape codes are text", []byte("\x1b[1mbold\x1b[0m\ttab\r\n"), false, ""},
		{"character cut by the 8 KiB window", append([]byte(strings.Repeat("a", 8191)), "日本"...), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			binary, reason := IsBinary(tt.content)
			if binary != tt.binary || reason != tt.reason {
				t.Errorf("IsBinary = %v, %q; want %v, %q", binary, reason, tt.binary, tt.reason)
			}
			_, err := Parse(FileInfo{Path: "f.md"}, tt.content)
			if got := errors.Is(err, errs.ErrBinary); got != tt.binary {
				t.Errorf("Parse error = %v; want ErrBinary: %v", err, tt.binary)
			}
			if tt.binary && !strings.Contains(err.Error(), "f.md") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	tests := map[string]string{
		"a.md": "markdown", "b.MARKDOWN": "markdown", "c.mdx": "markdown",
		"main.go": "go", "x.py": "python", "app.jsx": "javascript", "mod.mjs": "javascript",
		"t.ts": "typescript", "c.tsx": "typescript", "lib.rs": "rust", "A.java": "java",
		"x.c": "c", "x.h": "c", "x.cpp": "cpp", "x.hpp": "cpp", "run.sh": "shell", "x.bash": "shell",
		"d.json": "json", "c.yaml": "yaml", "c.yml": "yaml", "Cargo.toml": "toml", "i.html": "html",
		"s.css": "css", "q.sql": "sql", "notes.txt": "text", "unknown.xyz": "text", "noext": "text",
		"Makefile": "make", "sub/Dockerfile": "dockerfile", "Dockerfile.dev": "dockerfile",
		"dir.d/file": "text", `win\path\x.go`: "go",
	}
	for path, want := range tests {
		if got := Language(path); got != want {
			t.Errorf("Language(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestIsMarkdown(t *testing.T) {
	for path, want := range map[string]bool{
		"a.md": true, "A.MD": true, "b.markdown": true, "c.mdx": true,
		"d.txt": false, "md": false, "e.md.bak": false, "dir.md/f.go": false,
	} {
		if got := IsMarkdown(path); got != want {
			t.Errorf("IsMarkdown(%q) = %v, want %v", path, got, want)
		}
	}
}
