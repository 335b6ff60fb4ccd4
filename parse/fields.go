package parse

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v4"
)

// Frontmatter keys with a meaning for kotadb, matched case-insensitively.
// Hugo, Jekyll and Obsidian spell the dates differently, hence the synonyms.
const (
	keyTitle    = "title"
	keyTags     = "tags"
	keyTag      = "tag"
	keyAliases  = "aliases"
	keyAlias    = "alias"
	keyRelated  = "related"
	keyLinks    = "links"
	keyCreated  = "created"
	keyDate     = "date"
	keyUpdated  = "updated"
	keyModified = "modified"
	keyLastmod  = "lastmod"
)

// frontmatterDates are the dates found in frontmatter, zero when absent.
type frontmatterDates struct {
	created, date, updated, modified, lastmod time.Time
}

// readFrontmatter parses the YAML between the frontmatter fences, stores the
// typed values in doc.Frontmatter and picks out the keys kotadb
// understands. Problems become warnings; the body is indexed regardless.
func (p *parser) readFrontmatter(y *yamlSource) {
	if onlyComments(y.text) {
		return // "---\n---": empty frontmatter, which the YAML parser calls an error
	}
	root, err := loadYAML(y.text)
	if err != nil {
		line, col, msg := y.describeYAMLError(err)
		p.warn(line, col, "%s", msg)
		return
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return // empty frontmatter
	}
	top := root.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return
	}
	if top.Kind != yaml.MappingNode {
		line, col := y.filePos(top.Line, top.Column)
		p.warn(line, col, "frontmatter is a %s, not a mapping of keys to values; ignored", kindName(top.Kind))
		return
	}
	conv := yamlConverter{budget: maxYAMLValues}
	values := make(map[string]any, len(top.Content)/2)
	conv.mapping(top, values, 0)
	if conv.exceeded {
		line, col := y.filePos(top.Line, top.Column)
		p.warn(line, col, "frontmatter expands to more than %d values or %d levels (through aliases); ignored", maxYAMLValues, maxYAMLDepth)
		return
	}
	p.doc.Frontmatter = values

	var dates frontmatterDates
	seen := keySet{list: make([]string, 0, len(top.Content)/2)}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			continue
		}
		if !seen.add(k.Value) {
			line, col := y.filePos(k.Line, k.Column)
			p.warn(line, col, "frontmatter key %q is set more than once; the last value wins", k.Value)
		}
		v = deref(v)
		switch strings.ToLower(k.Value) {
		case keyTitle:
			if v.Kind == yaml.ScalarNode && v.Tag != "!!null" && p.fmTitle == "" {
				p.fmTitle = strings.TrimSpace(v.Value)
			}
		case keyTags, keyTag:
			p.frontmatterTags(v, 0)
		case keyAliases, keyAlias:
			p.frontmatterAliases(v, 0)
		case keyRelated, keyLinks:
			p.frontmatterLinks(y, v, false, 0)
		case keyCreated:
			dates.created = p.frontmatterDate(y, k.Value, v)
		case keyDate:
			dates.date = p.frontmatterDate(y, k.Value, v)
		case keyUpdated:
			dates.updated = p.frontmatterDate(y, k.Value, v)
		case keyModified:
			dates.modified = p.frontmatterDate(y, k.Value, v)
		case keyLastmod:
			dates.lastmod = p.frontmatterDate(y, k.Value, v)
		}
	}
	p.fmCreated = firstSet(dates.created, dates.date)
	p.fmUpdated = firstSet(dates.updated, dates.modified, dates.lastmod)
}

// onlyComments reports whether YAML text has nothing but blank lines and
// comments.
func onlyComments(text []byte) bool {
	for pos := 0; pos < len(text); {
		line, next := lineAt(text, pos)
		line = bytes.TrimLeft(line, " \t")
		if len(line) > 0 && line[0] != '#' {
			return false
		}
		pos = next
	}
	return true
}

// keySet is a set of strings that stays a slice while it is small, which
// is always for real frontmatter, and turns into a map for large ones.
type keySet struct {
	list []string
	m    map[string]bool
}

// add adds key and reports whether it was new.
func (s *keySet) add(key string) bool {
	if s.m != nil {
		if s.m[key] {
			return false
		}
		s.m[key] = true
		return true
	}
	if contains(s.list, key) {
		return false
	}
	s.list = append(s.list, key)
	if len(s.list) > 32 {
		s.m = make(map[string]bool, 2*len(s.list))
		for _, k := range s.list {
			s.m[k] = true
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstSet(times ...time.Time) time.Time {
	for _, t := range times {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// deref follows aliases (*name) to the node they stand for.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < maxYAMLDepth; i++ {
		n = n.Alias
	}
	return n
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.ScalarNode:
		return "single value"
	case yaml.SequenceNode:
		return "list"
	}
	return "document of unexpected shape"
}

// frontmatterTags collects tags from a list or a comma- or space-separated
// string ("backend, engineering/backend"). Nested lists come from unquoted
// [[x]] and are flattened.
func (p *parser) frontmatterTags(n *yaml.Node, depth int) {
	n = deref(n)
	switch {
	case depth > maxYAMLDepth:
	case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		rest := n.Value
		for rest != "" {
			end := strings.IndexFunc(rest, isTagSeparator)
			if end < 0 {
				end = len(rest)
			}
			if end > 0 {
				p.addTag(rest[:end])
			}
			rest = rest[min(end+1, len(rest)):]
		}
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			p.frontmatterTags(item, depth+1)
		}
	}
}

func isTagSeparator(r rune) bool {
	return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000'
}

// frontmatterAliases collects aliases from a string or a list of strings.
func (p *parser) frontmatterAliases(n *yaml.Node, depth int) {
	n = deref(n)
	switch {
	case depth > maxYAMLDepth:
	case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		alias := strings.TrimSpace(n.Value)
		if alias != "" && !contains(p.doc.Aliases, alias) {
			p.doc.Aliases = append(p.doc.Aliases, alias)
		}
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			p.frontmatterAliases(item, depth+1)
		}
	}
}

// frontmatterLinks collects links from related:/links: values. Strings may
// hold wikilinks ("[[Note]]", "[[a]], [[b]]") or a path. A string inside a
// nested list is a wikilink written without quotes: YAML reads
// related: [[Note]] as a list holding the list ["Note"].
func (p *parser) frontmatterLinks(y *yamlSource, n *yaml.Node, nested bool, depth int) {
	n = deref(n)
	switch {
	case depth > maxYAMLDepth:
	case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		line, _ := y.filePos(n.Line, n.Column)
		value := strings.TrimSpace(n.Value)
		switch {
		case strings.Contains(value, "[["):
			rest := value
			for {
				open := strings.Index(rest, "[[")
				if open < 0 {
					break
				}
				end := strings.Index(rest[open+2:], "]]")
				if end < 0 {
					break
				}
				p.addWikilink(LinkFrontmatter, []byte(rest[open+2:open+2+end]), line)
				rest = rest[open+2+end+2:]
			}
		case nested:
			p.addWikilink(LinkFrontmatter, []byte(value), line)
		default:
			p.addPathLink(LinkFrontmatter, []byte(value), nil, line)
		}
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			p.frontmatterLinks(y, item, depth > 0 || nested, depth+1)
		}
	}
}

// frontmatterDate reads a date value; a value that is not a date gets a
// warning pointing at it.
func (p *parser) frontmatterDate(y *yamlSource, key string, n *yaml.Node) time.Time {
	if n.Kind == yaml.ScalarNode {
		switch v := scalarValue(n).(type) {
		case nil:
			return time.Time{}
		case time.Time:
			return v
		case string:
			if strings.TrimSpace(v) == "" {
				return time.Time{}
			}
			if t, ok := parseDate(v); ok {
				return t
			}
		}
	}
	line, col := y.filePos(n.Line, n.Column)
	shown := strconv.Quote(n.Value)
	if n.Kind != yaml.ScalarNode {
		shown = "a " + kindName(n.Kind)
	}
	p.warn(line, col, "frontmatter %q: cannot read %s as a date (write it as YYYY-MM-DD or RFC 3339, e.g. 2024-05-01T10:00:00Z)", key, shown)
	return time.Time{}
}
