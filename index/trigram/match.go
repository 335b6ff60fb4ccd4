package trigram

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"sync"
	"unicode/utf8"
)

// MatchLines returns the matches of re in text, leftmost first and not
// overlapping as regexp.FindAllIndex finds them, at most max of them (max <
// 1: all), each reported on the line where it starts.
//
// Regexps from PlanRegexp are verified faster, using a literal every match
// must contain (OTEL_\w+ needs "OTEL_"), found with the vectorised search
// of FindSubstring: when every match starts with the literal, the regexp
// only runs, anchored, where the literal occurs; otherwise, when no match
// can span lines, it runs only on the lines holding the literal. A regexp
// from elsewhere is run over the whole text.
func MatchLines(re *regexp.Regexp, text []byte, max int) []LineMatch {
	if re == nil {
		return nil
	}
	m := cachedMatcher(re)
	switch {
	case m == nil || (m.prefix == nil && len(m.literals) == 0):
		return matchWhole(re, text, max)
	case m.prefix != nil:
		return m.matchPrefixed(text, max)
	case m.lineLocal:
		return m.matchLines(text, max)
	}
	// The literal still rules out most non-matching documents cheaply.
	if !m.anyLiteral(text) {
		return nil
	}
	return matchWhole(re, text, max)
}

// MatchRegexp reports whether re matches text, as len(MatchLines(re, text,
// 1)) > 0 would but faster: it need not find the leftmost match, so, like
// ContainsSubstring, it first tries where the required literal occurs
// spelled as written. Use it to verify candidates; use MatchLines for the
// lines to show.
func MatchRegexp(re *regexp.Regexp, text []byte) bool {
	if re == nil {
		return false
	}
	m := cachedMatcher(re)
	switch {
	case m == nil || (m.prefix == nil && len(m.literals) == 0):
		return re.Match(text)
	case m.prefix != nil:
		for from := 0; ; {
			st, end, ok := m.prefix.findTyped(text, from)
			if !ok {
				break
			}
			if m.matchAt(text, st, end) >= 0 {
				return true
			}
			from = end
		}
		for from := 0; ; {
			st, end, ok := m.prefix.find(text, from)
			if !ok {
				return false
			}
			if m.matchAt(text, st, end) >= 0 {
				return true
			}
			_, n := utf8.DecodeRune(text[st:])
			from = st + n
		}
	case !m.lineLocal:
		return m.anyLiteral(text) && re.Match(text)
	}
	for _, lit := range m.literals {
		if st, _, ok := lit.findTyped(text, 0); ok && re.Match(lineAt(text, st)) {
			return true
		}
	}
	return len(m.matchLines(text, 1)) > 0
}

// matchWhole runs re over the whole text.
func matchWhole(re *regexp.Regexp, text []byte, max int) []LineMatch {
	idx := re.FindAllIndex(text, limit(max))
	if len(idx) == 0 {
		return nil
	}
	out := make([]LineMatch, 0, len(idx))
	lines := lineTracker{text: text}
	for _, m := range idx {
		out = append(out, lines.match(m[0], m[1]))
	}
	return out
}

// limit turns MatchLines' max into FindAll's n.
func limit(max int) int {
	if max < 1 {
		return -1
	}
	return max
}

// regexMatcher is what MatchLines knows about a regexp from PlanRegexp.
type regexMatcher struct {
	re *regexp.Regexp

	// prefix, when set, begins every match: matches start exactly where it
	// occurs. anchored is the regexp anchored at the start of its input,
	// nil when the regexp is nothing but the literal.
	prefix   *literalFinder
	anchored *regexp.Regexp

	// literals: every match contains at least one of them.
	literals []literalFinder
	// lineLocal: no match can contain '\n', and the regexp has no \A or \z,
	// so running it on a single line finds exactly the matches on that line.
	lineLocal bool
}

func (m *regexMatcher) anyLiteral(text []byte) bool {
	for _, lit := range m.literals {
		if lit.contains(text) {
			return true
		}
	}
	return false
}

// matchAt returns the end of the match starting at st, where the prefix
// literal occupies [st, litEnd), or -1.
func (m *regexMatcher) matchAt(text []byte, st, litEnd int) int {
	if m.anchored == nil {
		return litEnd
	}
	// regexp's backtracker clears state in proportion to its input, so a
	// match that cannot leave its line is only given the rest of the line.
	end := len(text)
	if m.lineLocal {
		if i := bytes.IndexByte(text[litEnd:], '\n'); i >= 0 {
			end = litEnd + i
		}
	}
	loc := m.anchored.FindIndex(text[st:end])
	if loc == nil {
		return -1
	}
	return st + loc[1]
}

// matchPrefixed tries the anchored regexp at each occurrence of the prefix
// literal. Occurrences come leftmost first and each is a possible start,
// so this finds what FindAllIndex does; the anchored regexp sees the text
// from the start on, and a match starting with a literal has no assertion
// that looks before its start.
func (m *regexMatcher) matchPrefixed(text []byte, max int) []LineMatch {
	var out []LineMatch
	lines := lineTracker{text: text}
	for from := 0; max < 1 || len(out) < max; {
		st, litEnd, ok := m.prefix.find(text, from)
		if !ok {
			break
		}
		if end := m.matchAt(text, st, litEnd); end >= 0 {
			out = append(out, lines.match(st, end))
			from = end
			continue
		}
		_, n := utf8.DecodeRune(text[st:])
		from = st + n
	}
	return out
}

// matchLines runs the regexp on each line that holds a required literal.
func (m *regexMatcher) matchLines(text []byte, max int) []LineMatch {
	var out []LineMatch
	next := make([]int, len(m.literals)) // next occurrence of each literal
	for i, lit := range m.literals {
		next[i] = lit.index(text, 0)
	}
	lines := lineTracker{text: text}
	for max < 1 || len(out) < max {
		h := -1
		for _, n := range next {
			if n >= 0 && (h < 0 || n < h) {
				h = n
			}
		}
		if h < 0 {
			break
		}
		lines.seek(h)
		ls, le := lines.bounds()
		line := text[ls:le]
		for _, idx := range m.re.FindAllIndex(line, limit(max-len(out))) {
			out = append(out, LineMatch{
				Line: lines.line + 1, Column: idx[0] + 1, Text: string(line),
				Start: idx[0], End: idx[1],
			})
		}
		for i, lit := range m.literals {
			if next[i] >= 0 && next[i] <= le {
				next[i] = lit.index(text, le+1)
			}
		}
	}
	return out
}

// lineAt returns the line of text holding offset off, without its '\n'.
func lineAt(text []byte, off int) []byte {
	start := bytes.LastIndexByte(text[:off], '\n') + 1
	end := len(text)
	if i := bytes.IndexByte(text[off:], '\n'); i >= 0 {
		end = off + i
	}
	return text[start:end]
}

// literalFinder finds one required literal, case-insensitively when the
// regexp folds case there.
type literalFinder struct {
	exact []byte
	fold  *substringFinder
}

// newLiteralFinder returns the finder of lit, a literal of the regexp
// expr. regexp/syntax stores a case-insensitive literal in a canonical case
// (SPANKIND for SpanKind), so the spelling the user typed is recovered from
// expr when it is there, for the typed-spelling-first search.
func newLiteralFinder(lit literal, expr string) literalFinder {
	if !lit.fold {
		return literalFinder{exact: []byte(lit.s)}
	}
	spelling := lit.s
	if st, end, ok := finderFor(lit.s).find([]byte(expr), 0); ok {
		spelling = expr[st:end]
	}
	return literalFinder{fold: finderFor(spelling)}
}

// find returns the first occurrence at or after from.
func (l literalFinder) find(text []byte, from int) (start, end int, ok bool) {
	if l.fold != nil {
		return l.fold.find(text, from)
	}
	if from > len(text) {
		return 0, 0, false
	}
	i := bytes.Index(text[from:], l.exact)
	if i < 0 {
		return 0, 0, false
	}
	return from + i, from + i + len(l.exact), true
}

// findTyped finds the literal spelled as written in the regexp: all of it
// when the literal is case-sensitive, and otherwise a first, cheaper pass
// (see substringFinder.contains).
func (l literalFinder) findTyped(text []byte, from int) (start, end int, ok bool) {
	if l.fold == nil {
		return l.find(text, from)
	}
	return l.fold.findTyped(text, from)
}

// contains reports whether text holds the literal.
func (l literalFinder) contains(text []byte) bool {
	if l.fold != nil {
		return l.fold.contains(text)
	}
	return bytes.Contains(text, l.exact)
}

// index returns the start of the first occurrence at or after from, or -1.
func (l literalFinder) index(text []byte, from int) int {
	st, _, ok := l.find(text, from)
	if !ok {
		return -1
	}
	return st
}

// matcherCacheSize bounds the regexps MatchLines remembers. A search
// verifies one regexp against many documents; only the regexps of queries
// in flight need to be remembered, and an evicted one is still matched
// correctly, just without the literal prefilter.
const matcherCacheSize = 256

var matcherCache = struct {
	sync.Mutex
	m     map[*regexp.Regexp]*regexMatcher
	order []*regexp.Regexp
}{m: make(map[*regexp.Regexp]*regexMatcher)}

func cachedMatcher(re *regexp.Regexp) *regexMatcher {
	matcherCache.Lock()
	defer matcherCache.Unlock()
	return matcherCache.m[re]
}

// rememberMatcher prepares the prefilter for a regexp PlanRegexp compiled
// from sre, parsed from expr, and remembers it for MatchLines.
func rememberMatcher(re *regexp.Regexp, sre *syntax.Regexp, expr string) {
	m := &regexMatcher{re: re, lineLocal: !canMatchNewline(sre) && !hasTextAnchor(sre)}
	if lit, rest, ok := prefixLiteral(sre); ok {
		f := newLiteralFinder(lit, expr)
		m.prefix = &f
		if rest {
			anchored := &syntax.Regexp{Op: syntax.OpConcat, Sub: []*syntax.Regexp{{Op: syntax.OpBeginText}, sre}}
			a, err := regexp.Compile(anchored.String())
			if err != nil {
				m.prefix = nil // cannot happen for a tree that parsed; stay on the safe path
			}
			m.anchored = a
		}
	}
	for _, lit := range requiredLiterals(sre) {
		m.literals = append(m.literals, newLiteralFinder(lit, expr))
	}
	matcherCache.Lock()
	defer matcherCache.Unlock()
	if _, ok := matcherCache.m[re]; ok {
		return
	}
	if len(matcherCache.order) >= matcherCacheSize {
		delete(matcherCache.m, matcherCache.order[0])
		matcherCache.order = matcherCache.order[1:]
	}
	matcherCache.m[re] = m
	matcherCache.order = append(matcherCache.order, re)
}
