package search

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/kotadb/kotadb/index"
)

func sprintAny(v any) string { return fmt.Sprintf("%#v", v) }

// queryGen draws random queries from the words of live documents.
type queryGen struct {
	rng  *rand.Rand
	docs func() []*index.Doc
}

// words returns the words (as written) of a random passage of a doc.
func (g *queryGen) passage() []string {
	docs := g.docs()
	if len(docs) == 0 {
		return []string{"nothing"}
	}
	d := docs[g.rng.IntN(len(docs))]
	text := string(d.Text[min(d.BodyStart, len(d.Text)):])
	if g.rng.IntN(4) == 0 {
		text = d.Title
	}
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`,;:!?()[]{}"'*#|<>=/\`+"`", r)
	})
	if len(fields) == 0 {
		return []string{"empty"}
	}
	i := g.rng.IntN(len(fields))
	return fields[i:min(len(fields), i+1+g.rng.IntN(3))]
}

func (g *queryGen) word() string { return g.passage()[0] }

var fieldChoices = []string{"", "", "", "title", "headings", "body", "path"}

func (g *queryGen) leaf() Query {
	switch g.rng.IntN(9) {
	case 0, 1, 2:
		return Term{Text: g.word(), Exact: g.rng.IntN(4) == 0, Field: fieldChoices[g.rng.IntN(len(fieldChoices))]}
	case 3:
		return Phrase{Terms: g.passage()}
	case 4:
		w := []rune(strings.ToLower(g.word()))
		return Prefix{Text: string(w[:min(len(w), 2+g.rng.IntN(3))])}
	case 5:
		docs := g.docs()
		if len(docs) > 0 {
			d := docs[g.rng.IntN(len(docs))]
			if len(d.Tags) > 0 && g.rng.IntN(2) == 0 {
				return KeywordTerm{Field: KeywordTagTree, Value: strings.Split(d.Tags[0], "/")[0]}
			}
			p := d.Path
			if i := strings.LastIndexByte(p, '/'); i > 0 {
				p = p[:i+1]
			}
			return KeywordPrefix{Field: KeywordPath, Prefix: p}
		}
		return All{}
	case 6:
		return Term{Text: strings.Join(g.passage(), " ")}
	case 7:
		if g.rng.IntN(2) == 0 {
			return Substring{Text: strings.Join(g.passage(), " "), CaseInsensitive: g.rng.IntN(2) == 0}
		}
		return Regex{Pattern: regexp.QuoteMeta(g.word()) + `\s+\w`, CaseInsensitive: true}
	}
	return Term{Text: g.word(), Fuzzy: g.rng.IntN(3) == 0}
}

func (g *queryGen) query(depth int) Query {
	if depth <= 0 || g.rng.IntN(3) == 0 {
		return g.leaf()
	}
	n := 2 + g.rng.IntN(2)
	switch g.rng.IntN(4) {
	case 0, 1:
		a := And{}
		for range n {
			a = append(a, g.query(depth-1))
		}
		if g.rng.IntN(2) == 0 {
			a = append(a, Not{g.leaf()})
		}
		return a
	case 2:
		o := Or{}
		for range n {
			o = append(o, g.query(depth-1))
		}
		return o
	}
	return Not{g.leaf()}
}

// synthDoc makes a random document from a small vocabulary (so queries
// hit several documents), with identifiers, CJK and accented words.
func synthDoc(rng *rand.Rand, key string) *index.Doc {
	vocab := []string{"collector", "collectors", "collecting", "exporter", "exporters", "metrics", "trace", "traces",
		"span", "spans", "sampling", "kubernetes", "useState", "maintenance_work_mem", "fs.readFile", "zero-code",
		"可观测性", "トレース", "café", "running", "runs", "data", "database", "the", "of", "and", "a", "HTTPServer",
		"instrumentation", "instrumentación", "pipeline", "pipelines", "goroutine", "WaitGroup", "k8s", "v1.2.3"}
	var b strings.Builder
	lines := 1 + rng.IntN(12)
	for l := range lines {
		if rng.IntN(5) == 0 {
			fmt.Fprintf(&b, "## %s %s\n", vocab[rng.IntN(len(vocab))], vocab[rng.IntN(len(vocab))])
			continue
		}
		words := 1 + rng.IntN(15)
		for w := range words {
			if w > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(vocab[rng.IntN(len(vocab))])
		}
		if l < lines-1 {
			b.WriteString(".\n")
		}
	}
	d := markdownDoc("c", strings.TrimPrefix(key, "c/"), []byte(b.String()))
	d.Title = vocab[rng.IntN(len(vocab))] + " " + vocab[rng.IntN(len(vocab))]
	if rng.IntN(2) == 0 {
		d.Tags = []string{[]string{"project/kota", "project", "eng/go", "misc"}[rng.IntN(4)]}
	}
	d.Fields["priority"] = int64(rng.IntN(5))
	return d
}

// scenario drives an index and an oracle with the same random changes.
type scenario struct {
	t      *testing.T
	rng    *rand.Rand
	idx    *Index
	o      *oracle
	seq    uint64
	live   map[string]*index.Doc
	keys   []string
	makeDc func(key string) *index.Doc
	texts  *textStore
}

func (s *scenario) liveDocs() []*index.Doc {
	out := make([]*index.Doc, 0, len(s.live))
	for _, k := range s.keys {
		if d, ok := s.live[k]; ok {
			out = append(out, d)
		}
	}
	return out
}

// step applies a random batch of puts, updates and deletes.
func (s *scenario) step(n int) {
	var changes []index.Change
	touched := map[string]bool{}
	for range n {
		s.seq++
		var key string
		if len(s.keys) > 0 && s.rng.IntN(3) > 0 {
			key = s.keys[s.rng.IntN(len(s.keys))]
		} else {
			key = fmt.Sprintf("c/doc%04d.md", len(s.keys))
			s.keys = append(s.keys, key)
		}
		if touched[key] {
			s.seq--
			continue
		}
		touched[key] = true
		if _, ok := s.live[key]; ok && s.rng.IntN(4) == 0 {
			changes = append(changes, index.Change{Seq: s.seq, Key: key, Delete: true})
			delete(s.live, key)
			continue
		}
		d := s.makeDc(key)
		s.live[key] = d
		changes = append(changes, index.Change{Seq: s.seq, Key: key, Doc: d})
	}
	s.texts.record(changes)
	mustApply(s.t, s.idx, changes)
	s.o.apply(changes)
}

func (s *scenario) queries(n int) {
	g := &queryGen{rng: s.rng, docs: s.liveDocs}
	for range n {
		q := g.query(2)
		so := SearchOptions{Limit: 1 + s.rng.IntN(15), Exact: s.rng.IntN(3) > 0}
		if s.rng.IntN(4) == 0 {
			so.Offset = s.rng.IntN(5)
		}
		compareWithOracle(s.t, s.idx, s.o, q, so)
	}
}

func TestRandomAgainstOracle(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			texts := newTextStore()
			idx, mfs := memIndex(t, Options{MergeFactor: 3, MaxExpansions: 1 << 20, TextSource: texts.source})
			s := &scenario{t: t, rng: rng, idx: idx, o: newOracle(), live: map[string]*index.Doc{}, texts: texts,
				makeDc: func(key string) *index.Doc { return synthDoc(rng, key) }}
			for round := range 8 {
				s.step(5 + rng.IntN(30))
				s.queries(15)
				switch round % 4 {
				case 1:
					if err := idx.Flush(); err != nil {
						t.Fatal(err)
					}
				case 2:
					for {
						did, err := idx.mergeOnce()
						if err != nil {
							t.Fatal(err)
						}
						if !did {
							break
						}
					}
				case 3:
					if err := idx.Close(); err != nil {
						t.Fatal(err)
					}
					var err error
					if idx, err = Open(mfs, "/idx", idx.opts); err != nil {
						t.Fatal(err)
					}
					s.idx = idx
				}
				s.queries(15)
				mustCheck(t, idx)
			}
			if err := idx.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestManyDocsAgainstOracle: units of more docs than collectTerm's window
// (several windows, dead docs in each) answer single terms, prefixes and
// corrections like the oracle.
func TestManyDocsAgainstOracle(t *testing.T) {
	n := 3*termWindow + 123
	if raceEnabled {
		n = termWindow + 77
	}
	s := flushedScenario(t, n, rand.New(rand.NewPCG(9, 9)))
	idx := s.idx
	defer idx.Close()
	s.step(200) // updates and deletes across the windows, in the head
	queries := []Query{
		Term{Text: "collector"}, Term{Text: "traces", Exact: true}, Term{Text: "kubernetes", Field: "title"},
		Term{Text: "the"}, Prefix{Text: "pip"}, Prefix{Text: "c"}, Term{Text: "colector"}, Term{Text: "pipelnes", Fuzzy: true},
		Term{Text: "instrumentacion"}, Term{Text: "spans", Field: "headings"},
	}
	for _, q := range queries {
		for _, so := range []SearchOptions{{Limit: 10}, {Limit: 3, Offset: 7}, {Limit: 25, Exact: true}} {
			compareWithOracle(t, idx, s.o, q, so)
		}
	}
	mustCheck(t, idx)
}

// flushedScenario is a scenario over an index of n synthetic documents
// flushed to one segment, with the oracle holding the same documents.
func flushedScenario(t *testing.T, n int, rng *rand.Rand) *scenario {
	t.Helper()
	texts := newTextStore()
	idx, _ := memIndex(t, Options{MaxExpansions: 1 << 20, TextSource: texts.source})
	s := &scenario{t: t, rng: rng, idx: idx, o: newOracle(), live: map[string]*index.Doc{}, texts: texts,
		makeDc: func(key string) *index.Doc { return synthDoc(rng, key) }}
	var changes []index.Change
	for i := range n {
		s.seq++
		key := fmt.Sprintf("c/doc%05d.md", i)
		s.keys = append(s.keys, key)
		d := synthDoc(rng, key)
		s.live[key] = d
		changes = append(changes, index.Change{Seq: s.seq, Key: key, Doc: d})
	}
	texts.record(changes)
	mustApply(t, idx, changes)
	s.o.apply(changes)
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	return s
}
