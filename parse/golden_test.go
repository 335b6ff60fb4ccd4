package parse

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kotadb/kotadb/internal/testcorpus"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCorpusFiles are real notes chosen to cover what Parse extracts:
// frontmatter of every shape, nested and comma-separated tags, wikilinks
// with aliases, embeds, relative and reference-style markdown links, heading
// ids, Hugo shortcodes and CJK text.
var goldenCorpusFiles = []struct{ corpus, path string }{
	{"dwarves-brain", "00_fleeting/202211081111 - Error Messaging.md"},                        // nested inline tag, comma tags, image embeds
	{"dwarves-brain", "Zettelkasten/Different kinds of zettelkasten notes.md"},                // wikilinks with aliases
	{"dwarves-brain", "Zettelkasten/How to Take Smart Notes/Make notes in your own words.md"}, // tags as a string
	{"dwarves-brain", "_radar/nextjs.md"},                                                     // tag: key, radar fields
	{"dwarves-brain", "§ Devbox.md"},                                                          // relative links with %20
	{"dwarves-brain", "§ Writing.md"},                                                         // map of content
	{"dwarves-brain", "01_literature/Engineering/Mobile/Swift 5.4 @resultBuilder.md"},         // code fences, embeds
	{"dwarves-brain", "_index.md"},                                                            // home page
	{"opentelemetry-docs", "content/en/_index.md"},                                            // reference links, shortcodes
	{"opentelemetry-docs", "content/en/blog/2023/exponential-histograms.md"},                  // reference links, code
	{"opentelemetry-docs", "content/en/blog/2023/integrations.md"},                            // blog frontmatter
	{"opentelemetry-docs", "content/en/community/end-user/issue-participation.md"},            // folded block scalar
	{"opentelemetry-docs", "content/es/docs/concepts/sampling/index.md"},                      // { #id } heading ids
	{"opentelemetry-docs", "content/ja/community/_index.md"},                                  // Japanese
	{"opentelemetry-docs", "content/zh/community/end-user/_index.md"},                         // Chinese
}

func TestGoldenCorpus(t *testing.T) {
	for _, f := range goldenCorpusFiles {
		t.Run(f.path, func(t *testing.T) {
			dir := testcorpus.Dir(t, f.corpus)
			content, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.path)))
			if err != nil {
				t.Fatalf("corpus file missing (has the corpus changed?): %v", err)
			}
			checkGolden(t, f.corpus+"--"+f.path, parseForGolden(t, f.path, content))
		})
	}
}

func TestGoldenFiles(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "files"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			content, err := os.ReadFile(filepath.Join("testdata", "files", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "files--"+e.Name(), parseForGolden(t, e.Name(), content))
		})
	}
}

// parseForGolden parses with no file times, so that only frontmatter dates
// appear, and renders the Document (or the error) as indented JSON.
func parseForGolden(t *testing.T, path string, content []byte) []byte {
	t.Helper()
	doc, err := Parse(FileInfo{Path: path}, content)
	var v any = doc
	if err != nil {
		v = map[string]string{"error": err.Error()}
	} else {
		checkInvariants(t, content, doc)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("encoding the document as JSON: %v", err)
	}
	return append(out, '\n')
}

var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", unsafeNameChars.ReplaceAllString(name, "_")+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./parse -run Golden -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file (-want +got):\n%s\nrun go test ./parse -run Golden -update if the change is intended",
			path, cmp.Diff(string(want), string(got)))
	}
}
