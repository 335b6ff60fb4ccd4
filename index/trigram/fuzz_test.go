package trigram

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/kotadb/kotadb/errs"
)

// fuzzSections are valid sections the FuzzOpen seeds are made from.
func fuzzSections(t testing.TB) [][]byte {
	var out [][]byte
	for _, docs := range [][]string{
		{},
		{"hello world"},
		{"abc", "", "abcabc", "トレース", "\xff\xfe"},
		{"Kelvin \u212a", "straße STRASSE", "OTEL_EXPORTER_OTLP_ENDPOINT", "x"},
	} {
		b := NewBuilder()
		for i, d := range docs {
			b.Add(uint32(i*3), []byte(d))
		}
		out = append(out, writeSection(t, b))
	}
	b := NewBuilder()
	for i, d := range goldenDocs()[:80] {
		b.Add(uint32(i), d)
	}
	return append(out, writeSection(t, b))
}

func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSections(f) {
		f.Add(s)
		f.Add(s[:len(s)/2])
	}
	f.Add([]byte{})
	f.Add([]byte("KTRI"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rng := rand.New(rand.NewPCG(uint64(len(data)), 1))
		for _, section := range [][]byte{data, fixChecksum(slices.Clone(data))} {
			r, err := Open(section)
			if err != nil {
				if !errors.Is(err, errs.ErrCorrupt) && !errors.Is(err, errs.ErrFormatVersion) {
					t.Fatalf("Open: %v is neither corruption nor a format version", err)
				}
				continue
			}
			checkReaderConsistent(t, r, rng)
			r.Candidates(PlanSubstring("abc"))
			r.Candidates(allQuery)
		}
	})
}

// FuzzPlanRegexp: planning never panics, malformed expressions get a
// column inside them, and the plan never excludes a text the regexp
// matches; MatchLines agrees with the regexp on the text.
func FuzzPlanRegexp(f *testing.F) {
	for _, s := range fuzzRegexpSeeds {
		f.Add(s.expr, s.ci, s.text)
	}
	f.Fuzz(func(t *testing.T, expr string, ci bool, text string) {
		if len(expr) > 300 || len(text) > 3000 {
			return // long inputs only slow the fuzzer down
		}
		q, re, err := PlanRegexp(expr, ci)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("PlanRegexp(%q) error %v is not a *SyntaxError", expr, err)
			}
			if se.Column < 1 || se.Column > len(expr)+1 {
				t.Fatalf("PlanRegexp(%q): column %d outside the expression", expr, se.Column)
			}
			return
		}
		if re.MatchString(text) && !satisfies(q, docTrigrams([]byte(text))) {
			t.Fatalf("plan %s of %q excludes %q, which matches", q, expr, text)
		}
		b := NewBuilder()
		b.Add(7, []byte(text))
		if re.MatchString(text) && !b.Candidates(q).Contains(7) {
			t.Fatalf("Builder drops the matching document for %q", expr)
		}
		if diff := cmp.Diff(bruteLines(re, []byte(text), 3), MatchLines(re, []byte(text), 3)); diff != "" {
			t.Fatalf("MatchLines(%q, %q) (-regexp +got):\n%s", expr, text, diff)
		}
		if m, w := MatchRegexp(re, []byte(text)), re.MatchString(text); m != w {
			t.Fatalf("MatchRegexp(%q, %q) = %v, regexp says %v", expr, text, m, w)
		}
	})
}

// FuzzFindSubstring: FindSubstring agrees with the (?i) regexp of the
// quoted pattern on any text, and never panics.
func FuzzFindSubstring(f *testing.F) {
	for _, s := range fuzzSubstringSeeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, text, pat string) {
		got := FindSubstring([]byte(text), pat, 0)
		if pat == "" || !utf8.ValidString(pat) {
			return // regexp cannot express these; only the absence of panics is checked
		}
		want := bruteLines(substringRegexp(pat), []byte(text), 0)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("FindSubstring(%q, %q) (-regexp +got):\n%s", text, pat, diff)
		}
		if c := ContainsSubstring([]byte(text), pat); c != (len(want) > 0) {
			t.Fatalf("ContainsSubstring(%q, %q) = %v, regexp found %d matches", text, pat, c, len(want))
		}
		if len(want) > 0 && !satisfies(PlanSubstring(pat), docTrigrams([]byte(text))) {
			t.Fatalf("PlanSubstring(%q) excludes %q", pat, text)
		}
	})
}

var fuzzRegexpSeeds = []struct {
	expr string
	ci   bool
	text string
}{
	{`OTEL_\w+_ENDPOINT`, false, "export OTEL_EXPORTER_OTLP_ENDPOINT=x"},
	{`(?i)xreadgroup`, false, "XREADGROUP GROUP g c"},
	{`トレー?ス`, true, "見る トレース"},
	{`^\s*func \w+\(`, false, "x\n  func main() {"},
	{`(abc|x.*)de`, true, "xyzde"},
	{`a(b|c)*d$`, false, "abcbd"},
	{`[Kk]elvin`, true, "\u212aELVIN"},
	{`(a)b)`, false, ""},
	{`x{2,1}`, false, ""},
	{`\p{Greek}+`, false, "ΑΒΓ"},
	{`(?s)a.b`, false, "a\nb"},
	{`\Aab|cd\z`, false, "ab\ncd"},
	{`[^\x00-\x{10FFFF}]`, false, "a"},
	{`\x{FFFD}`, false, "\xff"},
}

var fuzzSubstringSeeds = [][2]string{
	{"Hello HELLO hello", "hello"},
	{"273 \u212aelvin", "kelvin"},
	{"STRAẞE strasse", "straße"},
	{"ΟΔΟΣ οδος", "οδοσ"},
	{"a\xffb", "a\ufffdb"},
	{"トレース\nトレース", "トレース"},
	{"aaaa", "aa"},
	{"x_y_z_OTEL_A", "otel_a"},
}

// TestWriteFuzzSeeds writes the seed corpus under testdata/fuzz when run
// with -update (after a format change); otherwise it checks it is there.
func TestWriteFuzzSeeds(t *testing.T) {
	seeds := map[string][]string{}
	for i, s := range fuzzSections(t) {
		seeds["FuzzOpen"] = append(seeds["FuzzOpen"], fuzzFile(s))
		seeds["FuzzOpen"] = append(seeds["FuzzOpen"], fuzzFile(s[:len(s)*2/3]))
		damaged := slices.Clone(s)
		damaged[len(damaged)-1-i%len(damaged)] ^= 0x55
		seeds["FuzzOpen"] = append(seeds["FuzzOpen"], fuzzFile(fixChecksum(damaged)))
	}
	for _, s := range fuzzRegexpSeeds {
		seeds["FuzzPlanRegexp"] = append(seeds["FuzzPlanRegexp"], fuzzFile(s.expr, s.ci, s.text))
	}
	for _, s := range fuzzSubstringSeeds {
		seeds["FuzzFindSubstring"] = append(seeds["FuzzFindSubstring"], fuzzFile(s[0], s[1]))
	}
	for target, files := range seeds {
		dir := filepath.Join("testdata", "fuzz", target)
		if !*update {
			entries, err := os.ReadDir(dir)
			if err != nil || len(entries) < len(files) {
				t.Errorf("%s: %d seed files, want %d (run with -update): %v", dir, len(entries), len(files), err)
			}
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, content := range files {
			name := filepath.Join(dir, fmt.Sprintf("seed%02d", i))
			if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fuzzFile renders values in the "go test fuzz v1" corpus file format.
func fuzzFile(vals ...any) string {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, v := range vals {
		switch v := v.(type) {
		case []byte:
			b.WriteString("[]byte(" + strconv.Quote(string(v)) + ")\n")
		case string:
			b.WriteString("string(" + strconv.Quote(v) + ")\n")
		case bool:
			b.WriteString("bool(" + strconv.FormatBool(v) + ")\n")
		}
	}
	return b.String()
}
