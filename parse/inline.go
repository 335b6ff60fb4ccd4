package parse

import "bytes"

// inlineSpecial marks the bytes where inline scanning has work to do; the
// scanner skips everything else without looking further.
var inlineSpecial = func() (t [256]bool) {
	for _, c := range []byte("\\`![<#") {
		t[c] = true
	}
	return t
}()

// maxLinkSpan bounds how far past a '[' or "](" the scanner looks for what
// closes it. Real link texts and destinations are far shorter; the bound
// keeps adversarial lines (thousands of '[') from taking quadratic time.
const maxLinkSpan = 1024

// lineMemo remembers, for the line being scanned, searches that failed.
// A search that fails from some offset fails from every later one too, so
// each kind of failing search runs at most once per line.
type lineMemo struct {
	noWikiClose  int    // no "]]" at or after this offset
	noClose      int    // no ']' at or after this offset
	noTagClose   int    // no '>' at or after this offset
	noCommentEnd int    // no "-->" at or after this offset
	ticksFailed  uint64 // bit n-1: no run of exactly n backticks after the last search for one
}

func newLineMemo(n int) lineMemo {
	return lineMemo{noWikiClose: n + 1, noClose: n + 1, noTagClose: n + 1, noCommentEnd: n + 1}
}

// closeCodeSpan is closeCodeSpan (below) with failures remembered.
func (m *lineMemo) closeCodeSpan(t []byte, from, n int) int {
	if n <= 64 && m.ticksFailed&(1<<(n-1)) != 0 {
		return -1
	}
	end := closeCodeSpan(t, from, n)
	if end < 0 && n <= 64 {
		m.ticksFailed |= 1 << (n - 1)
	}
	return end
}

// indexFrom is bytes.Index(t[from:], sep) with failures remembered in
// *noneFrom; it returns an offset relative to from, or -1.
func indexFrom(t []byte, from int, sep []byte, noneFrom *int) int {
	if from >= *noneFrom {
		return -1
	}
	i := bytes.Index(t[from:], sep)
	if i < 0 {
		*noneFrom = from
	}
	return i
}

// inline scans one line of paragraph or heading text for tags and links,
// skipping code spans, HTML tags, autolinks and backslash escapes.
func (p *parser) inline(t []byte, line int) {
	memo := newLineMemo(len(t))
	i := 0
	if p.codeTicks > 0 {
		// A code span opened on an earlier line of this paragraph.
		end := closeCodeSpan(t, 0, p.codeTicks)
		if end < 0 {
			return
		}
		p.codeTicks = 0
		i = end
	}
	for i < len(t) {
		c := t[i]
		if !inlineSpecial[c] {
			i++
			continue
		}
		switch c {
		case '\\':
			if i+1 < len(t) && isASCIIPunct(t[i+1]) {
				i += 2
			} else {
				i++
			}
		case '`':
			n := runLength(t, i, '`')
			if end := memo.closeCodeSpan(t, i+n, n); end >= 0 {
				i = end
				continue
			}
			if p.codeSpanContinues(n) {
				p.codeTicks = n
				return
			}
			i += n
		case '!':
			if i+1 < len(t) && t[i+1] == '[' {
				i = p.bracket(t, i+1, line, true, &memo)
			} else {
				i++
			}
		case '[':
			i = p.bracket(t, i, line, false, &memo)
		case '<':
			i = skipHTML(t, i, &memo)
		case '#':
			raw, end := scanTag(t, i)
			if len(raw) > 0 {
				p.addInlineTag(raw)
			}
			i = end
		}
	}
}

// bracket handles a '[' at t[i]: a wikilink, an inline link, a reference
// link or plain brackets. image is true when a '!' came before it. It
// returns where scanning continues.
func (p *parser) bracket(t []byte, i, line int, image bool, memo *lineMemo) int {
	if i+1 < len(t) && t[i+1] == '[' {
		end := indexFrom(t, i+2, []byte("]]"), &memo.noWikiClose)
		if end < 0 {
			return i + 2
		}
		inner := t[i+2 : i+2+end]
		if k := bytes.LastIndex(inner, []byte("[[")); k >= 0 {
			return i + 2 + k // "[[a [[b]]": Obsidian links the inner one
		}
		kind := LinkWiki
		if image {
			kind = LinkEmbed
		}
		p.addWikilink(kind, inner, line)
		return i + 2 + end + 2
	}
	close := matchBracket(t[:min(len(t), i+maxLinkSpan)], i, memo)
	if close < 0 {
		return i + 1
	}
	text := t[i+1 : close]
	if close+1 < len(t) {
		switch t[close+1] {
		case '(':
			if dest, end, ok := parseLinkDest(t[:min(len(t), close+2+maxLinkSpan)], close+2); ok {
				kind := LinkMarkdown
				if image {
					kind = LinkEmbed
				}
				p.addPathLink(kind, dest, text, line)
				p.nestedImages(text, line, memo)
				return end
			}
		case '[':
			rest := t[close+2 : min(len(t), close+2+maxLinkSpan)]
			if end := bytes.IndexByte(rest, ']'); end >= 0 {
				label := rest[:end]
				if len(label) == 0 {
					label = text
				}
				p.refUses = append(p.refUses, refUse{label: label, text: text, line: line, image: image})
				p.nestedImages(text, line, memo)
				return close + 2 + end + 1
			}
		}
	}
	// [text] alone is a link only if a definition for "text" exists, which
	// may come later in the file; meanwhile the text is scanned as text.
	if len(text) > 0 {
		p.refUses = append(p.refUses, refUse{label: text, text: text, line: line, image: image})
	}
	return i + 1
}

// nestedImages records images inside a link's text: [![logo](a.svg)](b.md)
// links to b.md and shows a.svg.
func (p *parser) nestedImages(text []byte, line int, memo *lineMemo) {
	for i := 0; i+1 < len(text); {
		j := bytes.Index(text[i:], []byte("!["))
		if j < 0 {
			return
		}
		i = p.bracket(text, i+j+1, line, true, memo)
	}
}

// matchBracket returns the index of the ']' that closes the '[' at t[i],
// honoring nesting, backslash escapes and code spans; -1 if there is none.
func matchBracket(t []byte, i int, memo *lineMemo) int {
	if indexFrom(t, i, []byte{']'}, &memo.noClose) < 0 {
		return -1
	}
	depth := 0
	for j := i; j < len(t); j++ {
		switch t[j] {
		case '\\':
			j++
		case '`':
			n := runLength(t, j, '`')
			if end := memo.closeCodeSpan(t, j+n, n); end >= 0 {
				j = end - 1
			} else {
				j += n - 1
			}
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// skipHTML skips an inline HTML tag, comment or autolink at t[i] ('<') so
// that attribute values and URLs (href="#top", <https://x/#a>) are not
// read as tags. A '<' that starts none of these is plain text.
func skipHTML(t []byte, i int, memo *lineMemo) int {
	if i+1 >= len(t) {
		return i + 1
	}
	switch c := t[i+1]; {
	case c == '!':
		if bytes.HasPrefix(t[i:], []byte("<!--")) {
			if end := indexFrom(t, i+4, []byte("-->"), &memo.noCommentEnd); end >= 0 {
				return i + 4 + end + 3
			}
		}
	case c == '/' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		if end := indexFrom(t, i+1, []byte{'>'}, &memo.noTagClose); end >= 0 {
			return i + 1 + end + 1
		}
	}
	return i + 1
}

// runLength counts the bytes equal to c starting at t[i].
func runLength(t []byte, i int, c byte) int {
	n := 0
	for i+n < len(t) && t[i+n] == c {
		n++
	}
	return n
}

// closeCodeSpan finds the run of exactly n backticks that closes a code
// span, searching from t[from]; it returns the offset after that run, or -1.
func closeCodeSpan(t []byte, from, n int) int {
	for i := from; i < len(t); {
		j := bytes.IndexByte(t[i:], '`')
		if j < 0 {
			return -1
		}
		i += j
		m := runLength(t, i, '`')
		if m == n {
			return i + m
		}
		i += m
	}
	return -1
}

// maxCodeSpanTicks is the longest backtick run looked for on later lines;
// longer unmatched runs are taken as literal text.
const maxCodeSpanTicks = 64

// codeSpanContinues reports whether a run of n backticks left open at the
// end of a line is closed on a later line of the same paragraph (code spans
// may span lines). Runs already known to stay open in this paragraph are
// remembered, which keeps pathological paragraphs linear.
func (p *parser) codeSpanContinues(n int) bool {
	if n > maxCodeSpanTicks || p.openTicksFailed&(1<<(n-1)) != 0 {
		return false
	}
	for pos := p.nextLine; pos < len(p.content); {
		line, next := lineAt(p.content, pos)
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
		if closeCodeSpan(line, 0, n) >= 0 {
			return true
		}
		pos = next
	}
	p.openTicksFailed |= 1 << (n - 1)
	return false
}
