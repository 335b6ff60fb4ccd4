package search

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/kotadb/kotadb/index/analysis"
	"github.com/kotadb/kotadb/index/trigram"
)

// Snippets: the best passage of a hit is the window of snippetLines lines
// holding the most distinct query clauses (then the most matches, then the
// earliest), cut to at most snippetMaxBytes around its first match.
const (
	snippetLines    = 3
	snippetMaxBytes = 240
	snippetLead     = 40 // bytes kept before the first match when cutting
)

// highlighter decides which tokens of a text match the query.
type highlighter struct {
	exact   map[string]int // word → clause id
	stems   map[string]int // stem group → clause id
	stemmer *analysis.Stemmer
}

func (e *executor) highlighter() *highlighter {
	h := &highlighter{exact: map[string]int{}, stems: map[string]int{}, stemmer: stemmerPool.Get().(*analysis.Stemmer)}
	id := 0
	for _, t := range e.plan.terms {
		if t.text != "" {
			if t.useStem {
				h.stems[t.stem] = id
			} else {
				h.exact[t.text] = id
			}
		}
		for _, v := range t.variants {
			h.exact[v.text] = id
		}
		id++
	}
	for _, p := range e.plan.phrases {
		for _, w := range p.terms {
			if _, ok := h.exact[w]; !ok {
				h.exact[w] = id
			}
		}
		id++
	}
	return h
}

// empty reports that the query has no words to highlight.
func (h *highlighter) empty() bool { return len(h.exact) == 0 && len(h.stems) == 0 }

func (h *highlighter) match(term []byte) (int, bool) {
	if id, ok := h.exact[string(term)]; ok {
		return id, true
	}
	if len(h.stems) > 0 {
		if id, ok := h.stems[h.stemmer.Stem(term)]; ok {
			return id, true
		}
	}
	return 0, false
}

type snippetMatch struct {
	start, end int
	id         int
	line       int // 1-based line in the whole text
}

// snippets computes the snippet of every hit. A hit whose body holds none
// of the query's words but that a regex or substring clause matched shows
// the first line that clause matches.
func (e *executor) snippets(res *Results) error {
	if len(res.Hits) == 0 {
		return nil
	}
	hl := e.highlighter()
	defer stemmerPool.Put(hl.stemmer)
	var tok analysis.Tokenizer
	for i, s := range e.hits {
		v := &e.snap.views[s.view]
		text, err := e.docText(v, s.doc)
		if err != nil {
			return err
		}
		if text == nil {
			continue
		}
		meta, err := v.r.docMeta(s.doc)
		if err != nil {
			return err
		}
		sn, found := makeSnippet(text, meta.bodyStart, hl, &tok)
		if !found {
			if rs := e.regexSnippet(text, meta.bodyStart); rs != nil {
				sn = rs
			}
		}
		res.Hits[i].Snippet = sn
	}
	return nil
}

// regexSnippet returns the snippet of the first line a regex or substring
// clause of the query matches in text, or nil when none does.
func (e *executor) regexSnippet(text []byte, bodyStart int) *Snippet {
	if bodyStart < 0 || bodyStart > len(text) {
		bodyStart = 0
	}
	for _, r := range e.plan.regexes {
		if m, ok := r.first(text); ok {
			return lineSnippet(text, bodyStart, m)
		}
	}
	return nil
}

// lineSnippet shows one matching line: all of it when it is short, else
// snippetMaxBytes of it from snippetLead bytes before the match.
func lineSnippet(text []byte, bodyStart int, m trigram.LineMatch) *Snippet {
	ls := lineOffset(text, m.Line)
	le := min(ls+len(m.Text), len(text))
	ms, me := min(ls+m.Start, le), min(ls+m.End, le)
	start := ls
	if ms-start > snippetLead {
		start = runeStart(text, ms-snippetLead)
	}
	end := le
	if end-start > snippetMaxBytes {
		end = runeStart(text, start+snippetMaxBytes)
	}
	sn := &Snippet{Line: m.Line, Heading: headingAt(text, bodyStart, ls), Text: oneLine(text[start:end])}
	if me > ms && ms < end {
		sn.Highlights = []Range{{ms - start, min(me, end) - start}}
	}
	if !utf8.ValidString(sn.Text) {
		sn.Text = strings.ToValidUTF8(sn.Text, "\uFFFD")
		sn.Highlights = nil // offsets no longer line up
	}
	return sn
}

// lineOffset returns the byte offset where the 1-based line starts.
func lineOffset(text []byte, line int) int {
	off := 0
	for ; line > 1; line-- {
		i := bytes.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	return off
}

// firstLineMatch returns the first of ms.
func firstLineMatch(ms []trigram.LineMatch) (trigram.LineMatch, bool) {
	if len(ms) == 0 {
		return trigram.LineMatch{}, false
	}
	return ms[0], true
}

// firstSubstring finds the first case-sensitive occurrence of s in text.
func firstSubstring(text []byte, s string) (trigram.LineMatch, bool) {
	st := bytes.Index(text, []byte(s))
	if st < 0 || s == "" {
		return trigram.LineMatch{}, false
	}
	ls := lineStart(text, st)
	le := len(text)
	if i := bytes.IndexByte(text[st:], '\n'); i >= 0 {
		le = st + i
	}
	return trigram.LineMatch{
		Line:   1 + bytes.Count(text[:st], []byte{'\n'}),
		Column: st - ls + 1,
		Text:   string(text[ls:le]),
		Start:  st - ls,
		End:    min(st+len(s), le) - ls,
	}, true
}

// makeSnippet returns the best passage for the query's words and whether
// the body holds any of them (else the passage is the body's start).
func makeSnippet(text []byte, bodyStart int, hl *highlighter, tok *analysis.Tokenizer) (*Snippet, bool) {
	if bodyStart < 0 || bodyStart > len(text) {
		bodyStart = 0
	}
	line := 1 + bytes.Count(text[:bodyStart], []byte{'\n'})
	var matches []snippetMatch
	lastOff := bodyStart
	tok.Reset(text[bodyStart:])
	for !hl.empty() && tok.Next() {
		t := tok.Token()
		id, ok := hl.match(t.Term)
		if !ok {
			continue
		}
		start, end := bodyStart+t.Start, bodyStart+t.End
		line += bytes.Count(text[lastOff:start], []byte{'\n'})
		lastOff = start
		if n := len(matches); n > 0 && matches[n-1].start <= start && matches[n-1].end >= end {
			continue // a part inside a compound already matched
		}
		matches = append(matches, snippetMatch{start: start, end: end, id: id, line: line})
	}
	if len(matches) == 0 {
		// The hit matched in the title, path or tags: show the body's start.
		start := skipBlank(text, bodyStart)
		return cutSnippet(text, start, nil, 1+bytes.Count(text[:start], []byte{'\n'}), bodyStart), false
	}
	best, bestDistinct, bestCount := 0, -1, -1
	for i := range matches {
		seen := map[int]bool{}
		n := 0
		for j := i; j < len(matches) && matches[j].line < matches[i].line+snippetLines; j++ {
			seen[matches[j].id] = true
			n++
		}
		if len(seen) > bestDistinct || (len(seen) == bestDistinct && n > bestCount) {
			best, bestDistinct, bestCount = i, len(seen), n
		}
	}
	first := matches[best]
	start := lineStart(text, first.start)
	line = first.line
	if first.start-start > snippetLead {
		start = runeStart(text, first.start-snippetLead)
	}
	var window []snippetMatch
	for _, m := range matches[best:] {
		if m.line >= first.line+snippetLines {
			break
		}
		window = append(window, m)
	}
	return cutSnippet(text, start, window, line, bodyStart), true
}

// cutSnippet returns the passage from start: up to snippetLines lines and
// snippetMaxBytes bytes, with the matches inside it highlighted.
func cutSnippet(text []byte, start int, ms []snippetMatch, line, bodyStart int) *Snippet {
	end := start
	for n := 0; n < snippetLines && end < len(text); n++ {
		if i := bytes.IndexByte(text[end:], '\n'); i >= 0 {
			end += i + 1
		} else {
			end = len(text)
		}
	}
	if end-start > snippetMaxBytes {
		end = runeStart(text, start+snippetMaxBytes)
	}
	sn := &Snippet{Line: line, Heading: headingAt(text, bodyStart, start), Text: oneLine(text[start:end])}
	for _, m := range ms {
		if m.start >= start && m.end <= end {
			sn.Highlights = append(sn.Highlights, Range{m.start - start, m.end - start})
		}
	}
	if !utf8.ValidString(sn.Text) {
		sn.Text = strings.ToValidUTF8(sn.Text, "\uFFFD")
		sn.Highlights = nil // offsets no longer line up
	}
	return sn
}

// oneLine turns line breaks and tabs into spaces, so that a snippet is one
// line of output with the same byte offsets.
func oneLine(raw []byte) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, string(raw))
}

func lineStart(text []byte, off int) int {
	return bytes.LastIndexByte(text[:off], '\n') + 1
}

func runeStart(text []byte, off int) int {
	for off > 0 && off < len(text) && !utf8.RuneStart(text[off]) {
		off--
	}
	return off
}

func skipBlank(text []byte, off int) int {
	for off < len(text) && (text[off] == '\n' || text[off] == '\r' || text[off] == ' ' || text[off] == '\t') {
		off++
	}
	return off
}

// headingAt returns the text of the last ATX heading before offset off,
// skipping fenced code blocks.
func headingAt(text []byte, bodyStart, off int) string {
	heading := ""
	fence := ""
	for pos := bodyStart; pos < off && pos < len(text); {
		end := bytes.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		ln := strings.TrimRight(string(text[pos:end]), "\r")
		trim := strings.TrimLeft(ln, " ")
		if len(ln)-len(trim) <= 3 {
			switch {
			case fence != "":
				if strings.HasPrefix(trim, fence) {
					fence = ""
				}
			case strings.HasPrefix(trim, "```"):
				fence = "```"
			case strings.HasPrefix(trim, "~~~"):
				fence = "~~~"
			case strings.HasPrefix(trim, "#"):
				n := len(trim) - len(strings.TrimLeft(trim, "#"))
				rest := trim[n:]
				if n <= 6 && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
					heading = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(rest), "#"))
				}
			}
		}
		pos = end + 1
	}
	return heading
}
