package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SyntaxError is a KQL parse error: the 1-based column (in characters) of
// the offending token, the token, what is wrong and how to fix it.
type SyntaxError struct {
	Col   int
	Token string
	Msg   string
	Hint  string
}

func (e *SyntaxError) Error() string {
	s := fmt.Sprintf("col %d: %s", e.Col, e.Msg)
	if e.Hint != "" {
		s += " — " + e.Hint
	}
	return s
}

type tokKind uint8

const (
	tEOF    tokKind = iota
	tLParen         // (
	tRParen         // )
	tBar            // |
	tNeg            // - directly before a clause
	tWord           // bare text
	tQuoted         // "text" (text holds the unescaped content)
	tWiki           // [[text]]
	tRegex          // /pattern/flags
	tName           // name: (text holds the name; quoted names allowed)
)

type token struct {
	kind  tokKind
	text  string
	flags string // tRegex
	off   int    // byte offset of the token's first character
	end   int    // byte offset just past it
	col   int    // 1-based character column of off
	adj   bool   // no whitespace between the previous token and this one
}

// lexer splits a KQL string into tokens. Whether '-' negates and whether
// ':' ends a name depends on position: right after "name:" (a value) both
// are ordinary characters, so `updated:-7d` and `created:2025-01-01T10:00`
// lex as one value.
type lexer struct {
	src  string
	toks []token
}

func lex(src string) ([]token, error) {
	l := &lexer{src: src}
	if !utf8.ValidString(src) {
		bad := 0
		for bad < len(src) {
			r, n := utf8.DecodeRuneInString(src[bad:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			bad += n
		}
		return nil, l.errAt(bad, fmt.Sprintf("%q", src[bad:bad+1]), "invalid UTF-8", "queries are UTF-8 text")
	}
	i := 0
	for {
		start := i
		for i < len(src) {
			r, n := utf8.DecodeRuneInString(src[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		adj := i == start && len(l.toks) > 0
		if i >= len(src) {
			l.toks = append(l.toks, token{kind: tEOF, off: i, end: i, col: l.col(i)})
			return l.toks, nil
		}
		value := adj && l.toks[len(l.toks)-1].kind == tName
		t, err := l.next(i, value)
		if err != nil {
			return nil, err
		}
		t.adj = adj
		t.col = l.col(t.off)
		l.toks = append(l.toks, t)
		i = t.end
	}
}

func (l *lexer) col(off int) int { return utf8.RuneCountInString(l.src[:off]) + 1 }

func (l *lexer) errAt(off int, tok, msg, hint string) error {
	return &SyntaxError{Col: l.col(off), Token: tok, Msg: msg, Hint: hint}
}

func (l *lexer) next(i int, value bool) (token, error) {
	s := l.src
	c := s[i]
	switch {
	case c == '"':
		text, end, err := l.quoted(i)
		if err != nil {
			return token{}, err
		}
		if !value && end < len(s) && s[end] == ':' {
			return token{kind: tName, text: text, off: i, end: end + 1}, nil
		}
		return token{kind: tQuoted, text: text, off: i, end: end}, nil
	case strings.HasPrefix(s[i:], "[["):
		j := strings.Index(s[i+2:], "]]")
		if j < 0 {
			return token{}, l.errAt(i, "[[", "unterminated [[", "close it with ]]")
		}
		return token{kind: tWiki, text: s[i+2 : i+2+j], off: i, end: i + 2 + j + 2}, nil
	case value && c != ')' && c != '|':
		return l.word(i, true), nil
	case c == '(':
		return token{kind: tLParen, text: "(", off: i, end: i + 1}, nil
	case c == ')':
		return token{kind: tRParen, text: ")", off: i, end: i + 1}, nil
	case c == '|':
		return token{kind: tBar, text: "|", off: i, end: i + 1}, nil
	case c == '-' && !strings.HasPrefix(s[i:], "--"):
		if i+1 == len(s) || isSpaceAt(s, i+1) || s[i+1] == ')' || s[i+1] == '|' {
			return token{}, l.errAt(i, "-", "'-' excludes nothing", "write it directly before what to exclude, as in -tag:archive")
		}
		return token{kind: tNeg, text: "-", off: i, end: i + 1}, nil
	case c == '/':
		return l.regex(i)
	}
	return l.word(i, false), nil
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// quoted reads "…" starting at i; \" and \\ are escapes, any other
// backslash is literal.
func (l *lexer) quoted(i int) (string, int, error) {
	var b strings.Builder
	s := l.src
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 < len(s) && (s[j+1] == '"' || s[j+1] == '\\') {
				j++
			}
			b.WriteByte(s[j])
		case '"':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(s[j])
		}
	}
	return "", 0, l.errAt(i, `"`, "unterminated quote", `close it with "`)
}

// regex reads /pattern/flags; \/ is an escaped slash, other escapes belong
// to the pattern.
func (l *lexer) regex(i int) (token, error) {
	var b strings.Builder
	s := l.src
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 < len(s) {
				if s[j+1] != '/' {
					b.WriteByte('\\')
				}
				j++
				b.WriteByte(s[j])
				continue
			}
			b.WriteByte('\\')
		case '/':
			end := j + 1
			for end < len(s) && isWordByte(s[end]) {
				end++
			}
			return token{kind: tRegex, text: b.String(), flags: s[j+1 : end], off: i, end: end}, nil
		default:
			b.WriteByte(s[j])
		}
	}
	return token{}, l.errAt(i, "/", "unterminated regex", "close it with / (write \\/ for a slash inside it)")
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// word reads bare text up to whitespace, a quote, "[[", '|' or an
// unbalanced ')'. Outside a value, text followed by ':' that is a valid name
// becomes a tName.
func (l *lexer) word(i int, value bool) token {
	s := l.src
	depth := 0
	j := i
	for j < len(s) {
		c := s[j]
		if c == ':' && !value && validName(s[i:j]) {
			return token{kind: tName, text: s[i:j], off: i, end: j + 1}
		}
		if c == '"' || c == '|' && depth == 0 || strings.HasPrefix(s[j:], "[[") || isSpaceAt(s, j) {
			break
		}
		if c == '(' {
			depth++
		} else if c == ')' {
			if depth == 0 {
				break
			}
			depth--
		}
		_, n := utf8.DecodeRuneInString(s[j:])
		j += n
	}
	return token{kind: tWord, text: s[i:j], off: i, end: j}
}

// validName: a field or operator name written bare — a letter or '_' and
// then letters, digits, '_', '-' or '.'.
func validName(s string) bool {
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || r == '_':
		case i > 0 && (unicode.IsDigit(r) || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}
