package engine_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/engine/blevepeer"
	"github.com/kotadb/kotadb/bench/engine/fts5"
	"github.com/kotadb/kotadb/bench/engine/kotadbeng"
)

// engineMakers are the engines the conformance test checks.
var engineMakers = []func() engine.Engine{
	func() engine.Engine { return kotadbeng.New() },
	func() engine.Engine { return fts5.NewBM25() },
	func() engine.Engine { return fts5.NewTrigram() },
	func() engine.Engine { return blevepeer.New() },
}

// vocab has no English stop words (Bleve's default analyzer drops them) and
// no word is a substring of another's tokenization.
var vocab = strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu")

// model is a tiny in-memory search engine the engines are checked against.
type model struct {
	paths  []string
	tokens [][]string // lower-cased body tokens per doc
}

func newModel(rng *rand.Rand, dir string, n int) (*model, []corpus.File, error) {
	m := &model{}
	var files []corpus.File
	seps := []string{" ", " ", " ", ", ", ". ", "\n", " - "}
	for i := range n {
		rel := fmt.Sprintf("dir%d/doc%d.md", i%4, i)
		var b strings.Builder
		var toks []string
		for j := range 5 + rng.IntN(40) {
			w := vocab[rng.IntN(len(vocab))]
			toks = append(toks, w)
			if rng.IntN(5) == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			if j > 0 {
				b.WriteString(seps[rng.IntN(len(seps))])
			}
			b.WriteString(w)
		}
		abs := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, nil, err
		}
		if err := os.WriteFile(abs, []byte(b.String()), 0o644); err != nil {
			return nil, nil, err
		}
		m.paths = append(m.paths, rel)
		m.tokens = append(m.tokens, toks)
		files = append(files, corpus.File{Rel: rel, Abs: abs, Size: int64(b.Len())})
	}
	return m, files, nil
}

func (m *model) count(match func(doc int) bool) int {
	n := 0
	for i := range m.paths {
		if match(i) {
			n++
		}
	}
	return n
}

func (m *model) hasToken(doc int, pred func(string) bool) bool {
	for _, t := range m.tokens[doc] {
		if pred(t) {
			return true
		}
	}
	return false
}

func (m *model) hasSequence(doc int, seq []string) bool {
	toks := m.tokens[doc]
	for i := 0; i+len(seq) <= len(toks); i++ {
		if equalFold(toks[i:i+len(seq)], seq) {
			return true
		}
	}
	return false
}

func equalFold(a, b []string) bool {
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// pathTokens are the words of a test path as the peers tokenize it.
func pathTokens(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '.' })
}

// levenshtein is the plain edit distance (Bleve's fuzzy matching).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// osaDistance is the edit distance with adjacent transpositions counted as
// one edit (optimal string alignment), as kotadb's typo tolerance counts.
func osaDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// kotadbTypo is kotadb's answer to a plain word: the documents with the
// word when there are any, else (typo tolerance) the documents with a word
// within 1 edit (words of 5 to 8 letters) or 2 (9 and more), every edit
// counting one, the first letter's too (index/search/fuzzy.go).
func (m *model) kotadbTypo(w string) int {
	if n := m.count(func(d int) bool { return m.hasToken(d, func(t string) bool { return t == w }) }); n > 0 {
		return n
	}
	maxDist := 0
	switch {
	case len(w) >= 9:
		maxDist = 2
	case len(w) >= 5:
		maxDist = 1
	}
	if maxDist == 0 {
		return 0
	}
	return m.count(func(d int) bool {
		return m.hasToken(d, func(t string) bool {
			return osaDistance(t, w) <= maxDist
		})
	})
}

// expected is the model's answer for q as class c on engine name.
func (m *model) expected(name string, c corpus.Class, q string) int {
	words := strings.Fields(strings.ToLower(q))
	switch c {
	case corpus.ClassWord, engine.ClassPhraseAnd, corpus.ClassNL, corpus.ClassAbsent:
		return m.count(func(d int) bool {
			for _, w := range words {
				if !m.hasToken(d, func(t string) bool { return t == w }) {
					return false
				}
			}
			return true
		})
	case corpus.ClassField:
		if name == "kotadb" {
			return 0 // kotadb matches frontmatter fields; the test notes have none
		}
		return m.count(func(d int) bool { return m.hasSequence(d, strings.Fields(engine.FieldWords(words[0]))) })
	case corpus.ClassTitle:
		if name == "kotadb" {
			return 0 // kotadb searches the title field; titles are "docN"
		}
		return m.count(func(d int) bool { return m.hasSequence(d, words) })
	case corpus.ClassPhrase:
		return m.count(func(d int) bool { return m.hasSequence(d, words) })
	case corpus.ClassTag:
		if name == "kotadb" {
			return 0 // kotadb matches real tags; the test notes have none
		}
		return m.count(func(d int) bool { return m.hasSequence(d, strings.Split(strings.TrimPrefix(words[0], "#"), "/")) })
	case corpus.ClassPath:
		return m.count(func(d int) bool { return strings.HasPrefix(m.paths[d], q) })
	case corpus.ClassIdent, corpus.ClassSubstr:
		return m.count(func(d int) bool { return m.hasToken(d, func(t string) bool { return strings.Contains(t, words[0]) }) })
	case corpus.ClassTypo:
		if name == "kotadb" {
			return m.kotadbTypo(words[0])
		}
		maxDist := 0 // exact on engines without fuzzy matching
		if name == "bleve" || name == "kotadb" {
			maxDist = 2
		}
		near := func(t string) bool { return levenshtein(t, words[0]) <= maxDist }
		return m.count(func(d int) bool {
			// The peers index the path too ("dir1/doc7.md": dir1, doc7,
			// md), and "mie" is within 2 edits of "md".
			return m.hasToken(d, near) || name != "kotadb" && slices.ContainsFunc(pathTokens(m.paths[d]), near)
		})
	}
	return -1
}

// randomQuery draws a query of class c that the model can answer.
func (m *model) randomQuery(rng *rand.Rand, c corpus.Class) string {
	doc := m.tokens[rng.IntN(len(m.tokens))]
	word := func() string { return vocab[rng.IntN(len(vocab))] }
	switch c {
	case corpus.ClassWord:
		return word()
	case engine.ClassPhraseAnd, corpus.ClassNL:
		q := word() + " " + word()
		if rng.IntN(2) == 0 {
			q += " " + word()
		}
		return q
	case corpus.ClassPhrase, corpus.ClassTitle:
		i := rng.IntN(len(doc) - 1)
		return doc[i] + " " + doc[i+1]
	case corpus.ClassTag:
		i := rng.IntN(len(doc) - 1)
		return "#" + doc[i] + "/" + doc[i+1]
	case corpus.ClassField:
		i := rng.IntN(len(doc) - 1)
		return doc[i] + ":" + doc[i+1]
	case corpus.ClassPath:
		return fmt.Sprintf("dir%d/", rng.IntN(5))
	case corpus.ClassIdent, corpus.ClassSubstr:
		w := word()
		i := rng.IntN(len(w) - 2)
		return w[i : i+3+rng.IntN(len(w)-i-2)]
	case corpus.ClassTypo:
		w := []byte(word())
		switch rng.IntN(3) {
		case 0: // drop a letter
			i := rng.IntN(len(w))
			w = append(w[:i], w[i+1:]...)
		case 1: // double a letter
			i := rng.IntN(len(w))
			w = append(w[:i+1], w[i:]...)
		default: // swap two letters
			i := rng.IntN(len(w) - 1)
			w[i], w[i+1] = w[i+1], w[i]
		}
		return string(w)
	case corpus.ClassAbsent:
		return "quaternion"
	}
	return word()
}

var classes = []corpus.Class{
	corpus.ClassWord, engine.ClassPhraseAnd, corpus.ClassPhrase, corpus.ClassNL,
	corpus.ClassIdent, corpus.ClassSubstr, corpus.ClassTypo, corpus.ClassTag,
	corpus.ClassPath, corpus.ClassField, corpus.ClassTitle, corpus.ClassAbsent,
}

// TestConformance builds every engine over a random corpus, reopens it and
// checks hit counts against the model for random queries of every class
// the engine answers.
func TestConformance(t *testing.T) {
	for seed := range uint64(3) {
		rng := rand.New(rand.NewPCG(seed, 11))
		data := t.TempDir()
		m, files, err := newModel(rng, data, 60)
		if err != nil {
			t.Fatal(err)
		}
		for _, mk := range engineMakers {
			e := mk()
			t.Run(fmt.Sprintf("%s/seed%d", e.Name(), seed), func(t *testing.T) { conform(t, e, m, files, rng) })
		}
	}
}

func conform(t *testing.T, e engine.Engine, m *model, files []corpus.File, rng *rand.Rand) {
	dir := t.TempDir()
	if err := e.Build(dir, files); err != nil {
		e.Close()
		if strings.Contains(err.Error(), "-tags sqlite_fts5") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := e.DiskBytes(dir); err != nil || n <= 0 {
		t.Fatalf("DiskBytes = %d, %v", n, err)
	}
	if _, err := e.Query(corpus.ClassWord, "alpha"); err == nil {
		t.Error("Query on a closed engine succeeded")
	}
	if err := e.Open(dir); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	}()
	answered, nonzero := 0, 0
	for _, c := range classes {
		if e.Mode(c) == "" {
			_, err := e.Query(c, "alpha")
			var unsupported *engine.UnsupportedError
			if !errors.As(err, &unsupported) {
				t.Errorf("%s query on an engine without that mode: error %v, want UnsupportedError", c, err)
			}
			continue
		}
		answered++
		for range 15 {
			q := m.randomQuery(rng, c)
			want := m.expected(e.Name(), c, q)
			got, err := e.Count(c, q)
			if err != nil {
				t.Fatalf("Count(%s, %q): %v", c, q, err)
			}
			if want > 0 {
				nonzero++
			}
			if got != want {
				t.Errorf("Count(%s, %q) = %d, model says %d", c, q, got, want)
			}
			returned, err := e.Query(c, q)
			if err != nil {
				t.Fatalf("Query(%s, %q): %v", c, q, err)
			}
			if returned != min(want, engine.TopK) {
				t.Errorf("Query(%s, %q) returned %d, want %d", c, q, returned, min(want, engine.TopK))
			}
		}
	}
	if answered == 0 || nonzero < answered*5 {
		t.Errorf("%d classes answered, %d queries with hits: the test corpus is too sparse to check anything", answered, nonzero)
	}
}

func TestOpenMissing(t *testing.T) {
	for _, mk := range engineMakers {
		e := mk()
		if err := e.Open(filepath.Join(t.TempDir(), "nothing")); err == nil {
			e.Close()
			t.Errorf("%s: Open of a folder without an index succeeded", e.Name())
		}
	}
}
