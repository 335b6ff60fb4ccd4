package parse

import (
	"strings"
	"testing"
)

// TestAdversarialInputs parses inputs built to defeat a naive scanner:
// searches that restart at every '[' or '`', anchors made unique one
// counter at a time, alias bombs. Each must parse to a sane result; a
// quadratic regression shows up as this test running for minutes.
func TestAdversarialInputs(t *testing.T) {
	const n = 50_000
	tests := []struct {
		name, text string
		check      func(t *testing.T, doc *Document)
	}{
		{"open brackets", strings.Repeat("[ ", n), nil},
		{"open wikilinks", strings.Repeat("[[", n), nil},
		{"unclosed destinations", strings.Repeat("[a](x", n), nil},
		{"nested parentheses", "[a](" + strings.Repeat("(", n), nil},
		{"backtick runs", strings.Repeat("` `` ", n), nil},
		{"open code spans across lines", strings.Repeat("``x\n", n) + strings.Repeat("`x\n", n), nil},
		{"html openers", strings.Repeat("<a ", n) + strings.Repeat("<!-- ", n), nil},
		{"hashes", strings.Repeat("#", n) + strings.Repeat(" #a", n), func(t *testing.T, doc *Document) {
			if len(doc.Tags) != 1 || doc.Tags[0] != "a" {
				t.Errorf("tags = %v", doc.Tags)
			}
		}},
		{"equal headings", strings.Repeat("# a\n", n), func(t *testing.T, doc *Document) {
			seen := map[string]bool{}
			for _, h := range doc.Headings {
				if seen[h.Anchor] {
					t.Fatalf("anchor %q repeated", h.Anchor)
				}
				seen[h.Anchor] = true
			}
			if len(doc.Headings) != n || doc.Headings[n-1].Anchor != "a-49999" {
				t.Errorf("%d headings, last anchor %q", len(doc.Headings), doc.Headings[len(doc.Headings)-1].Anchor)
			}
		}},
		{"long heading", "# " + strings.Repeat("[ ` ", n), nil},
		{"long setext heading", strings.Repeat("a [ ` ", n) + "\n===", func(t *testing.T, doc *Document) {
			if len(doc.Headings) != 1 || len(doc.Headings[0].Text) > maxHeadingText {
				t.Errorf("heading text of %d bytes", len(doc.Headings[0].Text))
			}
		}},
		{"deep quotes", strings.Repeat(">", n), nil},
		{"many references", strings.Repeat("[a]: b.md\n", n) + strings.Repeat("[a] ", n), func(t *testing.T, doc *Document) {
			if len(doc.Links) != n {
				t.Errorf("%d links, want %d", len(doc.Links), n)
			}
		}},
		{"many duplicate keys", "---\n" + strings.Repeat("a: {b: c}\n", n/10) + "---\n", func(t *testing.T, doc *Document) {
			if len(doc.Warnings) != maxWarnings || !strings.HasSuffix(doc.Warnings[maxWarnings-1].Message, "(and 4899 more warnings not shown)") {
				t.Errorf("%d warnings, last %v", len(doc.Warnings), doc.Warnings[len(doc.Warnings)-1])
			}
		}},
		{"alias bomb", "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
			"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n" +
			"tags: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n---\n", func(t *testing.T, doc *Document) {
			if doc.Frontmatter != nil || doc.Tags != nil || len(doc.Warnings) != 1 ||
				!strings.Contains(doc.Warnings[0].Message, "expands to more than") {
				t.Errorf("frontmatter %d keys, %d tags, warnings %v", len(doc.Frontmatter), len(doc.Tags), doc.Warnings)
			}
		}},
		{"merge bomb", "---\na: &a {}\nb: &b {<<: [*a,*a,*a,*a,*a,*a,*a,*a,*a]}\nc: &c {<<: [*b,*b,*b,*b,*b,*b,*b,*b,*b]}\n" +
			"d: &d {<<: [*c,*c,*c,*c,*c,*c,*c,*c,*c]}\ne: &e {<<: [*d,*d,*d,*d,*d,*d,*d,*d,*d]}\nf: &f {<<: [*e,*e,*e,*e,*e,*e,*e,*e,*e]}\n" +
			"g: &g {<<: [*f,*f,*f,*f,*f,*f,*f,*f,*f]}\nh: {<<: [*g,*g,*g,*g,*g,*g,*g,*g,*g]}\n---\n", func(t *testing.T, doc *Document) {
			if doc.Frontmatter != nil || len(doc.Warnings) != 1 {
				t.Errorf("frontmatter %d keys, warnings %v", len(doc.Frontmatter), doc.Warnings)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseNote(t, tt.text)
			checkFuzzInvariants(t, doc)
			if tt.check != nil {
				tt.check(t, doc)
			}
		})
	}
}
