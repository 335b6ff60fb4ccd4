package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph"
	"github.com/kotadb/kotadb/index/graph/graphtest"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/query"
)

// Test data for the catalog: a generated vault written as real markdown
// (frontmatter of every YAML type, headings, links, inline tags) and parsed
// the way ingestion parses, plus a random query generator adapted from
// package query's (query/random_test.go).

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

// catQueryGen draws queries from what a corpus contains. Text clauses come
// from texts, a pool the caller has checked (see agreeingTexts).
type catQueryGen struct {
	r       *rand.Rand
	texts   []query.Text
	tags    []string
	paths   []string
	folders []string
	fields  map[string][]any
	names   []string // field names, sorted
	notes   []string
	colls   []string
}

func newCatQueryGen(r *rand.Rand, docs []index.Doc, texts []query.Text) *catQueryGen {
	g := &catQueryGen{r: r, texts: texts, fields: map[string][]any{}}
	seen := map[*[]string]map[string]bool{}
	add := func(list *[]string, s string) {
		if seen[list] == nil {
			seen[list] = map[string]bool{}
		}
		if s != "" && !seen[list][s] {
			seen[list][s] = true
			*list = append(*list, s)
		}
	}
	for _, d := range docs {
		for _, t := range d.Tags {
			add(&g.tags, t)
			if i := strings.IndexByte(t, '/'); i > 0 {
				add(&g.tags, t[:i])
			}
		}
		add(&g.paths, d.Path)
		if i := strings.LastIndexByte(d.Path, '/'); i > 0 {
			add(&g.folders, d.Path[:i+1])
		}
		for name, v := range d.Fields {
			if len(g.fields[name]) < 30 {
				g.fields[name] = append(g.fields[name], v)
			}
			if m, ok := v.(map[string]any); ok {
				for k, e := range m {
					if nested := name + "." + k; len(g.fields[nested]) < 30 {
						g.fields[nested] = append(g.fields[nested], e)
					}
				}
			}
		}
		for _, l := range d.Links {
			add(&g.notes, l.Target)
		}
		add(&g.notes, d.Path)
		add(&g.colls, d.Collection)
	}
	for name := range g.fields {
		g.names = append(g.names, name)
	}
	sort.Strings(g.names)
	g.tags = append(g.tags, "no/such/tag")
	return g
}

func (g *catQueryGen) pick(list []string) string {
	if len(list) == 0 {
		return "x"
	}
	return list[g.r.IntN(len(list))]
}

// query draws a query. withText says whether text clauses may appear.
func (g *catQueryGen) query(withText bool) *query.Query {
	q := &query.Query{Version: query.Version, Where: g.expr(0, withText)}
	if g.r.IntN(8) == 0 {
		q.Where = nil
	}
	sortKeys := []string{"score", "created", "updated", "path", "title", "key"}
	for _, name := range g.names {
		sortKeys = append(sortKeys, "field."+name)
	}
	for range g.r.IntN(3) {
		q.Sort = append(q.Sort, query.SortKey{Field: g.pick(sortKeys), Desc: g.r.IntN(2) == 0})
	}
	q.Limit = []int{0, 1, 3, 10, 50}[g.r.IntN(5)]
	q.Offset = []int{0, 0, 0, 2, 15}[g.r.IntN(5)]
	if g.r.IntN(3) == 0 {
		q.Select = []string{"path", "score", "title", "tags", "links", "created", "lang", "folder", "collection"}[:2+g.r.IntN(7)]
		if len(g.names) > 0 {
			q.Select = append(q.Select, "field."+g.pick(g.names))
		}
	}
	if g.r.IntN(4) == 0 {
		groups := []string{"", "tag", "folder", "collection", "lang"}
		if len(g.names) > 0 {
			groups = append(groups, "field."+g.pick(g.names))
		}
		a := &query.Aggregate{GroupBy: groups[g.r.IntN(len(groups))]}
		for range g.r.IntN(3) {
			field := []string{"created", "updated", "field.priority", "field.due"}[g.r.IntN(4)]
			a.Metrics = append(a.Metrics, query.Metric{Op: query.MetricOps[g.r.IntN(4)], Field: field})
		}
		q.Aggregate = a
	}
	return q
}

func (g *catQueryGen) expr(depth int, withText bool) query.Expr {
	if depth < 3 && g.r.IntN(3) == 0 {
		var list []query.Expr
		for range 2 + g.r.IntN(2) {
			list = append(list, g.expr(depth+1, withText))
		}
		switch g.r.IntN(3) {
		case 0:
			return &query.Or{Exprs: list}
		case 1:
			return &query.Not{Expr: list[0]}
		}
		return &query.And{Exprs: list}
	}
	return g.leaf(withText)
}

func (g *catQueryGen) leaf(withText bool) query.Expr {
	r := g.r
	switch r.IntN(16) {
	case 0, 1, 2:
		if withText && len(g.texts) > 0 {
			t := g.texts[r.IntN(len(g.texts))]
			return &t
		}
		return &query.Tag{Name: g.pick(g.tags)}
	case 3, 4:
		return &query.Tag{Name: g.pick(g.tags), Exact: r.IntN(3) == 0}
	case 5:
		switch r.IntN(4) {
		case 0:
			return &query.Path{Op: query.PathPrefix, Value: g.pick(g.folders)}
		case 1:
			return &query.Path{Op: query.PathGlob, Value: g.pick(g.folders) + []string{"*", "**", "*.md", "**/*.go"}[r.IntN(4)]}
		case 2:
			return &query.Path{Op: query.PathEq, Value: g.pick(g.paths)}
		}
		lo, hi := g.pick(g.paths), g.pick(g.paths)
		if lo > hi {
			lo, hi = hi, lo
		}
		return &query.Path{Op: query.PathRange, Lo: lo, Hi: hi}
	case 6, 7, 8:
		return g.field()
	case 9:
		d := &query.Date{Field: []string{"created", "updated"}[r.IntN(2)]}
		date := func() query.Value {
			return query.DateOf([]string{"2024", "2024-06", "2024-08-09", "2025-02-14", "today", "yesterday", "this-week", "last-week", "last-month",
				"this-year", "-7d", "-30d", "-1y", "2024-03-01T10:00"}[r.IntN(14)])
		}
		if r.IntN(2) == 0 {
			d.Cond = query.Cond{Op: query.CondEq, Value: date()}
		} else {
			d.Cond = query.Cond{Op: query.CondRange, Lo: &query.Bound{Value: date(), Inclusive: r.IntN(2) == 0}}
			if r.IntN(2) == 0 {
				d.Cond.Hi = &query.Bound{Value: date(), Inclusive: r.IntN(2) == 0}
			}
		}
		return d
	case 10:
		if r.IntN(2) == 0 {
			return &query.Collection{Name: g.pick(append(slices.Clone(g.colls), "nope"))}
		}
		return &query.Lang{Name: []string{"markdown", "go", "python"}[r.IntN(3)]}
	case 11:
		kinds := graph.Kind(0)
		if r.IntN(3) == 0 {
			kinds = graph.Kind(1 + r.IntN(int(graph.AllKinds)))
		}
		if r.IntN(2) == 0 {
			return &query.LinksTo{Note: g.pick(g.notes), Kinds: kinds}
		}
		return &query.LinkedFrom{Note: g.pick(g.notes), Kinds: kinds}
	case 12:
		return &query.Near{Note: g.pick(g.notes), Depth: r.IntN(4), Kinds: graph.Kind(r.IntN(int(graph.AllKinds) + 1)), Direction: graph.Direction(r.IntN(3))}
	case 13:
		return &query.Between{From: g.pick(g.notes), To: g.pick(g.notes), Depth: r.IntN(6), Direction: graph.Direction(r.IntN(3))}
	case 14:
		return &query.Field{Name: g.pick(g.names), Cond: query.Cond{Op: query.CondExists}}
	}
	if r.IntN(2) == 0 {
		return &query.Orphan{}
	}
	return &query.Unresolved{}
}

// field draws a condition on a frontmatter field from its real values.
func (g *catQueryGen) field() query.Expr {
	r := g.r
	if len(g.names) == 0 {
		return &query.Field{Name: "status", Cond: query.Cond{Op: query.CondExists}}
	}
	name := g.pick(g.names)
	if r.IntN(10) == 0 {
		name = "nosuchfield"
	}
	if r.IntN(4) == 0 {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	values := g.fields[strings.ToLower(name)]
	if values == nil {
		values = g.fields[name]
	}
	value := func() query.Value {
		if len(values) == 0 {
			return query.Str("x")
		}
		switch v := values[r.IntN(len(values))].(type) {
		case string:
			if r.IntN(2) == 0 {
				return query.Str(strings.ToUpper(v))
			}
			return query.Str(v)
		case int64:
			return query.Num(float64(v))
		case int:
			return query.Num(float64(v))
		case float64:
			return query.Num(v)
		case bool:
			return query.Bool(v)
		case time.Time:
			return query.DateOf(v.Format(time.DateOnly))
		case []any:
			if len(v) > 0 {
				return query.Literal(fmt.Sprint(v[0]))
			}
		}
		return query.Str("x")
	}
	num := func() query.Value {
		if r.IntN(3) == 0 {
			return query.DateOf([]string{"2024-01-01", "today", "-30d", "2025-03"}[r.IntN(4)])
		}
		return query.Num(float64(r.IntN(12)) / 2)
	}
	c := query.Cond{}
	switch r.IntN(5) {
	case 0:
		c.Op = query.CondExists
	case 1:
		c.Op = query.CondIn
		c.Values = []query.Value{value(), value()}
	case 2:
		c.Op = query.CondRange
		c.Lo = &query.Bound{Value: num(), Inclusive: r.IntN(2) == 0}
		if r.IntN(2) == 0 {
			c.Hi = &query.Bound{Value: num(), Inclusive: r.IntN(2) == 0}
			if c.Lo.Value.Kind == query.NumberValue && c.Hi.Value.Kind == query.NumberValue && c.Lo.Value.Num > c.Hi.Value.Num {
				c.Lo, c.Hi = &query.Bound{Value: c.Hi.Value, Inclusive: c.Lo.Inclusive}, &query.Bound{Value: c.Lo.Value, Inclusive: c.Hi.Inclusive}
			}
		}
	default:
		c.Op = query.CondEq
		c.Value = value()
	}
	return &query.Field{Name: name, Cond: c}
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
