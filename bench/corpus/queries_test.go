package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const header = "class\tquery\tdf_all_terms\tdf_phrase\tnote\n"

func TestParseQueries(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Query
		wantErr string // substring of the error; "" for success
	}{
		{
			name: "typical",
			in:   header + "word\tconsistency\t46\t46\t\nphrase\tbest practices\t44\t36\t\ntypo\tconcurency\t0\t0\tconcurrency\n",
			want: []Query{
				{Class: ClassWord, Text: "consistency", DFAllTerms: 46, DFPhrase: 46, Line: 2},
				{Class: ClassPhrase, Text: "best practices", DFAllTerms: 44, DFPhrase: 36, Line: 3},
				{Class: ClassTypo, Text: "concurency", DFAllTerms: 0, DFPhrase: 0, Note: "concurrency", Line: 4},
			},
		},
		{
			name: "crlf, blank lines and empty df cells",
			in:   "class\tquery\tdf_all_terms\tdf_phrase\tnote\r\n\r\nsubstr\tトレース\t\t\t\r\n",
			want: []Query{{Class: ClassSubstr, Text: "トレース", DFAllTerms: -1, DFPhrase: -1, Line: 3}},
		},
		{name: "header only", in: header, want: nil},
		{name: "empty file", in: "", wantErr: "q.tsv:1:1: empty file"},
		{name: "wrong header", in: "class\tquery\tdf\tdf_phrase\tnote\n", wantErr: `q.tsv:1:13: header column 3 is "df"`},
		{name: "short header", in: "class\tquery\n", wantErr: "q.tsv:1:1: header has 2 columns, want 5"},
		{name: "too few columns", in: header + "word\tx\t1\t1\n", wantErr: "q.tsv:2:1: 4 tab-separated columns, want 5"},
		{name: "unknown class", in: header + "regex\tx.*\t1\t1\t\n", wantErr: `q.tsv:2:1: unknown query class "regex"`},
		{name: "empty query", in: header + "word\t \t1\t1\t\n", wantErr: "q.tsv:2:6: empty query"},
		{name: "df not a number", in: header + "word\tdata\tmany\t1\t\n", wantErr: `q.tsv:2:11: df_all_terms: "many" is not an integer`},
		{name: "negative df", in: header + "word\tdata\t3\t-1\t\n", wantErr: "q.tsv:2:13: df_phrase: -1 is negative"},
		{name: "invalid utf-8", in: header + "word\t\xff\t1\t1\t\n", wantErr: "q.tsv:2:1: line is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQueries(strings.NewReader(tt.in), "q.tsv")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("queries (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSharedCorpora parses the real corpora and checks their queries.txt
// agrees with queries.tsv line by line.
func TestSharedCorpora(t *testing.T) {
	shared, ok := FindShared()
	if !ok {
		t.Skip("shared corpus folder ../shared/corpus (next to the repository) is absent")
	}
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(shared, name)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("corpus %s is absent: %v", dir, err)
			}
			c, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Files) < 800 || len(c.Queries) < 50 {
				t.Errorf("%d files, %d queries: want the full corpus", len(c.Files), len(c.Queries))
			}
			txt, err := os.ReadFile(filepath.Join(dir, "queries.txt"))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(txt)), "\n")
			if len(lines) != len(c.Queries) {
				t.Fatalf("queries.txt has %d lines, queries.tsv %d queries", len(lines), len(c.Queries))
			}
			for i, q := range c.Queries {
				if q.Text != lines[i] {
					t.Errorf("query %d: tsv %q, txt %q", i+1, q.Text, lines[i])
				}
			}
			if c.FirstQuery != c.Queries[0].Text {
				t.Errorf("FirstQuery = %q, want %q", c.FirstQuery, c.Queries[0].Text)
			}
		})
	}
}

func FuzzParseQueries(f *testing.F) {
	f.Add(header + "word\tdata\t295\t295\t\n")
	f.Add(header + "typo\tkuberentes\t0\t0\tkubernetes\n\n")
	f.Add("class\tquery\tdf_all_terms\tdf_phrase\tnote\r\nsubstr\t可观测性\t54\t54\t\r\n")
	f.Add(header + "word\tx\t-3\t\t\n")
	f.Fuzz(func(t *testing.T, in string) {
		qs, err := ParseQueries(strings.NewReader(in), "fuzz.tsv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.tsv:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		for _, q := range qs {
			if !knownClass(q.Class) || strings.TrimSpace(q.Text) == "" || q.DFAllTerms < -1 || q.DFPhrase < -1 || q.Line < 2 {
				t.Fatalf("accepted an invalid query: %+v", q)
			}
		}
	})
}
