package parse

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// addHeading records a heading from its raw markdown text (with any
// attribute block already split off by headingAttributes). The anchor is
// the attribute block's id when there is one, else GitHub's slug of the
// text, made unique within the file with -1, -2… the way GitHub does.
func (p *parser) addHeading(level int, raw []byte, id string, line int) {
	text := stripInline(raw)
	anchor := id
	if anchor == "" {
		anchor = p.uniqueAnchor(slug(text))
	}
	p.doc.Headings = append(p.doc.Headings, Heading{Level: level, Text: text, Anchor: anchor, Line: line})
	if level == 1 && p.h1Title == "" {
		p.h1Title = text
	}
}

// headingAttributes splits a trailing attribute block off a heading, as
// Hugo, goldmark and Pandoc allow: "## Setup {#install .wide lang=en}". It
// returns the text before the block and the block's id. Braces holding
// anything else ("{x}") stay part of the text.
func headingAttributes(raw []byte) (text []byte, id string) {
	raw = bytes.TrimRight(raw, " \t")
	n := len(raw)
	if n < 2 || raw[n-1] != '}' {
		return raw, ""
	}
	open := bytes.LastIndexByte(raw, '{')
	if open < 0 {
		return raw, ""
	}
	fields := bytes.Fields(raw[open+1 : n-1])
	if len(fields) == 0 {
		return raw, ""
	}
	for _, f := range fields {
		switch {
		case f[0] == '#' && len(f) > 1:
			id = string(f[1:])
		case f[0] == '.' && len(f) > 1, bytes.IndexByte(f, '=') > 0:
		default:
			return raw, ""
		}
	}
	return bytes.TrimRight(raw[:open], " \t"), id
}

func (p *parser) uniqueAnchor(base string) string {
	if p.anchors == nil {
		if !p.anchorTaken(base) {
			return base
		}
		// Duplicates are rare; from the first one on, a map of
		// counters keeps thousands of equal headings linear.
		p.anchors = make(map[string]int, 2*len(p.doc.Headings))
		for _, h := range p.doc.Headings {
			p.anchors[h.Anchor] = 0
		}
	}
	n, seen := p.anchors[base]
	if !seen {
		p.anchors[base] = 0
		return base
	}
	// Try base-1, base-2… from where the last search for base stopped.
	for {
		n++
		anchor := base + "-" + strconv.Itoa(n)
		if _, taken := p.anchors[anchor]; !taken {
			p.anchors[base] = n
			p.anchors[anchor] = 0
			return anchor
		}
	}
}

// anchorTaken reports whether a heading recorded so far has anchor.
func (p *parser) anchorTaken(anchor string) bool {
	for _, h := range p.doc.Headings {
		if h.Anchor == anchor {
			return true
		}
	}
	return false
}

// slug is GitHub's heading anchor: lower-cased, with everything but letters,
// marks, numbers, connector punctuation ('_'), spaces and hyphens removed,
// and spaces turned into hyphens.
func slug(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ':
				b.WriteByte('-')
			case c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				b.WriteByte(c)
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r != utf8.RuneError && unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.Pc) {
			b.WriteRune(unicode.ToLower(r))
		}
		i += size
	}
	return b.String()
}

// maxHeadingText bounds the markdown that stripInline reads; longer text
// (a setext "heading" made of a whole paragraph, or garbage) is cut, which
// keeps adversarial input from taking quadratic time.
const maxHeadingText = 4096

// stripInline turns inline markdown into the text a reader sees: emphasis,
// strike-through and highlight markers, code span backticks, link
// destinations and HTML tags go; link texts, wikilink aliases (or targets)
// and image alt texts stay. White space is collapsed.
func stripInline(raw []byte) string {
	if len(raw) > maxHeadingText {
		cut := maxHeadingText
		for cut > 0 && raw[cut]&0xC0 == 0x80 { // not inside a character
			cut--
		}
		raw = raw[:cut]
	}
	if isPlainText(raw) {
		return string(raw)
	}
	memo := newLineMemo(len(raw))
	out := make([]byte, 0, len(raw))
	space := true // suppresses leading and repeated spaces
	emit := func(b []byte) {
		for _, c := range b {
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				if !space {
					out = append(out, ' ')
					space = true
				}
				continue
			}
			out = append(out, c)
			space = false
		}
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		switch c {
		case '\\':
			if i+1 < len(raw) && isASCIIPunct(raw[i+1]) {
				emit(raw[i+1 : i+2])
				i += 2
				continue
			}
		case '`':
			n := runLength(raw, i, '`')
			if end := memo.closeCodeSpan(raw, i+n, n); end >= 0 {
				emit(raw[i+n : end-n])
				i = end
				continue
			}
			emit(raw[i : i+n])
			i += n
			continue
		case '*', '~', '=', '_':
			n := runLength(raw, i, c)
			if isMarkupRun(raw, i, n, c) {
				i += n
				continue
			}
			emit(raw[i : i+n])
			i += n
			continue
		case '!', '[':
			if next, text, ok := inlineLinkText(raw, i, &memo); ok {
				emit([]byte(stripInline(text)))
				i = next
				continue
			}
		case '<':
			if end := indexFrom(raw, i, []byte{'>'}, &memo.noTagClose); end > 1 {
				inner := raw[i+1 : i+end]
				if hasScheme(inner) {
					emit(inner) // autolink: the URL is the text
				}
				i += end + 1
				continue
			}
		}
		emit(raw[i : i+1])
		i++
	}
	for len(out) > 0 && out[len(out)-1] == ' ' {
		out = out[:len(out)-1]
	}
	return string(out)
}

// markupByte marks the bytes stripInline may have to remove or rewrite.
var markupByte = func() (t [256]bool) {
	for _, c := range []byte("\\`*~=_![<\t\n\r") {
		t[c] = true
	}
	return t
}()

// isPlainText reports whether stripInline would return raw unchanged: no
// markup, no white space other than single inner spaces. Most headings and
// link texts are like that.
func isPlainText(raw []byte) bool {
	if len(raw) == 0 || raw[0] == ' ' || raw[len(raw)-1] == ' ' {
		return len(raw) == 0
	}
	for i, c := range raw {
		if markupByte[c] || c == ' ' && raw[i-1] == ' ' {
			return false
		}
	}
	return true
}

// isMarkupRun reports whether a run of n c's at raw[i] is markup rather than
// text: '*' unless surrounded by spaces ("2 * 3"), '_' only at a word edge
// (not in snake_case), '~' and '=' only doubled (~~strike~~, ==mark==).
func isMarkupRun(raw []byte, i, n int, c byte) bool {
	before := i == 0 || isSpaceOrPunct(raw[i-1])
	after := i+n >= len(raw) || isSpaceOrPunct(raw[i+n])
	switch c {
	case '*':
		spaceBefore := i == 0 || raw[i-1] == ' '
		spaceAfter := i+n >= len(raw) || raw[i+n] == ' '
		return !(spaceBefore && spaceAfter)
	case '_':
		return before || after
	}
	return n == 2
}

func isSpaceOrPunct(c byte) bool {
	return c == ' ' || c == '\t' || c < utf8.RuneSelf && isASCIIPunct(c)
}

// inlineLinkText recognizes a link, image or wikilink at raw[i] and returns
// the offset after it and the text to show for it.
func inlineLinkText(raw []byte, i int, memo *lineMemo) (next int, text []byte, ok bool) {
	if raw[i] == '!' {
		if i+1 >= len(raw) || raw[i+1] != '[' {
			return 0, nil, false
		}
		i++
	}
	if i+1 < len(raw) && raw[i+1] == '[' {
		end := indexFrom(raw, i+2, []byte("]]"), &memo.noWikiClose)
		if end < 0 {
			return 0, nil, false
		}
		inner := raw[i+2 : i+2+end]
		if bar := bytes.IndexByte(inner, '|'); bar >= 0 {
			inner = inner[bar+1:]
		}
		return i + 2 + end + 2, inner, true
	}
	close := matchBracket(raw[:min(len(raw), i+maxLinkSpan)], i, memo)
	if close < 0 {
		return 0, nil, false
	}
	text = raw[i+1 : close]
	switch {
	case close+1 < len(raw) && raw[close+1] == '(':
		if _, end, ok := parseLinkDest(raw[:min(len(raw), close+2+maxLinkSpan)], close+2); ok {
			return end, text, true
		}
	case close+1 < len(raw) && raw[close+1] == '[':
		if end := bytes.IndexByte(raw[close+2:min(len(raw), close+2+maxLinkSpan)], ']'); end >= 0 {
			return close + 2 + end + 1, text, true
		}
	}
	return 0, nil, false
}
