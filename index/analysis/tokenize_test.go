package analysis

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kotadb/kotadb/internal/testcorpus"
)

// render writes tokens as "term@pos" (with ":kind" for compounds and CJK),
// which keeps the table readable.
func render(toks []Token) string {
	var b strings.Builder
	for i, tok := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s@%d", tok.Term, tok.Pos)
		if tok.Kind == Compound || tok.Kind == CJK {
			fmt.Fprintf(&b, ":%s", tok.Kind)
		}
	}
	return b.String()
}

func TestTokens(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"punctuation only", " ,.;-- _ ", ""},
		{"words", "Hello, World!", "hello@0 world@1"},
		{"snake case", "set maintenance_work_mem now", "set@0 maintenance_work_mem@1:compound maintenance@1 work@2 mem@3 now@4"},
		{"camel case", "useState()", "usestate@0:compound use@0 state@1"},
		{"acronym run", "HTTPServer", "httpserver@0:compound http@0 server@1"},
		{"screaming snake", "OTEL_EXPORTER_OTLP_ENDPOINT", "otel_exporter_otlp_endpoint@0:compound otel@0 exporter@1 otlp@2 endpoint@3"},
		{"dotted", "fs.readFile(x)", "fs.readfile@0:compound fs@0 read@1 file@2 x@3"},
		{"kebab", "zero-code instrumentation", "zero-code@0:compound zero@0 code@1 instrumentation@2"},
		{"sentence dot is not a connector", "end. Next", "end@0 next@1"},
		{"trailing connector", "foo_ bar- baz.", "foo@0 bar@1 baz@2"},
		{"double connector splits", "a__b", "a@0 b@1"},
		{"digits stay with letters", "k8s utf8 v2Api", "k8s@0 utf8@1 v2api@2:compound v2@2 api@3"},
		{"version number", "v1.2.3", "v1.2.3@0:compound v1@0 2@1 3@2"},
		{"diacritics folded", "Café INSTRUMENTACIÓN Ærø", "cafe@0 instrumentacion@1 ærø@2"},
		{"decomposed accent", "cafe\u0301", "cafe@0"},
		{"greek and cyrillic", "Ωμέγα Привет", "ωμεγα@0 привет@1"},
		{"cjk bigrams", "可观测性", "可观@0:cjk 观测@1:cjk 测性@2:cjk"},
		{"katakana with long mark", "トレース", "トレ@0:cjk レー@1:cjk ース@2:cjk"},
		{"lone cjk", "a 字 b", "a@0 字@1:cjk b@2"},
		{"cjk next to latin", "OpenTelemetryの可観測性", "opentelemetry@0:compound open@0 telemetry@1 の可@2:cjk 可観@3:cjk 観測@4:cjk 測性@5:cjk"},
		{"dakuten kept", "デ テ", "デ@0:cjk テ@1:cjk"},
		{"apostrophe splits", "don't", "don@0 t@1"},
		{"devanagari marks kept", "नमस्ते", "नमस्ते@0"},
		{"too long term dropped but position kept", strings.Repeat("x", MaxTermLen+1) + " y", "y@1"},
		{"invalid utf8", "a\xffb", "a@0 b@1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(Tokens(tt.in)); got != tt.want {
				t.Errorf("Tokens(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokenOffsetsAndWords(t *testing.T) {
	in := "see maintenance_work_mem 可观测"
	toks := Tokens(in)
	wantWords := []int{0, 1, 1, 1, 1, 2, 2}
	if len(toks) != len(wantWords) {
		t.Fatalf("got %d tokens: %s", len(toks), render(toks))
	}
	for i, tok := range toks {
		if tok.Word != wantWords[i] {
			t.Errorf("token %d %q: word %d, want %d", i, tok.Term, tok.Word, wantWords[i])
		}
		if src := in[tok.Start:tok.End]; Fold(src) != string(tok.Term) {
			t.Errorf("token %d: source %q folds to %q, term is %q", i, src, Fold(src), tok.Term)
		}
	}
}

func TestResetAtGap(t *testing.T) {
	var tk Tokenizer
	tk.ResetAt([]byte("a b"), 100)
	var pos []int
	for tk.Next() {
		pos = append(pos, tk.Token().Pos)
	}
	if fmt.Sprint(pos) != "[100 101]" || tk.Pos() != 102 {
		t.Fatalf("positions %v, next %d", pos, tk.Pos())
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"ÀÉÎÕÜ çñ": "aeiou cn",
		"Straße":   "straße",
		"ĞŞİ":      "gsi",
		"Việt":     "viet",
		"ΆΈΉ":      "αεη",
		"ABC":      "abc",
		"日本":       "日本",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"running", "run"},
		{"collectors", "collector"},
		{"consistency", "consist"},
		{"practices", "practic"},
		{"go", "go"},
		{"k8s", "k8s"},
		{"maintenance_work_mem", "maintenance_work_mem"},
		{"instrumentación", "instrumentación"},
	}
	var s Stemmer
	for _, tt := range tests {
		if got := s.Stem([]byte(tt.in)); got != tt.want {
			t.Errorf("Stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := s.Stem([]byte(tt.in)); got != tt.want {
			t.Errorf("cached Stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokenizerDoesNotAllocate(t *testing.T) {
	text := []byte(strings.Repeat("The quick brown fox uses maintenance_work_mem and useState; café 可观测性. ", 50))
	var tk Tokenizer
	run := func() {
		tk.Reset(text)
		for tk.Next() {
		}
	}
	run() // grow the reusable buffers
	if allocs := testing.AllocsPerRun(20, run); allocs != 0 {
		t.Fatalf("tokenizing allocates %.1f times per run, want 0", allocs)
	}
}

// checkTokens verifies the invariants every tokenization must keep.
func checkTokens(t *testing.T, in []byte) {
	var tk Tokenizer
	tk.Reset(in)
	lastPos, lastWord := -1, -1
	for tk.Next() {
		tok := tk.Token()
		if len(tok.Term) == 0 || len(tok.Term) > MaxTermLen {
			t.Fatalf("term length %d out of range: %q", len(tok.Term), tok.Term)
		}
		if tok.Start < 0 || tok.Start >= tok.End || tok.End > len(in) {
			t.Fatalf("bad span [%d,%d) for input of %d bytes", tok.Start, tok.End, len(in))
		}
		if tok.Pos < lastPos {
			t.Fatalf("position went back: %d after %d", tok.Pos, lastPos)
		}
		if tok.Word < lastWord {
			t.Fatalf("word index went back: %d after %d", tok.Word, lastWord)
		}
		if got := string(AppendFold(nil, in[tok.Start:tok.End])); got != string(tok.Term) {
			t.Fatalf("term %q is not the fold of its source %q (%q)", tok.Term, in[tok.Start:tok.End], got)
		}
		if utf8.Valid(in) && !utf8.Valid(tok.Term) {
			t.Fatalf("invalid UTF-8 term %q from valid input", tok.Term)
		}
		lastPos, lastWord = tok.Pos, tok.Word
	}
	if tk.Pos() < lastPos+1 && lastPos >= 0 {
		t.Fatalf("next position %d not after last %d", tk.Pos(), lastPos)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		"maintenance_work_mem useState HTTPServer",
		"可观测性 トレース 한국어",
		"a.b-c_d e. f- _g",
		"cafe\u0301 \u0301x",
		"\xff\xfe a\x00b",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkTokens(t, in)
	})
}

func BenchmarkTokenize(b *testing.B) {
	text := []byte(strings.Repeat("The OpenTelemetry Collector exports metrics via OTEL_EXPORTER_OTLP_ENDPOINT; see fs.readFile and useState. Café. ", 80))
	var tk Tokenizer
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		tk.Reset(text)
		for tk.Next() {
		}
	}
}

// BenchmarkTokenizeCorpus tokenizes every markdown file of a test corpus.
func BenchmarkTokenizeCorpus(b *testing.B) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		b.Run(name, func(b *testing.B) {
			var texts [][]byte
			size := 0
			err := filepath.WalkDir(testcorpus.Dir(b, name), func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
					return err
				}
				t, err := os.ReadFile(p)
				texts = append(texts, t)
				size += len(t)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			var tk Tokenizer
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, t := range texts {
					tk.Reset(t)
					for tk.Next() {
					}
				}
			}
		})
	}
}
