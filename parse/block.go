package parse

import "bytes"

// The block scanner walks the body line by line and decides what each line
// is: fenced or indented code, HTML block, heading, reference definition,
// list item or paragraph text. Only paragraph and heading text is scanned
// for tags and links. It follows CommonMark where that matters for what
// kotadb extracts (code is never read for tags or links) and simplifies the
// rest: list and blockquote nesting is tracked only as far as needed to tell
// indented code from list content and to close fences.

// fence is an open fenced code block.
type fence struct {
	marker byte // '`' or '~'; 0 when no fence is open
	count  int  // length of the opening run
	indent int  // columns of indentation before the opening run
	quote  int  // blockquote depth it was opened in
}

// scanBody scans content[start:], whose first line is line firstLine.
func (p *parser) scanBody(start, firstLine int) {
	p.listIndent = -1
	lineNo := firstLine
	for pos := start; pos < len(p.content); lineNo++ {
		line, next := lineAt(p.content, pos)
		p.nextLine = next
		p.scanLine(line, pos, lineNo)
		pos = next
	}
}

func (p *parser) scanLine(line []byte, pos, lineNo int) {
	quote, inner := stripQuotes(line)
	if p.fence.marker != 0 {
		if quote >= p.fence.quote {
			if isFenceClose(inner, p.fence) {
				p.fence = fence{}
			}
			return
		}
		p.fence = fence{} // the blockquote holding the fence ended, and the fence with it
	}
	if p.htmlEnd != nil {
		if indexFold(inner, p.htmlEnd) >= 0 {
			p.htmlEnd = nil
		}
		return
	}
	ind, rest := indentation(inner)
	if len(rest) == 0 {
		p.endParagraph()
		p.prevBlank = true
		return
	}
	afterBlank := p.prevBlank
	p.prevBlank = false
	if p.listIndent >= 0 && afterBlank && ind < p.listIndent && listMarker(rest) == 0 {
		p.listIndent = -1 // text back at the margin after a blank line ends the list
	}
	rel := ind
	if p.listIndent >= 0 && ind >= p.listIndent {
		rel = ind - p.listIndent
	}
	if rel >= 4 {
		if p.inPara { // indented continuation of a paragraph, not code
			p.paraEnd = pos + len(line)
			p.inline(rest, lineNo)
		}
		return
	}
	if p.openFence(rest, ind, quote) {
		p.endParagraph()
		return
	}
	switch rest[0] {
	case '<':
		if p.openHTMLBlock(rest) {
			p.endParagraph()
			return
		}
	case '#':
		if level, text, ok := atxHeading(rest); ok {
			p.endParagraph()
			p.heading(level, text, lineNo)
			return
		}
	case '=', '-':
		if p.inPara && p.paraPlain && isSetextUnderline(rest) {
			level := 2
			if rest[0] == '=' {
				level = 1
			}
			text, id := headingAttributes(p.paragraphText())
			p.addHeading(level, text, id, p.paraLine)
			p.endParagraph()
			return
		}
	case '[':
		if !p.inPara {
			if label, dest, ok := parseRefDef(rest); ok {
				p.defineRef(label, dest)
				return
			}
		}
	}
	if isThematicBreak(rest) {
		p.endParagraph()
		return
	}
	if n := listMarker(rest); n > 0 {
		p.listItem(rest, n, ind, quote, pos, lineNo)
		return
	}
	if !p.inPara {
		p.startParagraph(pos, lineNo, p.listIndent < 0)
	}
	p.paraEnd = pos + len(line)
	p.inline(rest, lineNo)
}

// listItem handles a line starting with a list marker n bytes long: it
// records where the item's content starts (which decides what counts as
// indented code below it) and scans the content.
func (p *parser) listItem(rest []byte, n, ind, quote, pos, lineNo int) {
	p.endParagraph()
	spaces, content := indentation(rest[n:])
	if len(content) == 0 || spaces > 4 {
		spaces = 1 // empty item, or item starting with indented code
	}
	p.listIndent = ind + n + spaces
	if len(content) == 0 {
		return
	}
	if p.openFence(content, p.listIndent, quote) {
		return
	}
	if level, text, ok := atxHeading(content); ok {
		p.heading(level, text, lineNo)
		return
	}
	p.startParagraph(pos, lineNo, false)
	p.paraEnd = pos + len(rest)
	p.inline(content, lineNo)
}

// heading scans an ATX heading's text for tags and links (they count in
// headings) and records it; the attribute block is not text.
func (p *parser) heading(level int, raw []byte, lineNo int) {
	text, id := headingAttributes(raw)
	p.inline(text, lineNo)
	p.addHeading(level, text, id, lineNo)
}

func (p *parser) startParagraph(pos, lineNo int, plain bool) {
	p.inPara, p.paraPlain = true, plain
	p.paraStart, p.paraLine = pos, lineNo
	p.openTicksFailed = 0
}

func (p *parser) endParagraph() {
	p.inPara = false
	p.codeTicks = 0
	p.openTicksFailed = 0
}

// paragraphText is the raw text of the current paragraph with its lines
// joined by spaces: the text of a setext heading.
func (p *parser) paragraphText() []byte {
	var text []byte
	for pos := p.paraStart; pos < p.paraEnd; {
		line, next := lineAt(p.content, pos)
		if next > p.paraEnd {
			line = line[:min(len(line), p.paraEnd-pos)]
		}
		_, inner := stripQuotes(line)
		if len(text) > 0 {
			text = append(text, ' ')
		}
		text = append(text, bytes.TrimSpace(inner)...)
		pos = next
	}
	return text
}

func (p *parser) defineRef(label, dest []byte) {
	if p.refDefs == nil {
		p.refDefs = make(map[string][]byte)
	}
	key := normalizeLabel(label)
	if _, dup := p.refDefs[key]; !dup { // CommonMark: the first definition wins
		p.refDefs[key] = dest
	}
}

// stripQuotes removes blockquote markers ("> > text") and returns how many
// there were.
func stripQuotes(line []byte) (depth int, inner []byte) {
	inner = line
	for {
		i := 0
		for i < 3 && i < len(inner) && inner[i] == ' ' {
			i++
		}
		if i >= len(inner) || inner[i] != '>' {
			return depth, inner
		}
		depth++
		inner = inner[i+1:]
		if len(inner) > 0 && (inner[0] == ' ' || inner[0] == '\t') {
			inner = inner[1:]
		}
	}
}

// indentation measures leading white space in columns (tabs advance to the
// next multiple of 4) and returns the rest of the line.
func indentation(b []byte) (cols int, rest []byte) {
	i := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case ' ':
			cols++
		case '\t':
			cols += 4 - cols%4
		default:
			return cols, b[i:]
		}
	}
	return cols, b[i:]
}

// openFence starts a fenced code block if rest opens one: three or more
// backticks (with no backtick in the info string) or tildes.
func (p *parser) openFence(rest []byte, ind, quote int) bool {
	if len(rest) < 3 || (rest[0] != '`' && rest[0] != '~') {
		return false
	}
	n := runLength(rest, 0, rest[0])
	if n < 3 || rest[0] == '`' && bytes.IndexByte(rest[n:], '`') >= 0 {
		return false
	}
	p.fence = fence{marker: rest[0], count: n, indent: ind, quote: quote}
	return true
}

// isFenceClose reports whether line closes f: at least as many of the same
// marker, not indented as deep as code, and nothing after but white space.
func isFenceClose(line []byte, f fence) bool {
	ind, rest := indentation(line)
	if ind >= f.indent+4 {
		return false
	}
	n := runLength(rest, 0, f.marker)
	return n >= f.count && len(bytes.TrimRight(rest[n:], " \t")) == 0
}

// htmlBlocks are the CommonMark HTML blocks whose content is not markdown
// and may contain anything ('#' in CSS and scripts): the opener and the text
// that ends the block.
var htmlBlocks = []struct{ open, end []byte }{
	{[]byte("<script"), []byte("</script>")},
	{[]byte("<pre"), []byte("</pre>")},
	{[]byte("<style"), []byte("</style>")},
	{[]byte("<textarea"), []byte("</textarea>")},
	{[]byte("<!--"), []byte("-->")},
}

// openHTMLBlock recognizes the start of such a block; the whole line is
// skipped, and if the block does not end on it, the lines up to its end.
func (p *parser) openHTMLBlock(rest []byte) bool {
	for _, b := range htmlBlocks {
		if len(rest) < len(b.open) || indexFold(rest[:len(b.open)], b.open) != 0 {
			continue
		}
		after := rest[len(b.open):]
		if b.open[1] != '!' && len(after) > 0 && after[0] != ' ' && after[0] != '\t' && after[0] != '>' {
			continue // <prefix>, <stylesheet>…: not this block
		}
		if indexFold(after, b.end) < 0 {
			p.htmlEnd = b.end
		}
		return true
	}
	return false
}

// indexFold is bytes.Index ignoring ASCII case; needle must be lower-case.
func indexFold(s, needle []byte) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		match := true
		for j, c := range needle {
			b := s[i+j]
			if b >= 'A' && b <= 'Z' {
				b += 'a' - 'A'
			}
			if b != c {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// atxHeading recognizes "## Heading ##" and returns its level and text
// without the closing hashes.
func atxHeading(rest []byte) (level int, text []byte, ok bool) {
	level = runLength(rest, 0, '#')
	if level < 1 || level > 6 || level < len(rest) && rest[level] != ' ' && rest[level] != '\t' {
		return 0, nil, false
	}
	text = bytes.TrimRight(rest[level:], " \t")
	if n := len(text); n > 0 && text[n-1] == '#' {
		k := n
		for k > 0 && text[k-1] == '#' {
			k--
		}
		if k == 0 || text[k-1] == ' ' || text[k-1] == '\t' {
			text = text[:k]
		}
	}
	return level, bytes.TrimSpace(text), true
}

// isSetextUnderline reports whether rest is a run of '=' or of '-' followed
// only by white space.
func isSetextUnderline(rest []byte) bool {
	n := runLength(rest, 0, rest[0])
	return len(bytes.TrimRight(rest[n:], " \t")) == 0
}

// isThematicBreak reports whether rest is three or more '-', '*' or '_'
// (the same one), possibly with spaces between.
func isThematicBreak(rest []byte) bool {
	c := rest[0]
	if c != '-' && c != '*' && c != '_' {
		return false
	}
	n := 0
	for _, b := range rest {
		switch b {
		case c:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// listMarker returns the length of a list marker ("-", "*", "+", "1.",
// "12)") at the start of rest when one follows, or 0.
func listMarker(rest []byte) int {
	n := 0
	switch c := rest[0]; {
	case c == '-' || c == '*' || c == '+':
		n = 1
	case c >= '0' && c <= '9':
		for n < len(rest) && n < 10 && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n > 9 || n >= len(rest) || rest[n] != '.' && rest[n] != ')' {
			return 0
		}
		n++
	default:
		return 0
	}
	if n < len(rest) && rest[n] != ' ' && rest[n] != '\t' {
		return 0
	}
	return n
}
