package memcat

import (
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/kotadb/kotadb/query"
)

// The text model of the in-memory catalog is deliberately plain, so that it
// is obviously right: tokens are runs of letters and digits, lower-cased;
// no stemming and no typo tolerance (so Exact changes nothing for words;
// it makes a substring case-sensitive). Scores are BM25 over the weighted
// occurrence count of the match in the title (weight 3), headings (2) and
// body (1), with the match's own document frequency as df.

var fieldWeights = map[string]float64{"title": 3, "headings": 2, "body": 1}

const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// docText is a document's text split the way matches read it.
type docText struct {
	fields map[string][]string // field → tokens as written
	lower  map[string][]string // field → lower-cased tokens
	raw    string              // the whole text, for substring and regex
	length float64             // weighted token count
}

func tokenize(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func newDocText(title string, headings []string, body, raw string) *docText {
	t := &docText{fields: map[string][]string{
		"title":    tokenize(title),
		"headings": tokenize(strings.Join(headings, "\n")),
		"body":     tokenize(body),
	}, lower: map[string][]string{}, raw: raw}
	for f, toks := range t.fields {
		low := make([]string, len(toks))
		for i, tok := range toks {
			low[i] = strings.ToLower(tok)
		}
		t.lower[f] = low
		t.length += fieldWeights[f] * float64(len(toks))
	}
	return t
}

// matcher counts the occurrences of one text query in a document.
type matcher func(t *docText) float64

func newMatcher(q query.Text) (matcher, error) {
	fields := query.TextFields
	if q.Field != "" {
		fields = []string{q.Field}
	}
	tokens := func(t *docText, f string) []string { return t.lower[f] }
	norm := strings.ToLower
	want := tokenize(q.Value)
	for i := range want {
		want[i] = norm(want[i])
	}
	weighted := func(count func([]string) int) matcher {
		return func(t *docText) float64 {
			sum := 0.0
			for _, f := range fields {
				sum += fieldWeights[f] * float64(count(tokens(t, f)))
			}
			return sum
		}
	}
	switch q.Kind {
	case query.Term:
		if len(want) == 0 {
			return func(*docText) float64 { return 0 }, nil
		}
		// Every token of the term must occur (fuzzily, within q.Fuzzy
		// edits); the count is that of the rarest.
		return weighted(func(toks []string) int {
			least := -1
			for _, w := range want {
				n := 0
				for _, tok := range toks {
					if tok == w || q.Fuzzy > 0 && levenshtein(tok, w, q.Fuzzy) <= q.Fuzzy {
						n++
					}
				}
				if least < 0 || n < least {
					least = n
				}
			}
			return least
		}), nil
	case query.Phrase, query.Prefix:
		if len(want) == 0 {
			return func(*docText) float64 { return 0 }, nil
		}
		prefix := q.Kind == query.Prefix
		if prefix && !endsInWordChar(q.Value) {
			prefix = false // "foo-*" is the phrase foo followed by anything
		}
		return weighted(func(toks []string) int {
			n := 0
			for i := 0; i+len(want) <= len(toks); i++ {
				ok := true
				for j, w := range want {
					tok := toks[i+j]
					if prefix && j == len(want)-1 {
						ok = ok && strings.HasPrefix(tok, w)
					} else {
						ok = ok && tok == w
					}
				}
				if ok {
					n++
				}
			}
			return n
		}), nil
	case query.Substring:
		needle := q.Value
		if !q.Exact {
			needle = strings.ToLower(needle)
		}
		return func(t *docText) float64 {
			hay := t.raw
			if !q.Exact {
				hay = strings.ToLower(hay)
			}
			return float64(strings.Count(hay, needle))
		}, nil
	case query.Regex:
		re, err := regexp.Compile(q.Value)
		if err != nil {
			return nil, err
		}
		return func(t *docText) float64 { return float64(len(re.FindAllStringIndex(t.raw, -1))) }, nil
	}
	return func(*docText) float64 { return 0 }, nil
}

func endsInWordChar(s string) bool {
	r := []rune(s)
	return len(r) > 0 && (unicode.IsLetter(r[len(r)-1]) || unicode.IsDigit(r[len(r)-1]))
}

// bm25 scores a weighted count tf in a document of weighted length dl.
func bm25(tf, dl, avgdl float64, df, n int) float64 {
	idf := math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
	return idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*dl/max(avgdl, 1)))
}

// levenshtein is the edit distance of a and b, or limit+1 once it is known
// to exceed limit.
func levenshtein(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
