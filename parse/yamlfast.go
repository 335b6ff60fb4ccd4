package parse

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"
)

// Most frontmatter is a flat list of "key: value" lines and short lists,
// yet go-yaml's general parser spends more time on it than the whole
// markdown scan takes (a profile of go test ./parse -run '^$' -bench
// ParseDwarves -cpuprofile cpu.out shows the split). fastYAML reads that
// common shape directly and builds the node tree go-yaml would build, node
// for node (kinds, tags, values, styles, lines and columns; FuzzFrontmatter
// checks it against go-yaml). At the first line it is not certain about it gives up
// and go-yaml reads the frontmatter instead, so the fast path never changes
// a result and invalid YAML always gets go-yaml's error.
//
// The shape it accepts, line by line:
//
//	key: plain scalar | 'single' | "double without escapes" | [flow, list]
//	key:               (null, or a block list below it)
//	  - item           (plain or quoted, at one indentation)
//	# comment, blank lines

// fastYAML parses text if it has the simple shape; ok is false otherwise.
// All strings in the tree are slices of one copy of text, and the nodes
// come from one allocation: a note's frontmatter costs a handful of
// allocations instead of one per value.
func fastYAML(text []byte) (root *yaml.Node, ok bool) {
	src := string(text)
	f := fastYAMLParser{nodes: make([]yaml.Node, 0, 2*strings.Count(src, "\n")+4)}
	var top *yaml.Node
	var list *yaml.Node // block list being filled, nil when none
	listIndent := -1
	afterValue := false // the previous entry had its value on its line
	lineNo := 0
	for pos := 0; pos < len(src); {
		line, next := stringLineAt(src, pos)
		pos = next
		lineNo++
		if !plainLine(line) {
			return nil, false
		}
		ind := 0
		for ind < len(line) && line[ind] == ' ' {
			ind++
		}
		if ind == len(line) || line[ind] == '#' {
			continue // blank or comment
		}
		if ind > 0 || line[0] == '-' && (len(line) == 1 || line[1] == ' ') {
			// A list item under the previous "key:".
			if afterValue || top == nil || line[ind] != '-' || listIndent >= 0 && ind != listIndent {
				return nil, false
			}
			item, ok := f.listItem(line, ind, lineNo)
			if !ok {
				return nil, false
			}
			if list == nil {
				list = f.node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: lineNo, Column: ind + 1})
				top.Content[len(top.Content)-1] = list
				listIndent = ind
			}
			list.Content = append(list.Content, item)
			continue
		}
		key, value, ok := f.entry(line, lineNo)
		if !ok {
			return nil, false
		}
		if top == nil {
			top = f.node(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: lineNo, Column: 1,
				Content: make([]*yaml.Node, 0, 2*strings.Count(src[pos:], "\n")+2)})
		}
		top.Content = append(top.Content, key, value)
		list, listIndent = nil, -1
		afterValue = value.Tag != "!!null" || value.Value != ""
	}
	if top == nil {
		return nil, false
	}
	return f.node(yaml.Node{Kind: yaml.DocumentNode, Line: top.Line, Column: 1, Content: []*yaml.Node{top}}), true
}

// fastYAMLParser hands out nodes from a slab.
type fastYAMLParser struct {
	nodes []yaml.Node
}

func (f *fastYAMLParser) node(n yaml.Node) *yaml.Node {
	if len(f.nodes) == cap(f.nodes) {
		f.nodes = make([]yaml.Node, 0, 16) // earlier nodes stay where they are
	}
	f.nodes = append(f.nodes, n)
	return &f.nodes[len(f.nodes)-1]
}

// stringLineAt is lineAt for strings.
func stringLineAt(s string, pos int) (line string, next int) {
	rest := s[pos:]
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 {
		return strings.TrimSuffix(rest, "\r"), len(s)
	}
	return strings.TrimSuffix(rest[:nl], "\r"), pos + nl + 1
}

// plainLine reports whether line has nothing that needs go-yaml's care:
// tabs, control characters, and the characters YAML treats as line breaks,
// byte order marks or non-printable.
func plainLine(line string) bool {
	for i := 0; i < len(line); {
		c := line[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(line[i:])
		if size == 1 || r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}

// entry reads "key: value" or "key:" at the start of a line.
func (f *fastYAMLParser) entry(line string, lineNo int) (key, value *yaml.Node, ok bool) {
	if len(line) > 1024 || strings.HasPrefix(line, "---") || strings.HasPrefix(line, "...") {
		return nil, nil, false
	}
	colon := -1
	for i := 0; i < len(line); i++ {
		if line[i] == ':' && (i+1 == len(line) || line[i+1] == ' ') {
			colon = i
			break
		}
	}
	if colon < 1 {
		return nil, nil, false
	}
	keyText := strings.TrimRight(line[:colon], " ")
	if !plainScalar(keyText, false) {
		return nil, nil, false
	}
	key = f.plainNode(keyText, lineNo, 1)
	rest := line[colon+1:]
	start := 0
	for start < len(rest) && rest[start] == ' ' {
		start++
	}
	if start == len(rest) {
		return key, f.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: lineNo, Column: runeColumn(line, colon+1)}), true
	}
	if rest[start] == '[' {
		value, ok = f.flowList(line, colon+1+start, lineNo)
	} else {
		value, ok = f.scalar(rest[start:], lineNo, runeColumn(line, colon+1+start))
	}
	return key, value, ok
}

// listItem reads "- item" at indentation ind.
func (f *fastYAMLParser) listItem(line string, ind, lineNo int) (*yaml.Node, bool) {
	rest := line[ind+1:]
	if len(rest) > 0 && rest[0] != ' ' {
		return nil, false
	}
	start := 0
	for start < len(rest) && rest[start] == ' ' {
		start++
	}
	if start == len(rest) {
		return f.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: lineNo, Column: ind + 2}), true
	}
	if rest[start] == '[' {
		return nil, false
	}
	return f.scalar(rest[start:], lineNo, runeColumn(line, ind+1+start))
}

// scalar reads a one-line scalar that fills the rest of the line.
func (f *fastYAMLParser) scalar(s string, lineNo, col int) (*yaml.Node, bool) {
	switch s[0] {
	case '\'', '"':
		value, end, ok := quoted(s)
		if !ok || strings.TrimRight(s[end:], " ") != "" {
			return nil, false
		}
		return f.quotedNode(value, s[0], lineNo, col), true
	}
	text := strings.TrimRight(s, " ")
	if !plainScalar(text, false) {
		return nil, false
	}
	return f.plainNode(text, lineNo, col), true
}

// quoted reads a one-line 'single' or "double" quoted scalar at s[0] and
// returns its value and the offset after the closing quote. Double-quoted
// scalars with escapes are left to go-yaml.
func quoted(s string) (value string, end int, ok bool) {
	q := s[0]
	escaped := false // a '' inside single quotes
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && q == '"':
			return "", 0, false
		case c == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			escaped = true
			i++
		case c == q:
			value = s[1:i]
			if escaped {
				value = strings.ReplaceAll(value, "''", "'")
			}
			return value, i + 1, true
		}
	}
	return "", 0, false
}

// flowList reads a one-line flow list "[a, 'b', c]" at line[off] that fills
// the rest of the line.
func (f *fastYAMLParser) flowList(line string, off, lineNo int) (*yaml.Node, bool) {
	b := line[off:]
	list := f.node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: lineNo, Column: runeColumn(line, off)})
	i := 1
	for {
		for i < len(b) && b[i] == ' ' {
			i++
		}
		if i >= len(b) {
			return nil, false
		}
		if b[i] == ']' && len(list.Content) == 0 {
			break
		}
		col := runeColumn(line, off+i)
		var item *yaml.Node
		if b[i] == '\'' || b[i] == '"' {
			value, end, ok := quoted(b[i:])
			if !ok {
				return nil, false
			}
			item, i = f.quotedNode(value, b[i], lineNo, col), i+end
		} else {
			start := i
			for i < len(b) && b[i] != ',' && b[i] != ']' {
				i++
			}
			text := strings.TrimRight(b[start:i], " ")
			if !plainScalar(text, true) {
				return nil, false
			}
			item = f.plainNode(text, lineNo, col)
		}
		list.Content = append(list.Content, item)
		for i < len(b) && b[i] == ' ' {
			i++
		}
		if i < len(b) && b[i] == ',' {
			i++
			continue
		}
		break
	}
	if i >= len(b) || b[i] != ']' || strings.TrimRight(b[i+1:], " ") != "" {
		return nil, false
	}
	return list, true
}

// plainScalar reports whether s, already trimmed, is certainly a one-line
// plain scalar: no indicator at its start, no ": " or " #" inside, no ':'
// at its end, and in a flow list none of ",[]{}" and no ':' at all.
func plainScalar(s string, flow bool) bool {
	if s == "" {
		return false
	}
	switch c := s[0]; c {
	case '-', '?', ':':
		if len(s) == 1 || s[1] == ' ' {
			return false
		}
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	if s[len(s)-1] == ':' || strings.Contains(s, ": ") || strings.Contains(s, " #") {
		return false
	}
	return !flow || !strings.ContainsAny(s, ",[]{}:")
}

func (f *fastYAMLParser) plainNode(s string, lineNo, col int) *yaml.Node {
	return f.node(yaml.Node{Kind: yaml.ScalarNode, Tag: resolvePlain(s), Value: s, Line: lineNo, Column: col})
}

func (f *fastYAMLParser) quotedNode(value string, q byte, lineNo, col int) *yaml.Node {
	style := yaml.DoubleQuotedStyle
	if q == '\'' {
		style = yaml.SingleQuotedStyle
	}
	return f.node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: style, Value: value, Line: lineNo, Column: col})
}

// runeColumn is the 1-based column, counted in characters as go-yaml does,
// of line[off].
func runeColumn(line string, off int) int {
	return utf8.RuneCountInString(line[:off]) + 1
}

// resolvePlain gives the tag go-yaml resolves a plain scalar to (YAML 1.2
// core schema plus timestamps), following go-yaml's resolver rule by rule.
func resolvePlain(s string) string {
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "", "~", "null", "Null", "NULL":
		return "!!null"
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
		"-.inf", "-.Inf", "-.INF", "-0", "-0.0":
		return "!!float"
	case "<<":
		return "!!merge"
	}
	switch c := s[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float"
		}
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		if isYAMLTimestamp(s) {
			return "!!timestamp"
		}
		plain := strings.ReplaceAll(s, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(strings.TrimPrefix(plain, "+"), 0, 64); err == nil {
			return "!!int"
		}
		if isYAMLFloat(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return "!!float"
			}
		}
	}
	return "!!str"
}

// isYAMLTimestamp is go-yaml's timestamp test: four digits, '-', then one
// of its layouts.
func isYAMLTimestamp(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if _, ok := parseISODate(s); ok {
		return true
	}
	for _, layout := range yamlTimestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// isYAMLFloat matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$.
func isYAMLFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
