package trigram

import "bytes"

// LineMatch is one match found in a document, reported on the line where
// it starts. Lines are separated by '\n'; a "\r" before it stays in Text.
type LineMatch struct {
	Line   int    // 1-based line number
	Column int    // 1-based byte column of the match start: Start+1
	Text   string // the whole line, without its '\n'
	// Start and End are the match's byte range in Text. A match that runs
	// past the end of its line (a pattern holding '\n') is cut at the line
	// end.
	Start, End int
}

// FindSubstring returns the case-insensitive occurrences of s in text,
// leftmost first and not overlapping, at most max of them (max < 1: all).
// It matches exactly where the regexp (?i) + regexp.QuoteMeta(s) would. An
// empty s matches nothing.
func FindSubstring(text []byte, s string, max int) []LineMatch {
	return finderFor(s).findAll(text, max)
}

// Substring is a case-insensitive substring prepared once for verifying
// many texts: its methods are FindSubstring and ContainsSubstring without
// looking the pattern up each time. It is safe for concurrent use; the
// zero Substring, like the empty pattern, matches nothing.
type Substring struct{ f *substringFinder }

// NewSubstring prepares s.
func NewSubstring(s string) Substring { return Substring{finderFor(s)} }

// Find is FindSubstring(text, s, max).
func (s Substring) Find(text []byte, max int) []LineMatch {
	if s.f == nil {
		return nil
	}
	return s.f.findAll(text, max)
}

// Contains is ContainsSubstring(text, s).
func (s Substring) Contains(text []byte) bool { return s.f != nil && s.f.contains(text) }

// findAll is FindSubstring.
func (f *substringFinder) findAll(text []byte, max int) []LineMatch {
	var out []LineMatch
	lines := lineTracker{text: text}
	for from := 0; max < 1 || len(out) < max; {
		st, end, ok := f.find(text, from)
		if !ok {
			break
		}
		out = append(out, lines.match(st, end))
		from = end
	}
	return out
}

// ContainsSubstring reports whether text contains s case-insensitively, as
// len(FindSubstring(text, s, 1)) > 0 would, but faster: it need not find
// the leftmost occurrence, so it first looks for s spelled as given (the
// usual spelling in the text, found with rarer anchor bytes) and scans
// case-insensitively only when that spelling is absent. Use it to verify
// candidates; use FindSubstring for the lines to show.
func ContainsSubstring(text []byte, s string) bool {
	return finderFor(s).contains(text)
}

// lineTracker maps byte offsets of text to lines, moving forward only, so
// reporting all matches costs one pass over the text.
type lineTracker struct {
	text      []byte
	pos       int // offsets before pos are accounted for
	line      int // 0-based line of pos
	lineStart int // start of that line
	lineEnd   int // its end (the '\n' or len(text)), valid when endKnown
	endKnown  bool
}

// seek moves to off (off >= the previous offset).
func (t *lineTracker) seek(off int) {
	if off <= t.pos {
		return
	}
	seg := t.text[t.pos:off]
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		t.line += n
		t.lineStart = t.pos + bytes.LastIndexByte(seg, '\n') + 1
		t.endKnown = false
	}
	t.pos = off
}

// bounds returns the current line's start and end.
func (t *lineTracker) bounds() (start, end int) {
	if !t.endKnown {
		t.lineEnd = len(t.text)
		if i := bytes.IndexByte(t.text[t.pos:], '\n'); i >= 0 {
			t.lineEnd = t.pos + i
		}
		t.endKnown = true
	}
	return t.lineStart, t.lineEnd
}

// match describes the match text[st:end] as a LineMatch.
func (t *lineTracker) match(st, end int) LineMatch {
	t.seek(st)
	ls, le := t.bounds()
	end = min(end, le)
	return LineMatch{
		Line:   t.line + 1,
		Column: st - ls + 1,
		Text:   string(t.text[ls:le]),
		Start:  st - ls,
		End:    end - ls,
	}
}
