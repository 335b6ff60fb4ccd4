package search

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/analysis"
	"github.com/kotadb/kotadb/internal/testcorpus"
)

// corpusLimit bounds how many files of each corpus the oracle tests index:
// the oracle re-tokenizes every document for every query.
var corpusLimit = map[string]int{"dwarves-brain": 0, "opentelemetry-docs": 700}

func TestCorpusAgainstOracle(t *testing.T) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		t.Run(name, func(t *testing.T) {
			limit := corpusLimit[name]
			if raceEnabled {
				limit = 200
			}
			docs := loadCorpus(t, name, limit)
			rng := rand.New(rand.NewPCG(7, uint64(len(docs))))
			texts := newTextStore()
			idx, mfs := memIndex(t, Options{MergeFactor: 3, MaxExpansions: 1 << 20, TextSource: texts.source})
			s := &scenario{t: t, rng: rng, idx: idx, o: newOracle(), live: map[string]*index.Doc{}, texts: texts}
			// Index the corpus in batches, flushing each: several segments.
			for i := 0; i < len(docs); i += 150 {
				batch := docs[i:min(i+150, len(docs))]
				var changes []index.Change
				for _, d := range batch {
					s.seq++
					changes = append(changes, index.Change{Seq: s.seq, Key: d.Key, Doc: d})
					s.live[d.Key] = d
					s.keys = append(s.keys, d.Key)
				}
				texts.record(changes)
				mustApply(t, idx, changes)
				s.o.apply(changes)
				if err := idx.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			s.queries(12)
			// Edits: rewrite some documents with another document's text,
			// delete others.
			var changes []index.Change
			for i := 0; i < 60; i++ {
				k := s.keys[rng.IntN(len(s.keys))]
				s.seq++
				if rng.IntN(3) == 0 {
					changes = append(changes, index.Change{Seq: s.seq, Key: k, Delete: true})
					delete(s.live, k)
					continue
				}
				src := docs[rng.IntN(len(docs))]
				d := *src
				d.Key, d.Path = k, strings.TrimPrefix(k, name+"/")
				s.live[k] = &d
				changes = append(changes, index.Change{Seq: s.seq, Key: k, Doc: &d})
			}
			texts.record(changes)
			mustApply(t, idx, changes)
			s.o.apply(changes)
			s.queries(12)
			for {
				did, err := idx.mergeOnce()
				if err != nil {
					t.Fatal(err)
				}
				if !did {
					break
				}
			}
			s.queries(12)
			mustCheck(t, idx)
			if err := idx.Close(); err != nil {
				t.Fatal(err)
			}
			idx2, err := Open(mfs, "/idx", idx.opts)
			if err != nil {
				t.Fatal(err)
			}
			s.idx = idx2
			s.queries(12)
			mustCheck(t, idx2)
			if err := idx2.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// corpusQuery is one line of a corpus's queries.tsv.
type corpusQuery struct {
	class, query, note string
	df, dfPhrase       int
}

func loadQueries(t testing.TB, name string) []corpusQuery {
	f, err := os.Open(filepath.Join(testcorpus.Dir(t, name), "..", "queries.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusQuery
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 || cols[0] == "class" {
			continue
		}
		q := corpusQuery{class: cols[0], query: cols[1]}
		q.df, _ = strconv.Atoi(cols[2])
		q.dfPhrase, _ = strconv.Atoi(cols[3])
		if len(cols) > 4 {
			q.note = cols[4]
		}
		out = append(out, q)
	}
	return out
}

// corpusIndex indexes a whole corpus into one segment.
func corpusIndex(t testing.TB, name string) (*Index, []*index.Doc) {
	docs := loadCorpus(t, name, 0)
	byKey := map[string][]byte{}
	for _, d := range docs {
		byKey[d.Key] = d.Text
	}
	idx, _ := memIndex(t, Options{TextSource: func(key string, seq uint64) ([]byte, error) {
		if b, ok := byKey[key]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("no text for %s", key)
	}})
	mustApply(t, idx, puts(1, docs...))
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	return idx, docs
}

// TestCorpusTypos: each misspelling of the corpora's query sets finds the
// documents of the intended word, says so, and ranks them first.
func TestCorpusTypos(t *testing.T) {
	if raceEnabled {
		t.Skip("indexes whole corpora: run without -race")
	}
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		t.Run(name, func(t *testing.T) {
			idx, _ := corpusIndex(t, name)
			defer idx.Close()
			for _, q := range loadQueries(t, name) {
				if q.class != "typo" {
					continue
				}
				res := mustSearch(t, idx, Term{Text: q.query}, SearchOptions{Limit: 10, Snippets: true})
				intended := mustSearch(t, idx, Term{Text: q.note, Exact: true}, SearchOptions{Limit: 1})
				if res.Total < intended.Total*9/10 || res.Total == 0 {
					t.Errorf("%q: %d hits, the intended word %q has %d", q.query, res.Total, q.note, intended.Total)
				}
				if analysis.Stem(q.query) == analysis.Stem(q.note) {
					// The misspelling shares the intended word's stem
					// (kubernets, kubernetes → kubernet): stemming finds it.
					continue
				}
				found := false
				for _, c := range res.Corrections {
					found = found || slices.Contains(c.To, q.note)
				}
				if !found {
					t.Errorf("%q: corrections %v do not include %q", q.query, res.Corrections, q.note)
				}
				if len(res.Hits) > 0 && len(res.Hits[0].Corrected) == 0 {
					t.Errorf("%q: top hit %s does not say which correction it matched", q.query, res.Hits[0].Key)
				}
				exact := mustSearch(t, idx, Term{Text: q.query}, SearchOptions{Exact: true})
				if exact.Total != 0 {
					t.Errorf("%q with Exact: %d hits, want 0", q.query, exact.Total)
				}
			}
			mustCheck(t, idx)
		})
	}
}

// TestCorpusQueryClasses runs the word, ident, substr (CJK) and phrase
// queries of the corpora and checks the hit counts against the document
// frequencies the corpus lists (counted by scanning the files, so with
// other tokenization rules: the counts must be close, not equal).
func TestCorpusQueryClasses(t *testing.T) {
	if raceEnabled {
		t.Skip("indexes whole corpora: run without -race")
	}
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		t.Run(name, func(t *testing.T) {
			idx, _ := corpusIndex(t, name)
			defer idx.Close()
			for _, q := range loadQueries(t, name) {
				var query Query
				want := q.df
				switch q.class {
				case "word", "substr", "absent":
					query = Term{Text: q.query, Exact: true}
				case "ident":
					query, want = Term{Text: q.query, Exact: true}, q.dfPhrase
				case "phrase":
					query, want = Phrase{Terms: strings.Fields(q.query)}, q.dfPhrase
				default:
					continue
				}
				res := mustSearch(t, idx, query, SearchOptions{Exact: true, Snippets: true, Limit: 3})
				// The engine must find at least what a case-insensitive
				// whole-word scan finds; it finds more through stemming,
				// identifier parts and titles/paths.
				if res.Total < want*9/10 || (want == 0 && q.class == "absent" && res.Total != 0) {
					t.Errorf("%s %q: %d hits, corpus lists %d", q.class, q.query, res.Total, want)
				}
				highlighted := len(res.Hits) == 0
				for _, h := range res.Hits {
					highlighted = highlighted || (h.Snippet != nil && len(h.Snippet.Highlights) > 0)
				}
				if !highlighted {
					t.Errorf("%s %q: no hit has a highlighted snippet", q.class, q.query)
				}
			}
		})
	}
}
