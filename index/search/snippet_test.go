package search

import (
	"strings"
	"testing"

	"github.com/kotadb/kotadb/index"
)

// TestRegexSnippets: a hit found by a regex or substring clause shows the
// first line the clause matches, with its line number, the heading above
// it and the match highlighted, from the head and from a segment (whose
// text comes from TextSource).
func TestRegexSnippets(t *testing.T) {
	long := strings.Repeat("filler words ", 40) + "the PIN_42 sits far right" + strings.Repeat(" more", 30)
	texts := map[string][]byte{
		"c/conf.md": []byte("---\ntitle: Config\n---\n# Setup\n\nIntro line.\n\n## Environment\n\nSet OTEL_EXPORTER_OTLP_ENDPOINT=http://x\tnow.\nAlso OTEL_SERVICE_NAME.\n"),
		"c/code.md": []byte("# Code\n\n```go\n# not a heading\nfunc useState() {}\n```\nuseEffect too.\n"),
		"c/long.md": []byte("# Long\n\n" + long + "\n"),
		"c/case.md": []byte("# Case\n\nlower needle here\nUpper Needle there\n"),
	}
	idx, _ := memIndex(t, Options{TextSource: func(key string, _ uint64) ([]byte, error) { return texts[key], nil }})
	defer idx.Close()
	var docs []*index.Doc
	for _, k := range []string{"c/conf.md", "c/code.md", "c/long.md", "c/case.md"} {
		d := markdownDoc("c", strings.TrimPrefix(k, "c/"), texts[k])
		d.Key = k
		docs = append(docs, d)
	}
	mustApply(t, idx, puts(1, docs...))
	tests := []struct {
		name    string
		q       Query
		key     string
		line    int
		heading string
		marked  string // the snippet with its highlight in []
	}{
		{"regex", Regex{Pattern: `OTEL_\w+`}, "c/conf.md", 10, "Environment", "Set [OTEL_EXPORTER_OTLP_ENDPOINT]=http://x now."},
		{"regex in a code block", Regex{Pattern: `use[A-Z]\w+\(`}, "c/code.md", 5, "Code", "func [useState(]) {}"},
		{"substring, case-insensitive", Substring{Text: "otel_service", CaseInsensitive: true}, "c/conf.md", 11, "Environment", "Also [OTEL_SERVICE]_NAME."},
		{"substring, case-sensitive", Substring{Text: "Needle"}, "c/case.md", 4, "Case", "Upper [Needle] there"},
		{"substring, case-insensitive, first line", Substring{Text: "needle", CaseInsensitive: true}, "c/case.md", 3, "Case", "lower [needle] here"},
		{"in frontmatter", Regex{Pattern: `title: \w+`}, "c/conf.md", 2, "", "[title: Config]"},
		{"long line cut around the match", Substring{Text: "PIN_42"}, "c/long.md", 3, "Long", ""},
		{"word only in the title", And{Term{Text: "config", Field: "title"}, Substring{Text: "Intro"}}, "c/conf.md", 6, "Setup", "[Intro] line."},
	}
	check := func(t *testing.T) {
		for _, tt := range tests {
			res := mustSearch(t, idx, tt.q, SearchOptions{Snippets: true, Exact: true})
			if len(res.Hits) != 1 || res.Hits[0].Key != tt.key {
				t.Errorf("%s: hits %v, want [%s]", tt.name, hitKeys(res), tt.key)
				continue
			}
			sn := res.Hits[0].Snippet
			if sn == nil {
				t.Errorf("%s: no snippet", tt.name)
				continue
			}
			if sn.Line != tt.line || sn.Heading != tt.heading {
				t.Errorf("%s: snippet at line %d under %q, want line %d under %q", tt.name, sn.Line, sn.Heading, tt.line, tt.heading)
			}
			got := sn.Marked("[", "]")
			if tt.marked != "" && got != tt.marked {
				t.Errorf("%s: snippet %q, want %q", tt.name, got, tt.marked)
			}
			if len(sn.Highlights) != 1 {
				t.Errorf("%s: %d highlights in %q, want 1", tt.name, len(sn.Highlights), got)
			}
			if len(sn.Text) > snippetMaxBytes {
				t.Errorf("%s: snippet of %d bytes, over %d", tt.name, len(sn.Text), snippetMaxBytes)
			}
		}
	}
	t.Run("head", check)
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Run("segment", check)
	res := mustSearch(t, idx, Substring{Text: "PIN_42"}, SearchOptions{Snippets: true})
	if got := res.Hits[0].Snippet.Marked("[", "]"); !strings.Contains(got, "the [PIN_42] sits") || strings.HasPrefix(got, "filler words filler words filler") {
		t.Errorf("long line snippet %q does not start near the match", got)
	}
}

// TestRegexSnippetNegated: a regex under a Not does not pick the snippet.
func TestRegexSnippetNegated(t *testing.T) {
	idx, _ := memIndex(t, Options{})
	defer idx.Close()
	mustApply(t, idx, puts(1, textDoc("c/a.md", "Alpha", "first line\nsecond line\n")))
	res := mustSearch(t, idx, And{Term{Text: "alpha", Field: "title"}, Not{Substring{Text: "zebra"}}}, SearchOptions{Snippets: true})
	if len(res.Hits) != 1 || res.Hits[0].Snippet == nil {
		t.Fatalf("hits %+v", res.Hits)
	}
	if sn := res.Hits[0].Snippet; sn.Line != 1 || len(sn.Highlights) != 0 {
		t.Errorf("snippet %+v, want the body's start without highlights", sn)
	}
}
