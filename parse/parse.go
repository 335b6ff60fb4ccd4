// Package parse turns a file's bytes into a Document: kotadb's metadata for
// one note or source file. Markdown gets YAML frontmatter, title, tags,
// links, aliases, headings and dates, following Obsidian's conventions;
// other text files get only the basics (language, size, words, lines).
//
// Markdown is read by a single-pass line scanner rather than a full
// CommonMark parser: building goldmark's AST costs several times more than
// everything else in Parse (see BenchmarkGoldmarkAST), and kotadb needs only
// what the scanner extracts. The scanner follows CommonMark where it decides
// whether text is code, which is what keeps tags and links correct.
package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/kotadb/kotadb/errs"
)

// Document kinds.
const (
	KindMarkdown = "markdown"
	KindText     = "text"
)

// utf8BOM is the byte order mark some editors put at the start of files.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parser holds the state of one Parse call.
type parser struct {
	doc       *Document
	content   []byte
	validUTF8 bool

	// Frontmatter results that need the body before they are final.
	fmTitle              string
	fmCreated, fmUpdated time.Time
	h1Title              string // text of the first level-1 heading

	// Block scanner state.
	nextLine   int // offset of the line after the one being scanned
	fence      fence
	htmlEnd    []byte // what ends the open HTML block, nil when none
	prevBlank  bool
	listIndent int // content column of the current list item; -1 outside lists
	inPara     bool
	paraPlain  bool // the paragraph may turn out to be a setext heading
	paraStart  int  // offset of the paragraph's first line
	paraEnd    int  // offset just after its last line's text
	paraLine   int  // line number of its first line

	// Inline scanner state.
	codeTicks       int    // backtick count of a code span still open from an earlier line
	openTicksFailed uint64 // bit n-1: a run of n backticks is known not to close in this paragraph

	droppedWarnings int

	anchors map[string]int // anchor -> last suffix tried for it; nil until a duplicate
	refDefs map[string][]byte
	refUses []refUse
}

// Parse reads a file into a Document. It returns an error only for binary
// files (wrapping errs.ErrBinary with the reason); every other problem, such
// as invalid frontmatter or invalid UTF-8, becomes a Warning and the file is
// still indexed.
func Parse(info FileInfo, content []byte) (*Document, error) {
	// Binary detection and word counting share one pass over the bytes.
	sample := sniffSample(content)
	if i := bytes.IndexByte(sample, 0); i >= 0 {
		return nil, fmt.Errorf("%s: %w (%s)", info.Path, errs.ErrBinary, nulReason(i))
	}
	var text textScanner
	text.scan(sample)
	binary, reason, sampleValid := judgeSample(sample, text.controls)
	if binary {
		return nil, fmt.Errorf("%s: %w (%s)", info.Path, errs.ErrBinary, reason)
	}
	text.scan(content[len(sample):])
	sum := sha256.Sum256(content)
	doc := &Document{
		Path:    info.Path,
		Kind:    KindText,
		Lang:    Language(info.Path),
		Lines:   countLines(content),
		Hash:    hex.EncodeToString(sum[:]),
		Size:    int64(len(content)),
		Created: info.Birth,
		Updated: info.ModTime,
	}
	if doc.Created.IsZero() {
		doc.Created = info.ModTime
	}
	p := &parser{doc: doc, content: content}
	invalid := -1
	if !sampleValid || len(sample) < len(content) {
		invalid = firstInvalidUTF8(content)
	}
	p.validUTF8 = invalid < 0
	if invalid >= 0 {
		line, col := lineCol(content, invalid)
		p.warn(line, col, "invalid UTF-8 (byte 0x%02X at offset %d); invalid bytes are read as U+FFFD", content[invalid], invalid)
	}
	start := 0
	if bytes.HasPrefix(content, utf8BOM) {
		start = len(utf8BOM)
	}
	if IsMarkdown(info.Path) {
		doc.Kind = KindMarkdown
		p.markdown(start)
	} else {
		doc.Title = path.Base(info.Path)
		doc.Body = start
	}
	// The frontmatter ends with a line break, so no word straddles Body.
	doc.Words = text.total() - countWords(content[:doc.Body])
	if p.droppedWarnings > 0 {
		last := &doc.Warnings[len(doc.Warnings)-1]
		last.Message += fmt.Sprintf(" (and %d more warnings not shown)", p.droppedWarnings)
	}
	if invalid >= 0 {
		sanitize(doc)
	}
	return doc, nil
}

// markdown parses frontmatter and body.
func (p *parser) markdown(start int) {
	doc := p.doc
	doc.Body = start
	bodyLine := 1
	fm, found, unterminated := findFrontmatter(p.content, start)
	switch {
	case unterminated:
		p.warn(1, 1, "frontmatter is not terminated: no closing '---' line; the whole file is read as body")
	case found:
		doc.Body, bodyLine = fm.body, fm.closeLine+1
		text := p.content[fm.yamlStart:fm.yamlEnd]
		if !p.validUTF8 {
			// go-yaml rejects invalid UTF-8 outright; the replacement
			// characters shift columns after them on their line only.
			text = bytes.ToValidUTF8(text, []byte("\uFFFD"))
		}
		p.readFrontmatter(&yamlSource{text: text, firstLine: 2, closeLine: fm.closeLine})
	}
	p.scanBody(doc.Body, bodyLine)
	p.resolveRefs()
	p.finishTags()
	slices.SortStableFunc(doc.Links, func(a, b Link) int { return a.Line - b.Line })

	switch {
	case p.fmTitle != "":
		doc.Title = p.fmTitle
	case p.h1Title != "":
		doc.Title = p.h1Title
	default:
		base := path.Base(doc.Path)
		doc.Title = strings.TrimSuffix(base, path.Ext(base))
	}
	if !p.fmCreated.IsZero() {
		doc.Created = p.fmCreated
	}
	if !p.fmUpdated.IsZero() {
		doc.Updated = p.fmUpdated
	}
}

// maxWarnings is how many warnings one document keeps; a file with
// thousands of problems gets the first ones and a count of the rest.
const maxWarnings = 100

func (p *parser) warn(line, col int, format string, args ...any) {
	if len(p.doc.Warnings) >= maxWarnings {
		p.droppedWarnings++
		return
	}
	p.doc.Warnings = append(p.doc.Warnings, Warning{
		Position: errs.Position{File: p.doc.Path, Line: line, Column: col},
		Message:  fmt.Sprintf(format, args...),
	})
}

// countLines counts lines the way editors number them: a final line without
// a newline still counts, an empty file has none.
func countLines(content []byte) int {
	n := bytes.Count(content, []byte{'\n'})
	if len(content) > 0 && content[len(content)-1] != '\n' {
		n++
	}
	return n
}

// lineCol returns the 1-based line and byte column of offset.
func lineCol(content []byte, offset int) (line, col int) {
	before := content[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	return line, offset - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// sanitize replaces invalid UTF-8 in every extracted string, so that what
// kotadb stores and prints is valid text.
func sanitize(doc *Document) {
	fix := func(s *string) { *s = strings.ToValidUTF8(*s, "\uFFFD") }
	fix(&doc.Title)
	for i := range doc.Tags {
		fix(&doc.Tags[i])
	}
	for i := range doc.Aliases {
		fix(&doc.Aliases[i])
	}
	for i := range doc.Links {
		fix(&doc.Links[i].Target)
		fix(&doc.Links[i].Heading)
		fix(&doc.Links[i].Alias)
	}
	for i := range doc.Headings {
		fix(&doc.Headings[i].Text)
		fix(&doc.Headings[i].Anchor)
	}
	if len(doc.Tags) > 0 {
		slices.Sort(doc.Tags)
		doc.Tags = slices.Compact(doc.Tags)
	}
}
