package query

import (
	"fmt"
	"regexp"
	"strings"
)

// Glob is a compiled path glob: `*` matches within a folder, `**` across
// folders (`notes/**` is everything under notes/, `**/x.md` is x.md in any
// folder, the root included), `?` one character other than '/'. Everything
// else is literal; `\` escapes the next character.
type Glob struct {
	re *regexp.Regexp
	// Prefix is the literal text before the first wildcard: every match
	// starts with it, which lets an index scan only that key range.
	Prefix string
}

// CompileGlob compiles a glob.
func CompileGlob(g string) (*Glob, error) {
	var re strings.Builder
	var prefix strings.Builder
	literal := true
	re.WriteString("^")
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch {
		case c == '\\':
			if i+1 == len(g) {
				return nil, fmt.Errorf("glob %q ends with a lone backslash", g)
			}
			i++
			re.WriteString(regexp.QuoteMeta(g[i : i+1]))
			if literal {
				prefix.WriteByte(g[i])
			}
			continue
		case c == '*' && i+1 < len(g) && g[i+1] == '*':
			literal = false
			i++
			if i+1 < len(g) && g[i+1] == '/' {
				i++
				re.WriteString("(?:.*/)?")
			} else {
				re.WriteString(".*")
			}
		case c == '*':
			literal = false
			re.WriteString("[^/]*")
		case c == '?':
			literal = false
			re.WriteString("[^/]")
		default:
			re.WriteString(regexp.QuoteMeta(g[i : i+1]))
			if literal {
				prefix.WriteByte(c)
			}
		}
	}
	re.WriteString("$")
	compiled, err := regexp.Compile(re.String())
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", g, err)
	}
	return &Glob{re: compiled, Prefix: prefix.String()}, nil
}

// Match reports whether path matches the glob.
func (g *Glob) Match(path string) bool { return g.re.MatchString(path) }
