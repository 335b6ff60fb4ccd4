package trigram

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"
)

// SyntaxError reports a malformed regular expression and where the problem
// is.
type SyntaxError struct {
	Expr   string // the expression as given
	Column int    // 1-based byte column in Expr of the problem
	Err    error  // the *syntax.Error from regexp/syntax, or a compile error
}

func (e *SyntaxError) Error() string {
	msg := e.Err.Error()
	var se *syntax.Error
	if errors.As(e.Err, &se) {
		msg = string(se.Code)
		if se.Expr != "" {
			msg += ": `" + se.Expr + "`"
		}
	}
	return fmt.Sprintf("invalid regexp at column %d: %s", e.Column, msg)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// maxColumnSearch bounds the quadratic prefix search in errorColumn; longer
// expressions fall back to locating the error text.
const maxColumnSearch = 1024

// errorColumn returns the 1-based byte column in expr of the error parsing
// expr reported. regexp/syntax names the offending text but not where it
// is, so the column is found by re-parsing prefixes: the shortest prefix
// that fails the same way ends at the problem.
func errorColumn(expr string, err error) int {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return 1
	}
	switch se.Code {
	case syntax.ErrTrailingBackslash:
		return len(expr)
	case syntax.ErrMissingParen:
		if i := lastUnclosedParen(expr); i >= 0 {
			return i + 1
		}
		return len(expr)
	}
	if len(expr) <= maxColumnSearch {
		for n := 1; n <= len(expr); n++ {
			prefix := expr[:n]
			_, perr := syntax.Parse(prefix, syntax.Perl)
			var pe *syntax.Error
			if !errors.As(perr, &pe) || pe.Code != se.Code {
				continue
			}
			if se.Code == syntax.ErrUnexpectedParen {
				return n // the ) that made the prefix fail
			}
			if pe.Expr == se.Expr && strings.HasSuffix(prefix, pe.Expr) {
				return n - len(pe.Expr) + 1
			}
		}
	}
	if i := strings.Index(expr, se.Expr); i >= 0 {
		return i + 1
	}
	return 1
}

// lastUnclosedParen returns the index of the innermost ( left open in expr,
// skipping escapes, \Q…\E quotes and character classes; -1 if none.
func lastUnclosedParen(expr string) int {
	var open []int
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '\\':
			if i+1 < len(expr) && expr[i+1] == 'Q' {
				end := strings.Index(expr[i+2:], `\E`)
				if end < 0 {
					return lastOr(open, -1)
				}
				i += 2 + end + 1
				continue
			}
			i++
		case '[':
			i = classEnd(expr, i)
		case '(':
			open = append(open, i)
		case ')':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	return lastOr(open, -1)
}

// classEnd returns the index of the ] closing the class that starts at
// expr[start] == '[' (or the last index when it is unclosed).
func classEnd(expr string, start int) int {
	i := start + 1
	if i < len(expr) && expr[i] == '^' {
		i++
	}
	if i < len(expr) && expr[i] == ']' {
		i++ // a leading ] is a literal
	}
	for ; i < len(expr); i++ {
		switch {
		case expr[i] == '\\':
			i++
		case strings.HasPrefix(expr[i:], "[:"):
			if end := strings.Index(expr[i+2:], ":]"); end >= 0 {
				i += 2 + end + 1
			}
		case expr[i] == ']':
			return i
		}
	}
	return len(expr) - 1
}

func lastOr(s []int, def int) int {
	if len(s) == 0 {
		return def
	}
	return s[len(s)-1]
}
