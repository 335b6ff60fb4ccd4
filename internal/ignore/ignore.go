// Package ignore implements git's .gitignore semantics (also used for
// .kotadbignore files, which share the syntax).
//
// A List is one parsed ignore file; it applies to the directory it sits in
// and everything below. A Matcher stacks the lists of a directory and its
// ancestors: the deepest list that has a matching pattern decides, and
// inside a list the last matching line decides, as in git. Like git, a
// Matcher only answers for the path it is given: callers walking a tree
// stop descending into ignored directories, which is what makes a file
// inside an ignored directory impossible to re-include.
//
// The rules follow gitignore(5) and git's dir.c: blank lines and lines
// starting with '#' are skipped; trailing spaces are dropped unless escaped
// with '\'; a leading '!' negates; a trailing '/' matches directories only;
// a pattern with a '/' at the start or in the middle is anchored to the
// list's directory, one without matches the base name at any depth; '*',
// '?', '[...]' and '**' are globs (see wildmatch.go).
package ignore

import (
	"bytes"
	"strconv"
	"strings"
)

// Pattern is one effective line of an ignore file.
type Pattern struct {
	// Source and Line say where the pattern was written, for explanations.
	Source string
	Line   int
	// Text is the line after trimming trailing spaces, as git sees it.
	Text string

	glob      string // without '!' and the trailing '/'
	literal   int    // length of glob's leading part without glob specials
	negative  bool
	mustBeDir bool
	baseName  bool // no '/' in glob: matched against the base name only
}

// Negative reports whether the pattern re-includes ("!pattern").
func (p *Pattern) Negative() bool { return p.negative }

// String renders the pattern as source:line:text, like git check-ignore -v.
func (p *Pattern) String() string {
	return p.Source + ":" + strconv.Itoa(p.Line) + ":" + p.Text
}

// List is the parsed content of one ignore file.
type List struct {
	// Base is the directory the file applies to, relative to the walk root,
	// with forward slashes and no trailing slash; "" is the root itself.
	Base     string
	Patterns []Pattern
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Parse compiles the content of an ignore file found in directory base
// (relative to the walk root, "" for the root). source names the file in
// explanations. Every byte sequence is a valid ignore file for git, so Parse
// cannot fail; lines that can never match are kept and simply never match.
func Parse(base, source string, data []byte) *List {
	l := &List{Base: strings.Trim(base, "/")}
	data = bytes.TrimPrefix(data, utf8BOM)
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		// git handles lines as C strings: nothing after a NUL counts.
		if i := bytes.IndexByte(line, 0); i >= 0 {
			line = line[:i]
		}
		text := trimTrailingSpaces(string(line))
		l.Patterns = append(l.Patterns, compile(source, lineNo, text))
	}
	return l
}

// trimTrailingSpaces drops trailing ' ' (not tabs) unless escaped by '\'.
func trimTrailingSpaces(s string) string {
	lastSpace := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if lastSpace < 0 {
				lastSpace = i
			}
		case '\\':
			i++
			if i >= len(s) {
				return s
			}
			lastSpace = -1
		default:
			lastSpace = -1
		}
	}
	if lastSpace >= 0 {
		return s[:lastSpace]
	}
	return s
}

func compile(source string, line int, text string) Pattern {
	p := Pattern{Source: source, Line: line, Text: text}
	g := text
	if strings.HasPrefix(g, "!") {
		p.negative = true
		g = g[1:]
	}
	if strings.HasSuffix(g, "/") {
		p.mustBeDir = true
		g = g[:len(g)-1]
	}
	p.baseName = !strings.Contains(g, "/")
	p.glob = g
	p.literal = len(g)
	for i := 0; i < len(g); i++ {
		if isGlobSpecial(g[i]) {
			p.literal = i
			break
		}
	}
	return p
}

// match reports whether the pattern matches name, the path relative to the
// directory of the pattern's list.
func (p *Pattern) match(name string, isDir bool) bool {
	if p.mustBeDir && !isDir {
		return false
	}
	if p.baseName {
		base := name[strings.LastIndexByte(name, '/')+1:]
		if p.literal == len(p.glob) {
			return base == p.glob
		}
		return wildmatch(p.glob, base)
	}
	glob, literal := p.glob, p.literal
	if strings.HasPrefix(glob, "/") {
		glob, literal = glob[1:], literal-1
	}
	// git compares the literal prefix separately and wildmatches only the
	// rest, which matters for "**": in "a**/b" the "**" then starts the
	// glob and counts as a whole path segment.
	if literal > 0 {
		if literal > len(name) || name[:literal] != glob[:literal] {
			return false
		}
		glob, name = glob[literal:], name[literal:]
		if glob == "" && name == "" {
			return true
		}
	}
	return wildmatch(glob, name)
}

// Matcher is an immutable stack of ignore lists, root first. The nil
// *Matcher is valid and ignores nothing.
type Matcher struct {
	parent *Matcher
	list   *List
}

// Push returns a matcher that also applies l, with higher priority than
// every list already on the stack (l belongs to a deeper directory, or is a
// later file of the same directory). A nil or empty l returns m unchanged.
func (m *Matcher) Push(l *List) *Matcher {
	if l == nil || len(l.Patterns) == 0 {
		return m
	}
	return &Matcher{parent: m, list: l}
}

// Match decides path (relative to the walk root, forward slashes, no
// leading or trailing slash). It reports whether the path is ignored and
// which pattern decided, or nil when no pattern matched. Ancestors are not
// checked: see the package comment.
func (m *Matcher) Match(path string, isDir bool) (ignored bool, by *Pattern) {
	for ; m != nil; m = m.parent {
		name, ok := under(m.list.Base, path)
		if !ok {
			continue
		}
		pats := m.list.Patterns
		for i := len(pats) - 1; i >= 0; i-- {
			if pats[i].match(name, isDir) {
				return !pats[i].negative, &pats[i]
			}
		}
	}
	return false, nil
}

// under returns path relative to base when path is strictly inside base.
func under(base, path string) (string, bool) {
	if base == "" {
		return path, path != ""
	}
	if len(path) <= len(base)+1 || path[len(base)] != '/' || path[:len(base)] != base {
		return "", false
	}
	return path[len(base)+1:], true
}
