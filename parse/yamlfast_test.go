package parse

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v4"
)

// Random frontmatter is built from ordinary pieces (words, numbers, dates,
// quoted strings, non-ASCII text) salted with tricky ones (every YAML
// indicator, odd spacing, characters YAML treats specially), so that the
// generated lines sit on both sides of what fastYAML accepts.
var (
	plainPieces = []string{
		"a", "title", "Tags", "key with spaces", "x1", "é", "日本", "😀", "C#", "a:b", "http://x.org/a#b",
		"1", "-5", "+3", "0x1F", "0o17", "017", "1_000", "3.14", ".5", "1e3", "-.inf", ".nan", "-0", "99999999999999999999",
		"true", "False", "yes", "null", "~", "NULL", "<<",
		"2024-05-01", "2024-1-2", "2024-02-30", "2024-05-01T10:00:00Z", "2024-05-01 10:00:00", "2024-05-01 10:00",
		"'q t'", "'it''s'", "\"d q\"", "[a, b]", "[]", "[ 'x' , y ]",
	}
	trickyPieces = []string{
		":", ": ", " :", "#", " #", "# c", "-", "- ", "?", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">",
		"'", "''", "\"", "%", "@", "`", "\\", " ", "  ", "[[Note]]", "\t", "\u00a0", "\u2028", "\ufeff", "\x85", "\r",
	}
)

func randomYAML(rng *rand.Rand) string {
	piece := func() string {
		if rng.IntN(8) == 0 {
			return trickyPieces[rng.IntN(len(trickyPieces))]
		}
		return plainPieces[rng.IntN(len(plainPieces))]
	}
	var b strings.Builder
	for range 1 + rng.IntN(6) {
		switch rng.IntN(10) {
		case 0:
			b.WriteString("# " + piece())
		case 1:
			b.WriteString("")
		case 2, 3: // key: followed by a block list
			b.WriteString(piece() + ":\n")
			indent := strings.Repeat(" ", rng.IntN(3))
			for range 1 + rng.IntN(3) {
				b.WriteString(indent + "-" + strings.Repeat(" ", rng.IntN(3)) + piece() + "\n")
			}
			continue
		case 4: // flow list
			b.WriteString(piece() + ": [" + piece() + ", " + piece() + "]")
		default:
			b.WriteString(piece() + ":" + strings.Repeat(" ", rng.IntN(3)) + piece())
			for rng.IntN(3) == 0 {
				b.WriteString(piece())
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestFastYAMLMatchesGoYAML compares fastYAML with go-yaml, the model it
// imitates, on random frontmatter: whatever fastYAML accepts, go-yaml must
// parse to the same tree. It also requires fastYAML to accept a good share,
// or the comparison would prove little.
func TestFastYAMLMatchesGoYAML(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	accepted := 0
	const runs = 30000
	for range runs {
		text := randomYAML(rng)
		fast, ok := fastYAML([]byte(text))
		if !ok {
			continue
		}
		accepted++
		var slow yaml.Node
		if err := yaml.Load([]byte(text), &slow); err != nil {
			t.Fatalf("fastYAML accepted %q, go-yaml rejects it: %v", text, err)
		}
		if diff := cmp.Diff(nodeShape(&slow), nodeShape(fast)); diff != "" {
			t.Fatalf("fastYAML differs from go-yaml on %q (-go-yaml +fast):\n%s", text, diff)
		}
	}
	t.Logf("fastYAML accepted %d of %d random documents", accepted, runs)
	if accepted < runs/10 {
		t.Errorf("fastYAML accepted only %d of %d random documents", accepted, runs)
	}
}

func TestFastYAMLDeclines(t *testing.T) {
	for _, text := range []string{
		"a: b # comment\n",    // comments after values
		"a:\n  nested: 1\n",   // nested mappings
		"a: |\n  literal\n",   // block scalars
		"a: b\n  continued\n", // multi-line plain scalars
		"a: \"esc\\n\"\n",     // escapes
		"a: [x, [y]]\n",       // nested flow
		"a: {b: c}\n",         // flow mappings
		"a: &x 1\nb: *x\n",    // anchors and aliases
		"a: !!str 1\n",        // explicit tags
		"\ta: 1\n",            // tabs
		"- a\n",               // not a mapping
		"a: b: c\n",           // invalid
		"a: 'unclosed\n",      // invalid
		"--- a\n",             // document markers
		"a:\n  - x\n   - y\n", // uneven list
		"a: 1\n  - x\n",       // list under a value
		"a: x\u2028y\n",       // YAML line separator
		"a: \ufeffb\n",        // byte order mark
		"? a\n: b\n",          // complex keys
		"a: [x, ]\n",          // trailing comma
		"a: [x:y]\n",          // colon in a flow list
		"'quoted key': 1\n",   // quoted keys
		strings.Repeat("k", 1100) + ": long key\n", // over YAML's simple key limit
	} {
		if _, ok := fastYAML([]byte(text)); ok {
			t.Errorf("fastYAML accepted %q, which it must leave to go-yaml", text)
		}
	}
}
