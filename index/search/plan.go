package search

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kotadb/kotadb/index/analysis"
	"github.com/kotadb/kotadb/index/trigram"
)

// A plan is a query resolved against a snapshot: text analyzed, prefixes
// and corrections expanded, document frequencies counted. Matchers are
// then built from it for each unit.
type planNode interface{ String() string }

// pTerm is a scoring term: the analyzed word, its stem group and extra
// words (prefix expansions, corrections), in the fields of mask.
type pTerm struct {
	label    string // as written, for explanations
	mask     uint8
	text     string // the analyzed word; "" for a pure prefix
	stem     string // stem group to match when useStem
	stemKey  []byte // stem, for dictionary lookups
	useStem  bool
	selfStem bool // the stem, as a word, belongs to its own group
	variants []pVariant
	// expansions are, per view of the snapshot, the words a prefix
	// expanded to there (in order) with their postings, so that matching
	// need not look them up again.
	expansions []pExpansion
	// perView caches, per view, the posting lists the term matches.
	perView []termLists
	// expansion bookkeeping for Explain and Results
	prefix      bool
	capped      bool
	correctable int // edit distance allowed for typo tolerance (0: none)
	corrected   bool
	df          float64
	idf         float64
}

// pVariant is an extra word a term matches, with its weight.
type pVariant struct {
	text      string
	weight    float64
	corrected bool
	dist      int
}

type pPhrase struct {
	label string
	mask  uint8
	terms []string
	offs  []int // position of each term relative to the first
	dfs   []float64
	idf   float64
}

type pAnd struct {
	pos []planNode
	neg []planNode
}

type pOr struct{ kids []planNode }

type pAll struct{}

type pNone struct{ why string }

type pKeyword struct {
	label    string
	key      []byte // exact key, or nil
	from, to []byte // key range for prefixes
}

type pNumeric struct {
	field            string
	min, max         float64
	minIncl, maxIncl bool
}

// pRegex is a regex or substring clause: trigram candidates, verified on
// the text.
type pRegex struct {
	label string
	tq    *trigram.Query
	match func(text []byte) bool
	// first finds the first match in a text, for snippets.
	first func(text []byte) (trigram.LineMatch, bool)
}

func (t *pTerm) String() string {
	s := t.label
	if t.prefix {
		s += "*"
	}
	return s
}
func (p *pPhrase) String() string { return fmt.Sprintf("%q", p.label) }
func (a *pAnd) String() string {
	parts := make([]string, 0, len(a.pos)+len(a.neg))
	for _, k := range a.pos {
		parts = append(parts, k.String())
	}
	for _, k := range a.neg {
		parts = append(parts, "-"+k.String())
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}
func (o *pOr) String() string {
	parts := make([]string, len(o.kids))
	for i, k := range o.kids {
		parts[i] = k.String()
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}
func (pAll) String() string        { return "*" }
func (n *pNone) String() string    { return "none(" + n.why + ")" }
func (k *pKeyword) String() string { return k.label }
func (n *pNumeric) String() string {
	lo, hi := "[", "]"
	if !n.minIncl {
		lo = "("
	}
	if !n.maxIncl {
		hi = ")"
	}
	return fmt.Sprintf("%s:%s%g,%g%s", n.field, lo, n.min, n.max, hi)
}
func (r *pRegex) String() string { return r.label }

// planner compiles a query AST against a snapshot.
type planner struct {
	snap        *snapshot
	opts        *Options
	corrections bool              // typo tolerance on for eligible terms
	stemmer     *analysis.Stemmer // from stemmerPool, on first use
	terms       []*pTerm          // every scoring term, for df and explanations
	phrases     []*pPhrase
	regexes     []*pRegex // regex and substring clauses not under a Not, for snippets
}

// stemmerPool keeps stemmers (and their caches) across searches.
var stemmerPool = sync.Pool{New: func() any { return new(analysis.Stemmer) }}

func (p *planner) stem(w []byte) string {
	if p.stemmer == nil {
		p.stemmer = stemmerPool.Get().(*analysis.Stemmer)
	}
	return p.stemmer.Stem(w)
}

// release gives the planner's stemmer back to the pool.
func (p *planner) release() {
	if p.stemmer != nil {
		stemmerPool.Put(p.stemmer)
		p.stemmer = nil
	}
}

func (p *planner) compile(q Query, negated bool) (planNode, error) {
	switch q := q.(type) {
	case nil:
		return nil, fmt.Errorf("nil query")
	case Term:
		return p.term(q, negated)
	case *Term:
		return p.compile(*q, negated)
	case Phrase:
		mask, err := fieldMask(q.Field)
		if err != nil {
			return nil, err
		}
		return p.phrase(strings.Join(q.Terms, " "), mask)
	case Prefix:
		return p.prefix(q)
	case And:
		a := &pAnd{}
		for _, c := range q {
			if n, ok := c.(Not); ok {
				k, err := p.compile(n.Query, !negated)
				if err != nil {
					return nil, err
				}
				a.neg = append(a.neg, k)
				continue
			}
			k, err := p.compile(c, negated)
			if err != nil {
				return nil, err
			}
			a.pos = append(a.pos, k)
		}
		if len(a.pos) == 0 && len(a.neg) == 0 {
			return &pNone{"empty AND"}, nil
		}
		return a, nil
	case Or:
		o := &pOr{}
		for _, c := range q {
			k, err := p.compile(c, negated)
			if err != nil {
				return nil, err
			}
			o.kids = append(o.kids, k)
		}
		if len(o.kids) == 0 {
			return &pNone{"empty OR"}, nil
		}
		return o, nil
	case Not:
		k, err := p.compile(q.Query, !negated)
		if err != nil {
			return nil, err
		}
		return &pAnd{pos: []planNode{pAll{}}, neg: []planNode{k}}, nil
	case All:
		return pAll{}, nil
	case KeywordTerm:
		field := strings.ToLower(q.Field)
		key := []byte(kwKey(field, normalizeKeyword(q.Value)))
		return &pKeyword{label: field + ":" + q.Value, key: key}, nil
	case KeywordPrefix:
		field := strings.ToLower(q.Field)
		from := []byte(kwKey(field, strings.ToLower(q.Prefix)))
		return &pKeyword{label: field + ":" + q.Prefix + "*", from: from, to: prefixEnd(from)}, nil
	case NumericRange:
		if math.IsNaN(q.Min) || math.IsNaN(q.Max) {
			return nil, fmt.Errorf("numeric range on %s: NaN bound", q.Field)
		}
		return &pNumeric{field: strings.ToLower(q.Field), min: q.Min, max: q.Max, minIncl: q.MinInclusive, maxIncl: q.MaxInclusive}, nil
	case Regex:
		tq, re, err := trigram.PlanRegexp(q.Pattern, q.CaseInsensitive)
		if err != nil {
			return nil, fmt.Errorf("regex: %w", err)
		}
		r := &pRegex{label: "/" + q.Pattern + "/", tq: tq,
			match: func(text []byte) bool { return trigram.MatchRegexp(re, text) },
			first: func(text []byte) (trigram.LineMatch, bool) { return firstLineMatch(trigram.MatchLines(re, text, 1)) },
		}
		if !negated {
			p.regexes = append(p.regexes, r)
		}
		return r, nil
	case Substring:
		if q.Text == "" {
			return &pNone{"empty substring"}, nil
		}
		// The trigram index is case-insensitive; a case-sensitive substring
		// uses the same candidates and a case-sensitive check.
		exact := []byte(q.Text)
		match := func(text []byte) bool { return bytes.Contains(text, exact) }
		first := func(text []byte) (trigram.LineMatch, bool) { return firstSubstring(text, q.Text) }
		if q.CaseInsensitive {
			sub := trigram.NewSubstring(q.Text)
			match = sub.Contains
			first = func(text []byte) (trigram.LineMatch, bool) { return firstLineMatch(sub.Find(text, 1)) }
		}
		r := &pRegex{label: fmt.Sprintf("substring %q", q.Text), tq: trigram.PlanSubstring(q.Text), match: match, first: first}
		if !negated {
			p.regexes = append(p.regexes, r)
		}
		return r, nil
	}
	return nil, fmt.Errorf("unsupported query node %T", q)
}

func fieldMask(field string) (uint8, error) {
	if field == "" {
		return allFields, nil
	}
	f, ok := textFieldNumber(strings.ToLower(field))
	if !ok {
		return 0, fmt.Errorf("unknown text field %q (want one of %s)", field, strings.Join(TextFields[:], ", "))
	}
	return 1 << f, nil
}

// wordGroups splits analyzed tokens by source word.
func wordGroups(text string) [][]analysis.Token {
	var groups [][]analysis.Token
	last := -1
	for _, tok := range analysis.Tokens(text) {
		if tok.Word != last {
			groups = append(groups, nil)
			last = tok.Word
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], tok)
	}
	return groups
}

func (p *planner) term(q Term, negated bool) (planNode, error) {
	mask, err := fieldMask(q.Field)
	if err != nil {
		return nil, err
	}
	groups := wordGroups(q.Text)
	var nodes []planNode
	for _, g := range groups {
		nodes = append(nodes, p.wordNode(g, q, mask, negated))
	}
	switch len(nodes) {
	case 0:
		return &pNone{fmt.Sprintf("%q has no words", q.Text)}, nil
	case 1:
		return nodes[0], nil
	}
	return &pAnd{pos: nodes}, nil
}

// wordNode compiles one source word of a Term.
func (p *planner) wordNode(g []analysis.Token, q Term, mask uint8, negated bool) planNode {
	if g[0].Kind == analysis.CJK {
		if len(g) == 1 {
			return p.newTerm(string(g[0].Term), string(g[0].Term), mask, false)
		}
		return p.phraseOf(g, mask)
	}
	if g[0].Kind == analysis.Compound {
		parts := g[1:]
		whole := p.newTerm(string(g[0].Term), string(g[0].Term), mask, false)
		return &pOr{kids: []planNode{whole, p.phraseOf(parts, mask)}}
	}
	word := string(g[0].Term)
	t := p.newTerm(word, word, mask, !q.Exact)
	if q.Exact || negated {
		return t
	}
	dist := typoDistance(word)
	if q.Fuzzy {
		dist = max(dist, 1)
	}
	if dist > 0 {
		t.correctable = dist
		if p.corrections || q.Fuzzy {
			p.correct(t)
		}
	}
	return t
}

// misspelled reports whether typo tolerance should run: some correctable
// word matched no live document. Rare words that do exist are not
// corrected (their few hits are what was asked for).
func (p *planner) misspelled() bool {
	for _, t := range p.terms {
		if t.correctable > 0 && t.df == 0 {
			return true
		}
	}
	return false
}

// typoDistance is the number of edits typo tolerance allows for a word:
// 1 from 5 characters, 2 from 9.
func typoDistance(word string) int {
	switch n := utf8.RuneCountInString(word); {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

func (p *planner) newTerm(label, text string, mask uint8, stem bool) *pTerm {
	t := &pTerm{label: label, mask: mask, text: text}
	if stem {
		t.useStem = true
		t.stem = p.stem([]byte(text))
		t.stemKey = []byte(t.stem)
		t.selfStem = p.stem(t.stemKey) == t.stem
	}
	p.terms = append(p.terms, t)
	return t
}

func (p *planner) phrase(text string, mask uint8) (planNode, error) {
	var toks []analysis.Token
	for _, tok := range analysis.Tokens(text) {
		if tok.Kind != analysis.Compound {
			toks = append(toks, tok)
		}
	}
	if len(toks) == 0 {
		return &pNone{fmt.Sprintf("phrase %q has no words", text)}, nil
	}
	if len(toks) == 1 {
		return p.newTerm(string(toks[0].Term), string(toks[0].Term), mask, false), nil
	}
	return p.phraseOf(toks, mask), nil
}

func (p *planner) phraseOf(toks []analysis.Token, mask uint8) *pPhrase {
	ph := &pPhrase{mask: mask}
	var label []string
	for _, t := range toks {
		ph.terms = append(ph.terms, string(t.Term))
		ph.offs = append(ph.offs, t.Pos-toks[0].Pos)
		label = append(label, string(t.Term))
	}
	ph.label = strings.Join(label, " ")
	p.phrases = append(p.phrases, ph)
	return ph
}

// pExpansion is one view's words starting with a prefix, in order, with
// their postings.
type pExpansion struct {
	words []byte // the words, concatenated
	ends  []int  // word i ends at ends[i]
	lists []textList
}

func (x *pExpansion) word(i int) []byte {
	start := 0
	if i > 0 {
		start = x.ends[i-1]
	}
	return x.words[start:x.ends[i]]
}

func (p *planner) prefix(q Prefix) (planNode, error) {
	mask, err := fieldMask(q.Field)
	if err != nil {
		return nil, err
	}
	pre := analysis.Fold(strings.TrimSpace(q.Text))
	if pre == "" {
		return &pNone{"empty prefix"}, nil
	}
	t := &pTerm{label: pre, mask: mask, prefix: true, expansions: make([]pExpansion, len(p.snap.views))}
	// Each view's first MaxExpansions+1 words hold the first MaxExpansions
	// of the union, and tell whether the cap cut it.
	var all [][]byte
	for vi, v := range p.snap.views {
		x := &t.expansions[vi]
		if v.limit == 0 {
			continue
		}
		n := min(p.opts.MaxExpansions+1, 64)
		x.words, x.ends, x.lists = make([]byte, 0, 8*n), make([]int, 0, n), make([]textList, 0, n)
		v.r.prefixText([]byte(pre), func(term []byte, l textList) bool {
			x.words = append(x.words, term...)
			x.ends = append(x.ends, len(x.words))
			x.lists = append(x.lists, l)
			return len(x.lists) <= p.opts.MaxExpansions
		})
		for i := range x.lists {
			all = append(all, x.word(i))
		}
	}
	if len(p.snap.views) > 1 {
		slices.SortFunc(all, bytes.Compare)
		all = slices.CompactFunc(all, bytes.Equal)
	}
	if len(all) > p.opts.MaxExpansions {
		all, t.capped = all[:p.opts.MaxExpansions], true
	}
	// One string holds every word.
	n := 0
	for _, w := range all {
		n += len(w)
	}
	var b strings.Builder
	b.Grow(n)
	for _, w := range all {
		b.Write(w)
	}
	joined := b.String()
	t.variants = make([]pVariant, len(all))
	off := 0
	for i, w := range all {
		t.variants[i] = pVariant{text: joined[off : off+len(w)], weight: 1}
		off += len(w)
	}
	p.terms = append(p.terms, t)
	return t, nil
}

// correct adds the words within the term's edit distance (Damerau-
// Levenshtein, over every unit's dictionary) as weighted variants, nearest
// first, at most MaxCorrections of them. Words of the term's own stem group
// are not corrections.
func (p *planner) correct(t *pTerm) {
	dist := min(t.correctable, 2)
	if dist == 0 {
		return
	}
	lq := newLevQuery(t.text, dist)
	cands := map[string]int{}
	for _, v := range p.snap.views {
		v.r.fuzzyText(lq, func(term []byte, d int) bool {
			if _, seen := cands[string(term)]; seen || d == 0 || string(term) == t.text {
				return true
			}
			if t.useStem && analysis.Stemmable(term) && p.stem(term) == t.stem {
				return true
			}
			cands[string(term)] = d
			return true
		})
	}
	words := make([]string, 0, len(cands))
	for w := range cands {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if cands[words[i]] != cands[words[j]] {
			return cands[words[i]] < cands[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > p.opts.MaxCorrections {
		words = words[:p.opts.MaxCorrections]
	}
	for _, w := range words {
		d := cands[w]
		t.variants = append(t.variants, pVariant{text: w, weight: correctionWeight(d), corrected: true, dist: d})
	}
	t.corrected = len(words) > 0
}
