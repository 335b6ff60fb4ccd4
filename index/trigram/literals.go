package trigram

import (
	"regexp/syntax"
	"unicode/utf8"
)

// literal is a string every match of some regexp (or one branch) contains.
type literal struct {
	s    string
	fold bool // matched case-insensitively
}

const (
	// maxLiteralAlternatives bounds the literals of an alternation that
	// MatchLines searches for one by one.
	maxLiteralAlternatives = 8
	// minLiteralLen: a shorter literal (a single letter) occurs on most
	// lines and would not pay for the per-line regexp runs.
	minLiteralLen = 2
)

// requiredLiterals returns literals of which every match of re contains at
// least one, or nil when no useful set is known.
func requiredLiterals(re *syntax.Regexp) []literal {
	set := literalsOf(re)
	if minLitLen(set) < minLiteralLen {
		return nil
	}
	return set
}

func literalsOf(re *syntax.Regexp) []literal {
	switch re.Op {
	case syntax.OpLiteral:
		if !searchableLiteral(re.Rune) {
			return nil
		}
		return []literal{{s: string(re.Rune), fold: re.Flags&syntax.FoldCase != 0}}
	case syntax.OpCapture, syntax.OpPlus:
		return literalsOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return literalsOf(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []literal
		for _, sub := range re.Sub {
			if set := literalsOf(sub); betterLiterals(set, best) {
				best = set
			}
		}
		return best
	case syntax.OpAlternate:
		var all []literal
		for _, sub := range re.Sub {
			set := literalsOf(sub)
			if set == nil || len(all)+len(set) > maxLiteralAlternatives {
				return nil
			}
			all = append(all, set...)
		}
		return all
	}
	return nil
}

// betterLiterals reports whether set a is a better prefilter than b: its
// shortest literal is longer, or as long with fewer alternatives.
func betterLiterals(a, b []literal) bool {
	switch {
	case len(a) == 0:
		return false
	case len(b) == 0:
		return true
	}
	la, lb := minLitLen(a), minLitLen(b)
	return la > lb || (la == lb && len(a) < len(b))
}

func minLitLen(set []literal) int {
	if len(set) == 0 {
		return 0
	}
	m := len(set[0].s)
	for _, l := range set[1:] {
		m = min(m, len(l.s))
	}
	return m
}

// canMatchNewline reports whether some match of re may contain '\n'.
func canMatchNewline(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpAnyChar:
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r == '\n' {
				return true
			}
		}
		return false
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
				return true
			}
		}
		return false
	}
	for _, sub := range re.Sub {
		if canMatchNewline(sub) {
			return true
		}
	}
	return false
}

// hasTextAnchor reports whether re uses \A or \z (or ^ and $ without the
// m flag), which mean something else when run on a single line.
func hasTextAnchor(re *syntax.Regexp) bool {
	if re.Op == syntax.OpBeginText || re.Op == syntax.OpEndText {
		return true
	}
	for _, sub := range re.Sub {
		if hasTextAnchor(sub) {
			return true
		}
	}
	return false
}

// prefixLiteral returns the literal every match of re starts with, if re is
// a literal or a concatenation that begins with one, and whether anything
// follows it. It is only worth using when it is about as selective as the
// best required literal.
func prefixLiteral(re *syntax.Regexp) (lit literal, rest, ok bool) {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	first := re
	if re.Op == syntax.OpConcat && len(re.Sub) > 0 {
		first, rest = re.Sub[0], true
		for first.Op == syntax.OpCapture {
			first = first.Sub[0]
		}
	}
	if first.Op != syntax.OpLiteral || !searchableLiteral(first.Rune) {
		return literal{}, false, false
	}
	lit = literal{s: string(first.Rune), fold: first.Flags&syntax.FoldCase != 0}
	if len(lit.s) < minLiteralLen || 2*len(lit.s) < minLitLen(requiredLiterals(re)) {
		return literal{}, false, false
	}
	return lit, rest, true
}

// searchableLiteral reports whether a literal can be searched for as the
// bytes of its runes. U+FFFD also stands for any invalid byte in the text,
// which a byte search would not find; a surrogate (\x{D800}) matches
// nothing, but converts to the bytes of U+FFFD.
func searchableLiteral(rs []rune) bool {
	if len(rs) == 0 {
		return false
	}
	for _, r := range rs {
		if r == utf8.RuneError || !utf8.ValidRune(r) {
			return false
		}
	}
	return true
}
