package parse

import (
	"bytes"
	"net/url"
	"strings"
)

// addWikilink records the inside of [[...]]: target#heading|alias. Obsidian
// splits at the first '|' and the first '#'; in tables the pipe is escaped
// as "\|", so a trailing backslash on the target part is dropped.
func (p *parser) addWikilink(kind LinkKind, inner []byte, line int) {
	target, alias := inner, []byte(nil)
	if bar := bytes.IndexByte(inner, '|'); bar >= 0 {
		target, alias = inner[:bar], inner[bar+1:]
		target = bytes.TrimSuffix(target, []byte{'\\'})
	}
	var heading []byte
	if hash := bytes.IndexByte(target, '#'); hash >= 0 {
		target, heading = target[:hash], target[hash+1:]
	}
	target, heading, alias = bytes.TrimSpace(target), bytes.TrimSpace(heading), bytes.TrimSpace(alias)
	if len(target) == 0 && len(heading) == 0 {
		return
	}
	p.doc.Links = append(p.doc.Links, Link{
		Kind:    kind,
		Target:  string(target),
		Heading: string(heading),
		Alias:   string(alias),
		Line:    line,
	})
}

// addPathLink records a link written as a path or URL (markdown links,
// reference definitions, frontmatter paths) with its link text, keeping only links to other
// files: URLs with a scheme (https:, mailto:…), protocol-relative //host
// URLs, pure #anchors and Hugo template destinations ({{< relref >}}) are
// skipped. The fragment becomes the heading; %-escapes are decoded.
func (p *parser) addPathLink(kind LinkKind, dest, text []byte, line int) {
	dest = bytes.TrimSpace(dest)
	if len(dest) == 0 || dest[0] == '#' || bytes.HasPrefix(dest, []byte("//")) ||
		bytes.HasPrefix(dest, []byte("{{")) || hasScheme(dest) {
		return
	}
	target, heading := dest, []byte(nil)
	if hash := bytes.IndexByte(dest, '#'); hash >= 0 {
		target, heading = dest[:hash], dest[hash+1:]
	}
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		target = target[:q]
	}
	if len(target) == 0 {
		return
	}
	var alias string
	if len(text) > 0 {
		alias = stripInline(text)
	}
	p.doc.Links = append(p.doc.Links, Link{
		Kind:    kind,
		Target:  unescapePath(target),
		Heading: unescapePath(heading),
		Alias:   alias,
		Line:    line,
	})
}

// hasScheme reports whether dest starts with a URL scheme such as "https:"
// or "mailto:" (RFC 3986: a letter, then letters, digits, '+', '-', '.').
func hasScheme(dest []byte) bool {
	for i, c := range dest {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// unescapePath decodes %-escapes and markdown backslash escapes; a
// malformed escape leaves the text as written.
func unescapePath(b []byte) string {
	if bytes.IndexByte(b, '\\') >= 0 {
		b = unescapeBackslashes(b)
	}
	s := string(b)
	if strings.IndexByte(s, '%') >= 0 {
		if u, err := url.PathUnescape(s); err == nil {
			return u
		}
	}
	return s
}

func unescapeBackslashes(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && isASCIIPunct(b[i+1]) {
			i++
		}
		out = append(out, b[i])
	}
	return out
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// maxDestParens is how deeply parentheses may nest in a link destination.
// CommonMark lets implementations set a limit (at least 3); it keeps
// adversarial lines from taking quadratic time.
const maxDestParens = 32

// parseLinkDest reads an inline link's destination and optional title,
// starting just after "](": `<dest with spaces>` or `dest(with)(parens)`,
// then optionally "title", 'title' or (title), then ')'. It returns the
// destination and the offset after ')'; ok is false when this is not a
// link.
func parseLinkDest(t []byte, i int) (dest []byte, end int, ok bool) {
	i = skipSpaces(t, i)
	if i < len(t) && t[i] == '<' {
		close := bytes.IndexByte(t[i+1:], '>')
		if close < 0 {
			return nil, 0, false
		}
		dest = t[i+1 : i+1+close]
		i += close + 2
	} else {
		start, depth := i, 0
	scan:
		for ; i < len(t); i++ {
			switch c := t[i]; {
			case c == '\\' && i+1 < len(t):
				i++
			case c == '(':
				depth++
				if depth > maxDestParens {
					return nil, 0, false
				}
			case c == ')':
				if depth == 0 {
					break scan
				}
				depth--
			case c == ' ' || c == '\t' || c < 0x20:
				break scan
			}
		}
		dest = t[start:i]
	}
	i = skipSpaces(t, i)
	if i < len(t) && (t[i] == '"' || t[i] == '\'' || t[i] == '(') {
		closer := t[i]
		if closer == '(' {
			closer = ')'
		}
		j := i + 1
		for ; j < len(t) && t[j] != closer; j++ {
			if t[j] == '\\' {
				j++
			}
		}
		if j >= len(t) {
			return nil, 0, false
		}
		i = skipSpaces(t, j+1)
	}
	if i >= len(t) || t[i] != ')' {
		return nil, 0, false
	}
	return dest, i + 1, true
}

func skipSpaces(t []byte, i int) int {
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	return i
}

// parseRefDef reads a link reference definition line, `[label]: dest
// "title"`, and returns the label and destination.
func parseRefDef(rest []byte) (label, dest []byte, ok bool) {
	if len(rest) < 4 || rest[0] != '[' || rest[1] == '^' {
		return nil, nil, false
	}
	close := -1
	for i := 1; i < len(rest); i++ {
		if rest[i] == '\\' {
			i++
			continue
		}
		if rest[i] == '[' {
			return nil, nil, false
		}
		if rest[i] == ']' {
			close = i
			break
		}
	}
	if close < 2 || close+1 >= len(rest) || rest[close+1] != ':' {
		return nil, nil, false
	}
	label = rest[1:close]
	i := skipSpaces(rest, close+2)
	if i >= len(rest) {
		return nil, nil, false // destination on the next line: rare, not supported
	}
	if rest[i] == '<' {
		end := bytes.IndexByte(rest[i+1:], '>')
		if end < 0 {
			return nil, nil, false
		}
		return label, rest[i+1 : i+1+end], true
	}
	j := i
	for j < len(rest) && rest[j] != ' ' && rest[j] != '\t' {
		j++
	}
	return label, rest[i:j], true
}

// normalizeLabel matches reference labels the CommonMark way: case-folded,
// with runs of white space collapsed.
func normalizeLabel(label []byte) string {
	return strings.ToLower(strings.Join(strings.Fields(string(label)), " "))
}

// refUse is a [text][label], [label][] or [label] seen in the body; it
// becomes a link if the label is defined anywhere in the file.
type refUse struct {
	label, text []byte
	line        int
	image       bool
}

// resolveRefs turns reference uses into links once all definitions are
// known.
func (p *parser) resolveRefs() {
	if len(p.refDefs) == 0 {
		return
	}
	for _, use := range p.refUses {
		dest, ok := p.refDefs[normalizeLabel(use.label)]
		if !ok {
			continue
		}
		kind := LinkMarkdown
		if use.image {
			kind = LinkEmbed
		}
		p.addPathLink(kind, dest, use.text, use.line)
	}
}
