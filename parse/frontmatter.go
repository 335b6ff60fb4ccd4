package parse

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"
)

// frontmatter is where a file's YAML frontmatter is: between a first line
// "---" and the next line that is "---" or "..." (trailing blanks allowed).
type frontmatter struct {
	yamlStart int // offset of the first YAML byte (the line after "---")
	yamlEnd   int // offset of the closing line
	body      int // offset of the first byte after the closing line
	closeLine int // 1-based line number of the closing line
}

// findFrontmatter looks for frontmatter at content[start:] (start skips a
// byte order mark). ok is false when the file does not open with "---";
// unterminated is true when it does but no closing line follows.
func findFrontmatter(content []byte, start int) (fm frontmatter, ok, unterminated bool) {
	first, next := lineAt(content, start)
	if !isFenceLine(first, '-') {
		return fm, false, false
	}
	fm.yamlStart = next
	lineNo := 2
	for pos := next; pos < len(content); lineNo++ {
		line, after := lineAt(content, pos)
		if isFenceLine(line, '-') || isFenceLine(line, '.') {
			fm.yamlEnd, fm.body, fm.closeLine = pos, after, lineNo
			return fm, true, false
		}
		pos = after
	}
	return fm, false, true
}

// lineAt returns the line starting at pos without its line ending, and the
// offset of the next line.
func lineAt(content []byte, pos int) (line []byte, next int) {
	rest := content[pos:]
	nl := bytes.IndexByte(rest, '\n')
	if nl < 0 {
		return trimCR(rest), len(content)
	}
	return trimCR(rest[:nl]), pos + nl + 1
}

func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// isFenceLine reports whether line is exactly three c bytes followed only by
// spaces or tabs.
func isFenceLine(line []byte, c byte) bool {
	if len(line) < 3 || line[0] != c || line[1] != c || line[2] != c {
		return false
	}
	for _, b := range line[3:] {
		if b != ' ' && b != '\t' {
			return false
		}
	}
	return true
}

// yamlSource is the frontmatter text handed to the YAML parser, with what is
// needed to turn the parser's positions back into positions in the file.
type yamlSource struct {
	text       []byte
	firstLine  int   // file line number of text's first line
	closeLine  int   // file line number of the closing "---"
	lineStarts []int // offset of each line of text, computed when first needed
}

// filePos turns a YAML position (1-based line, 1-based column counted in
// characters) into a file position (column counted in bytes). Positions past
// the end of the frontmatter, which the parser reports for "unexpected end",
// map to the closing line.
func (y *yamlSource) filePos(line, col int) (int, int) {
	if line < 1 {
		return y.firstLine, 0
	}
	if y.lineStarts == nil {
		y.lineStarts = append(y.lineStarts, 0)
		for i, c := range y.text {
			if c == '\n' && i+1 < len(y.text) {
				y.lineStarts = append(y.lineStarts, i+1)
			}
		}
	}
	if line > len(y.lineStarts) || len(y.text) == 0 {
		return y.closeLine, 1
	}
	if col < 1 {
		return y.firstLine + line - 1, 0
	}
	byteCol := 1
	for rest := y.text[y.lineStarts[line-1]:]; col > 1 && len(rest) > 0 && rest[0] != '\n'; col-- {
		_, size := utf8.DecodeRune(rest)
		rest = rest[size:]
		byteCol += size
	}
	return y.firstLine + line - 1, byteCol
}

// loadYAML parses frontmatter into a node tree, by fastYAML when the
// frontmatter has the common simple shape. go-yaml has panicked on crafted
// input in past releases; Parse promises never to panic, so a panic here
// becomes an ordinary error.
func loadYAML(text []byte) (root yaml.Node, err error) {
	if fast, ok := fastYAML(text); ok {
		return *fast, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	err = yaml.Load(text, &root)
	return root, err
}

// describeYAMLError turns a go-yaml error into a message and a file
// position. The parser's own positions are relative to the frontmatter and
// its message would be misleading about lines, so the context position is
// rewritten in file terms.
func (y *yamlSource) describeYAMLError(err error) (line, col int, msg string) {
	var le *yaml.LoadError
	if !errors.As(err, &le) {
		return y.firstLine - 1, 0, "invalid YAML in frontmatter: " + err.Error()
	}
	line, col = y.filePos(le.Mark.Line, le.Mark.Column)
	msg = "invalid YAML in frontmatter: " + le.Message
	if le.ContextMsg != "" && le.ContextMark.Line > 0 {
		cl, cc := y.filePos(le.ContextMark.Line, le.ContextMark.Column)
		msg += fmt.Sprintf(" (%s that starts at line %d, column %d)", le.ContextMsg, cl, cc)
	}
	return line, col, msg
}

// maxYAMLValues bounds how many values one frontmatter may expand to, so that
// nested aliases ("billion laughs") cannot blow up memory or time.
const maxYAMLValues = 100_000

// maxYAMLDepth bounds nesting, which also stops alias cycles.
const maxYAMLDepth = 100

// yamlConverter turns a node tree into the typed values Document.Frontmatter
// holds.
type yamlConverter struct {
	budget   int
	exceeded bool
}

func (c *yamlConverter) value(n *yaml.Node, depth int) any {
	c.budget--
	if c.budget < 0 || depth > maxYAMLDepth {
		c.exceeded = true
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return scalarValue(n)
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			list = append(list, c.value(item, depth+1))
		}
		return list
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		c.mapping(n, m, depth)
		return m
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil
		}
		return c.value(n.Alias, depth+1)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.value(n.Content[0], depth+1)
	}
	return nil
}

// mapping fills m from a mapping node. Merge keys ("<<: *base") add the
// merged mapping's entries that m does not set itself.
func (c *yamlConverter) mapping(n *yaml.Node, m map[string]any, depth int) {
	c.budget--
	if c.budget < 0 {
		c.exceeded = true
		return
	}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		m[c.key(k, depth)] = c.value(v, depth+1)
	}
	for _, v := range merges {
		for v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for _, src := range sources {
			for src.Kind == yaml.AliasNode && src.Alias != nil {
				src = src.Alias
			}
			if src.Kind != yaml.MappingNode || depth > maxYAMLDepth || c.exceeded {
				continue
			}
			merged := make(map[string]any, len(src.Content)/2)
			c.mapping(src, merged, depth+1)
			for k, v := range merged {
				if _, set := m[k]; !set {
					m[k] = v
				}
			}
		}
	}
}

// key stringifies a mapping key: scalars as written, anything else as
// formatted by fmt.
func (c *yamlConverter) key(k *yaml.Node, depth int) string {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind == yaml.ScalarNode {
		return k.Value
	}
	return fmt.Sprint(c.value(k, depth+1))
}

// scalarValue converts a scalar by its resolved tag, the way go-yaml would
// decode it into an interface value, except that timestamps become
// time.Time (go-yaml leaves them strings) and integers are always int64.
// Non-finite floats stay strings: JSON, kotadb's output format, has no
// representation for them.
func scalarValue(n *yaml.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
	case "!!int":
		plain := strings.ReplaceAll(n.Value, "_", "")
		if v, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return v
		}
		if v, err := strconv.ParseUint(strings.TrimPrefix(plain, "+"), 0, 64); err == nil {
			return float64(v)
		}
	case "!!float":
		if v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return v
		}
	case "!!timestamp":
		if t, ok := yamlTimestamp(n.Value); ok {
			return t
		}
	}
	return n.Value
}

// yamlTimestampLayouts are the layouts go-yaml accepts for !!timestamp.
var yamlTimestampLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

func yamlTimestamp(s string) (time.Time, bool) {
	if t, ok := parseISODate(s); ok {
		return t, true
	}
	for _, layout := range yamlTimestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return parseDate(s)
}
