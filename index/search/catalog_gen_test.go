package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph/graphtest"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/query"
)

// Test data for the catalog: a generated vault written as real markdown
// (frontmatter of every YAML type, headings, links, inline tags) and parsed
// the way ingestion parses, and the text clauses the random queries of
// querytest.Gen draw from.

var catNow = time.Date(2025, 3, 12, 15, 4, 5, 0, time.UTC)

var catOpts = &query.Options{Now: catNow}

// Words of the text. Tags, folders and file names use other words, so
// that a word matches the same documents in the engine (which also
// searches tags and paths) as in memcat (title, headings and body only).
var catWords = strings.Fields("rust error handling plan roadmap graph query index search vault note link date " +
	"planner cost estimate bitmap phrase prefix fuzzy trigram segment merge compaction agent memory")

// catDoc writes document i of a generated vault as markdown and parses it.
// variant changes the content for later versions of the same path.
func catDoc(r *rand.Rand, i, n, variant int) index.Doc {
	folders := []string{"", "inbox/", "inbox/day/", "work/kota/", "work/lima/", "old/", "UX Research/"}
	coll := []string{"v", "v", "v", "w"}[i%4]
	name := fmt.Sprintf("n%03d", i)
	if i%5 == 0 {
		name = fmt.Sprintf("N%03d", i) // paths differ from their lower-case keyword
	}
	rel := folders[i%len(folders)] + name + ".md"
	if i%11 == 0 {
		rel = folders[i%len(folders)] + name + ".go"
	}
	w := func() string { return catWords[r.IntN(len(catWords))] }
	var fm []string
	if r.IntN(6) > 0 {
		first := w()
		fm = append(fm, fmt.Sprintf("title: %s %s %d", strings.ToUpper(first[:1])+first[1:], w(), i))
	}
	statuses := []string{"active", "Active", "paused", "done", "2", "true", "[active, review]", `""`, "", "' Spaced '"}
	if r.IntN(3) > 0 {
		fm = append(fm, "status: "+statuses[r.IntN(len(statuses))])
	}
	if r.IntN(2) == 0 {
		fm = append(fm, "priority: "+[]string{fmt.Sprint(r.IntN(5)), fmt.Sprint(float64(r.IntN(10)) / 2), fmt.Sprintf("%q", fmt.Sprint(r.IntN(5))), "[3, 1]", "[b, 2]"}[r.IntN(5)])
	}
	if r.IntN(3) == 0 {
		d := catNow.AddDate(0, 0, r.IntN(60)-30).Format(time.DateOnly)
		fm = append(fm, "due: "+[]string{d, fmt.Sprintf("%q", d)}[r.IntN(2)])
	}
	if r.IntN(4) == 0 {
		fm = append(fm, fmt.Sprintf("draft: %v", r.IntN(2) == 0))
	}
	if r.IntN(5) == 0 {
		fm = append(fm, "meta:", "  owner: "+[]string{"Alice", "bob"}[r.IntN(2)], fmt.Sprintf("  level: %d", r.IntN(3)))
	}
	if r.IntN(7) == 0 {
		fm = append(fm, []string{"empty: []", "empty: {}", "empty: null", "Mixed: x"}[r.IntN(4)])
	}
	if r.IntN(5) == 0 {
		fm = append(fm, fmt.Sprintf("created: %s", catNow.AddDate(0, 0, -r.IntN(400)).Format(time.DateOnly)))
	}
	var tags []string
	for range r.IntN(3) {
		tags = append(tags, []string{"proj", "proj/kota", "proj/lima", "area/ops", "area/dev", "archive", "daily"}[r.IntN(7)])
	}
	if len(tags) > 0 {
		fm = append(fm, "tags: ["+strings.Join(tags, ", ")+"]")
	}
	if r.IntN(8) == 0 {
		fm = append(fm, fmt.Sprintf("aliases: [alias%d]", i))
	}
	var b strings.Builder
	if len(fm) > 0 {
		b.WriteString("---\n" + strings.Join(fm, "\n") + "\n---\n")
	}
	// One heading: memcat joins headings into one run of words, so a
	// phrase could span two of them there but not in the engine.
	fmt.Fprintf(&b, "%s %s %s\n\n", []string{"#", "##"}[r.IntN(2)], w(), w())
	for range 1 + r.IntN(3) {
		for range 3 + r.IntN(20) {
			b.WriteString(w() + " ")
		}
		b.WriteString("\n\n")
	}
	for range r.IntN(4) {
		target := fmt.Sprintf("n%03d", r.IntN(n))
		switch r.IntN(6) {
		case 0:
			fmt.Fprintf(&b, "see [[missing %s]]\n", target)
		case 1:
			fmt.Fprintf(&b, "![[%s]]\n", target)
		case 2:
			fmt.Fprintf(&b, "[x](%s.md)\n", target)
		default:
			fmt.Fprintf(&b, "[[%s]]\n", target)
		}
	}
	if r.IntN(4) == 0 {
		b.WriteString("#journal\n")
	}
	if variant > 0 {
		fmt.Fprintf(&b, "\nrevision %s\n", w())
	}
	content := []byte(b.String())
	mod := catNow.Add(-time.Duration(r.IntN(800*24)) * time.Hour).Add(time.Duration(r.IntN(1000)) * time.Millisecond)
	pd, err := parse.Parse(parse.FileInfo{Path: rel, ModTime: mod, Birth: mod.Add(-time.Duration(r.IntN(100)) * time.Hour)}, content)
	if err != nil {
		panic(fmt.Sprintf("generated document %s does not parse: %v", rel, err))
	}
	return graphtest.Doc(coll, pd, content)
}

// catGenerated is a generated vault of n documents; updated(i) gives
// another version of document i.
func catGenerated(seed uint64, n int) (docs []index.Doc, updated func(i int) index.Doc) {
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range n {
		docs = append(docs, catDoc(r, i, n, 0))
	}
	return docs, func(i int) index.Doc { return catDoc(r, i, n, 1+r.IntN(3)) }
}

// catCorpus loads a shared corpus; updated(i) gives document i the text of
// another document, parsed under its own path.
func catCorpus(t testing.TB, name string) (docs []index.Doc, updated func(i int) index.Doc) {
	docs = graphtest.Load(t, name)
	r := rand.New(rand.NewPCG(uint64(len(docs)), 9))
	return docs, func(i int) index.Doc {
		other := docs[r.IntN(len(docs))]
		pd, err := parse.Parse(parse.FileInfo{Path: docs[i].Path, ModTime: catNow}, other.Text)
		if err != nil {
			t.Fatalf("reparsing %s as %s: %v", other.Key, docs[i].Path, err)
		}
		return graphtest.Doc(docs[i].Collection, pd, other.Text)
	}
}

// textCandidates draws text clauses of the kinds both the engine and
// memcat define the same way on plain words: exact terms (optionally in
// one field), phrases, prefixes of three or more letters, substrings (both
// cases) and regexes. Fuzzy and stemmed terms are left out: memcat has no
// stemming and counts edits differently.
func textCandidates(r *rand.Rand, docs []index.Doc, n int) []query.Text {
	isWord := func(s string) bool {
		for _, c := range s {
			if c < 'a' || c > 'z' {
				return false
			}
		}
		return len(s) >= 3
	}
	var words, phrases, texts []string
	for i, d := range docs {
		toks := strings.FieldsFunc(string(d.Text[d.BodyStart:]), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for j, tok := range toks {
			tok = strings.ToLower(tok)
			if (i+j)%13 == 0 && isWord(tok) {
				words = append(words, tok)
			}
			if (i+j)%41 == 0 && j+1 < len(toks) && isWord(tok) && isWord(strings.ToLower(toks[j+1])) {
				phrases = append(phrases, tok+" "+strings.ToLower(toks[j+1]))
			}
		}
		if len(d.Text) > 40 && i%3 == 0 {
			texts = append(texts, string(d.Text))
		}
	}
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	var out []query.Text
	for len(out) < n {
		switch r.IntN(6) {
		case 0, 1:
			t := query.Text{Kind: query.Term, Value: pick(words), Exact: true}
			if r.IntN(3) == 0 {
				t.Field = query.TextFields[r.IntN(len(query.TextFields))]
			}
			if r.IntN(2) == 0 {
				t.Value = strings.ToUpper(t.Value[:1]) + t.Value[1:]
			}
			out = append(out, t)
		case 2:
			out = append(out, query.Text{Kind: query.Phrase, Value: pick(phrases), Field: []string{"", "", "body"}[r.IntN(3)]})
		case 3:
			w := pick(words)
			out = append(out, query.Text{Kind: query.Prefix, Value: w[:min(len(w), 3+r.IntN(3))]})
		case 4:
			text := []rune(pick(texts))
			i := r.IntN(max(len(text)-8, 1))
			out = append(out, query.Text{Kind: query.Substring, Value: string(text[i:min(i+3+r.IntN(6), len(text))]), Exact: r.IntN(2) == 0})
		case 5:
			out = append(out, query.Text{Kind: query.Regex, Value: "(?i)" + pick(words) + "|" + pick(words)})
		}
	}
	return out
}
