package search

import (
	"bytes"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/analysis"
)

// The oracle answers queries by brute force over the live documents: it
// tokenizes every document, evaluates the query plan on each and computes
// BM25F from raw counts. It shares only the analyzer and the AST-to-plan
// lowering with the engine; postings, segments, tombstones, merges,
// document frequencies and scoring are all recomputed here.

type oracle struct {
	docs map[string]*odoc
}

type odoc struct {
	doc    *index.Doc
	fields [numTextFields][]otok
	tf     [numTextFields]map[string]int // term frequencies per field
}

type otok struct {
	term string
	pos  int
}

func newOracle() *oracle { return &oracle{docs: map[string]*odoc{}} }

func (o *oracle) apply(changes []index.Change) {
	for _, c := range changes {
		delete(o.docs, c.Key)
		if !c.Delete {
			d := *c.Doc
			d.Seq = c.Seq
			o.docs[c.Key] = analyzeForOracle(&d)
		}
	}
}

func analyzeForOracle(d *index.Doc) *odoc {
	od := &odoc{doc: d}
	var tk analysis.Tokenizer
	fieldValues(d, func(field int, text []byte, startPos int) int {
		tk.ResetAt(text, startPos)
		for tk.Next() {
			t := tk.Token()
			od.fields[field] = append(od.fields[field], otok{string(t.Term), t.Pos})
			if od.tf[field] == nil {
				od.tf[field] = map[string]int{}
			}
			od.tf[field][string(t.Term)]++
		}
		return tk.Pos()
	})
	return od
}

type oracleHit struct {
	key   string
	seq   uint64
	score float64
	exact bool
}

// oracleEval evaluates a compiled plan.
type oracleEval struct {
	o       *oracle
	p       *BM25Params
	n       float64
	avg     [numTextFields]float64
	idfs    map[any]float64
	stemmer analysis.Stemmer
	stems   map[string]string
	vars    map[*pTerm]map[string]pVariant
}

func (o *oracle) search(plan planNode, terms []*pTerm, phrases []*pPhrase, p *BM25Params) (int, []oracleHit) {
	e := &oracleEval{o: o, p: p, idfs: map[any]float64{}, stems: map[string]string{}, vars: map[*pTerm]map[string]pVariant{}}
	e.n = float64(len(o.docs))
	for _, d := range o.docs {
		for f := range numTextFields {
			e.avg[f] += float64(len(d.fields[f]))
		}
	}
	if e.n > 0 {
		for f := range numTextFields {
			e.avg[f] /= e.n
		}
	}
	for _, t := range terms {
		df := 0.0
		for _, d := range o.docs {
			if tf, _ := e.termFreqs(t, d); anyPositive(tf) {
				df++
			}
		}
		e.idfs[t] = math.Log(1 + (e.n-df+0.5)/(df+0.5))
	}
	for _, ph := range phrases {
		sum := 0.0
		for _, w := range ph.terms {
			df := 0.0
			for _, d := range o.docs {
				if tf, _ := e.termFreqs(&pTerm{text: w, mask: ph.mask}, d); anyPositive(tf) {
					df++
				}
			}
			sum += math.Log(1 + (e.n-df+0.5)/(df+0.5))
		}
		e.idfs[ph] = sum
	}
	var hits []oracleHit
	for _, d := range o.docs {
		if ok, exact, score := e.eval(plan, d); ok {
			hits = append(hits, oracleHit{key: d.doc.Key, seq: d.doc.Seq, score: score, exact: exact})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.exact != b.exact {
			return a.exact
		}
		if a.score != b.score {
			return a.score > b.score
		}
		return a.seq > b.seq
	})
	return len(hits), hits
}

func anyPositive(tf [numTextFields]float64) bool {
	for _, v := range tf {
		if v > 0 {
			return true
		}
	}
	return false
}

func (e *oracleEval) stemOf(w string) string {
	st, ok := e.stems[w]
	if !ok {
		st = e.stemmer.Stem([]byte(w))
		e.stems[w] = st
	}
	return st
}

// termFreqs returns a term's weighted frequency per field and whether an
// uncorrected word matched.
func (e *oracleEval) termFreqs(t *pTerm, d *odoc) (tf [numTextFields]float64, exact bool) {
	vars, ok := e.vars[t]
	if !ok {
		// Several variants of one word merge as the engine merges its
		// posting lists: the highest weight, corrected only if all are.
		vars = map[string]pVariant{}
		for _, v := range t.variants {
			if old, ok := vars[v.text]; ok {
				v.weight = max(v.weight, old.weight)
				v.corrected = v.corrected && old.corrected
			}
			vars[v.text] = v
		}
		e.vars[t] = vars
	}
	for f := range numTextFields {
		if t.mask&(1<<f) == 0 {
			continue
		}
		for term, n := range d.tf[f] {
			w, corrected, hit := 0.0, true, false
			if t.text != "" {
				if (t.useStem && e.stemOf(term) == t.stem) || (!t.useStem && term == t.text) {
					w, corrected, hit = 1, false, true
				}
			}
			if v, ok := vars[term]; ok {
				w = max(w, v.weight)
				corrected = corrected && v.corrected
				hit = true
			}
			if hit {
				tf[f] += w * float64(n)
				exact = exact || !corrected
			}
		}
	}
	return tf, exact
}

func (e *oracleEval) bm25f(d *odoc, idf float64, tf [numTextFields]float64) float64 {
	tfn := 0.0
	for f := range numTextFields {
		if tf[f] == 0 {
			continue
		}
		b := 1.0
		if e.avg[f] > 0 {
			b = 1 - e.p.B[f] + e.p.B[f]*float64(len(d.fields[f]))/e.avg[f]
		}
		tfn += e.p.Weights[f] * tf[f] / b
	}
	return idf * tfn / (e.p.K1 + tfn)
}

func (e *oracleEval) eval(n planNode, d *odoc) (bool, bool, float64) {
	switch n := n.(type) {
	case *pTerm:
		tf, exact := e.termFreqs(n, d)
		if !anyPositive(tf) {
			return false, false, 0
		}
		return true, exact, e.bm25f(d, e.idfs[n], tf)
	case *pPhrase:
		var tf [numTextFields]float64
		for f := range numTextFields {
			if n.mask&(1<<f) == 0 || d.tf[f][n.terms[0]] == 0 {
				continue
			}
			at := map[int]map[string]bool{}
			for _, tok := range d.fields[f] {
				if at[tok.pos] == nil {
					at[tok.pos] = map[string]bool{}
				}
				at[tok.pos][tok.term] = true
			}
			for _, tok := range d.fields[f] {
				if tok.term != n.terms[0] {
					continue
				}
				ok := true
				for i := 1; i < len(n.terms); i++ {
					if !at[tok.pos+n.offs[i]][n.terms[i]] {
						ok = false
						break
					}
				}
				if ok {
					tf[f]++
				}
			}
		}
		if !anyPositive(tf) {
			return false, false, 0
		}
		return true, true, e.bm25f(d, e.idfs[n], tf)
	case *pAnd:
		score, exact := 0.0, true
		for _, k := range n.pos {
			ok, ex, s := e.eval(k, d)
			if !ok {
				return false, false, 0
			}
			score += s
			exact = exact && ex
		}
		for _, k := range n.neg {
			if ok, _, _ := e.eval(k, d); ok {
				return false, false, 0
			}
		}
		return true, exact, score
	case *pOr:
		matched, exact, score := false, false, 0.0
		for _, k := range n.kids {
			if ok, ex, s := e.eval(k, d); ok {
				matched, score = true, score+s
				exact = exact || ex
			}
		}
		return matched, exact, score
	case pAll:
		return true, true, 0
	case *pNone:
		return false, false, 0
	case *pKeyword:
		kws, _ := docKeywords(d.doc)
		for _, k := range kws {
			if (n.key != nil && k == string(n.key)) || (n.key == nil && k >= string(n.from) && (n.to == nil || k < string(n.to))) {
				return true, true, 0
			}
		}
		return false, false, 0
	case *pNumeric:
		_, nums := docKeywords(d.doc)
		for _, v := range nums {
			if v.field == n.field && n.contains(v.value) {
				return true, true, 0
			}
		}
		return false, false, 0
	case *pRegex:
		return n.match(d.doc.Text), true, 0
	}
	panic("oracle: unknown plan node")
}

// compareWithOracle runs q on the index and on the oracle (with the same
// typo-tolerance phases) and reports differences.
func compareWithOracle(t *testing.T, idx *Index, o *oracle, q Query, so SearchOptions) {
	t.Helper()
	res := mustSearch(t, idx, q, so)
	snap, err := idx.acquire()
	if err != nil {
		t.Fatal(err)
	}
	snap.rlock()
	pl := &planner{snap: snap, opts: &idx.opts}
	root, err := pl.compile(q, false)
	if err != nil {
		t.Fatal(err)
	}
	total, hits := o.search(root, pl.terms, pl.phrases, idx.opts.BM25)
	limit := so.Limit
	if limit <= 0 {
		limit = 10
	}
	if !so.Exact && total < so.Offset+limit && pl.misspelledIn(o) {
		pl2 := &planner{snap: snap, opts: &idx.opts, corrections: true}
		root2, err := pl2.compile(q, false)
		if err != nil {
			t.Fatal(err)
		}
		corrected := false
		for _, tm := range pl2.terms {
			corrected = corrected || tm.corrected
		}
		if corrected {
			total, hits = o.search(root2, pl2.terms, pl2.phrases, idx.opts.BM25)
		}
	}
	snap.runlock()
	idx.releaseSnapshot(snap)

	desc := describeQuery(q)
	if res.Total != total {
		t.Fatalf("%s: total %d, oracle %d", desc, res.Total, total)
	}
	if so.Offset < len(hits) {
		hits = hits[so.Offset:]
	} else {
		hits = nil
	}
	if len(hits) > limit {
		hits = hits[:limit]
	}
	if len(res.Hits) != len(hits) {
		t.Fatalf("%s: %d hits, oracle %d", desc, len(res.Hits), len(hits))
	}
	for i, h := range res.Hits {
		want := hits[i]
		if h.Exact != want.exact || !closeEnough(h.Score, want.score) {
			t.Fatalf("%s: hit %d is %s exact=%v score %.12g; oracle %s exact=%v score %.12g",
				desc, i, h.Key, h.Exact, h.Score, want.key, want.exact, want.score)
		}
		if h.Key != want.key && !tiedAt(hits, i) {
			t.Fatalf("%s: hit %d is %s (%.12g), oracle %s (%.12g)", desc, i, h.Key, h.Score, want.key, want.score)
		}
	}
}

func closeEnough(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

// tiedAt reports whether the oracle's hit i has a neighbour with the same
// score (so rounding may order them differently).
func tiedAt(hits []oracleHit, i int) bool {
	for j := max(0, i-3); j < min(len(hits), i+4); j++ {
		if j != i && closeEnough(hits[j].score, hits[i].score) && hits[j].exact == hits[i].exact {
			return true
		}
	}
	return false
}

func describeQuery(q Query) string {
	var b bytes.Buffer
	var walk func(q Query)
	walk = func(q Query) {
		switch q := q.(type) {
		case And:
			b.WriteString("And{")
			for i, c := range q {
				if i > 0 {
					b.WriteString(", ")
				}
				walk(c)
			}
			b.WriteString("}")
		case Or:
			b.WriteString("Or{")
			for i, c := range q {
				if i > 0 {
					b.WriteString(", ")
				}
				walk(c)
			}
			b.WriteString("}")
		case Not:
			b.WriteString("Not{")
			walk(q.Query)
			b.WriteString("}")
		case Phrase:
			b.WriteString(`Phrase{` + q.Field + `:"` + strings.Join(q.Terms, " ") + `"}`)
		default:
			b.WriteString(strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(sprintAny(q)), "search."), "\n", " "))
		}
	}
	walk(q)
	return b.String()
}

// misspelledIn is planner.misspelled with the oracle's document counts.
func (p *planner) misspelledIn(o *oracle) bool {
	e := &oracleEval{o: o, stems: map[string]string{}, vars: map[*pTerm]map[string]pVariant{}}
	for _, t := range p.terms {
		if t.correctable == 0 {
			continue
		}
		found := false
		for _, d := range o.docs {
			if tf, _ := e.termFreqs(t, d); anyPositive(tf) {
				found = true
				break
			}
		}
		if !found {
			return true
		}
	}
	return false
}
