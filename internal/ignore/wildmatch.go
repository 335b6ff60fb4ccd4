package ignore

// This file is a port of git's wildmatch.c (the matcher behind .gitignore),
// restricted to the WM_PATHNAME mode git uses for ignore files: '*' and '?'
// never match '/', and "**" matches across directories only when it forms a
// whole path segment ("**/", "/**/", "/**"). Porting rather than
// reinventing keeps the corner cases (bracket expressions starting with ']',
// "[:class:]", escapes, the abort shortcuts that keep matching linear-ish on
// many stars) identical to git's.

// wildmatch results. abortAll and abortToStarStar are git's shortcuts: once a
// '*' cannot be satisfied by any later position, no outer '*' can do better
// either, which bounds the backtracking.
const (
	wmMatch = iota
	wmNoMatch
	wmAbortAll
	wmAbortToStarStar
)

// wildmatch reports whether text matches the glob pattern with git's
// WM_PATHNAME semantics.
func wildmatch(pattern, text string) bool {
	return dowild(pattern, text) == wmMatch
}

func isGlobSpecial(c byte) bool {
	return c == '*' || c == '?' || c == '[' || c == '\\'
}

// at returns s[i] or 0 past the end, mirroring C's NUL-terminated strings so
// the port can follow the original control flow closely.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func dowild(pat, text string) int {
	p, t := 0, 0
	for ; p < len(pat); p, t = p+1, t+1 {
		pch := pat[p]
		tch := at(text, t)
		if t >= len(text) && pch != '*' {
			return wmAbortAll
		}
		switch pch {
		case '\\':
			// Literal match with the next character; a trailing backslash
			// compares against NUL and so never matches.
			p++
			if at(pat, p) != tch {
				return wmNoMatch
			}
			continue
		case '?':
			if tch == '/' {
				return wmNoMatch
			}
			continue
		case '*':
			matchSlash := false
			p++
			if at(pat, p) == '*' {
				prev := p - 2
				for p++; at(pat, p) == '*'; p++ {
				}
				if (prev < 0 || pat[prev] == '/') &&
					(p >= len(pat) || pat[p] == '/' || (pat[p] == '\\' && at(pat, p+1) == '/')) {
					// "**/" may match nothing: foo/**/bar matches foo/bar.
					if at(pat, p) == '/' && dowild(pat[p+1:], text[t:]) == wmMatch {
						return wmMatch
					}
					matchSlash = true
				}
			}
			if p >= len(pat) {
				// Trailing "**" matches everything; a trailing "*" only
				// what has no more slashes.
				if !matchSlash && indexByte(text[t:], '/') >= 0 {
					return wmNoMatch
				}
				return wmMatch
			}
			if !matchSlash && pat[p] == '/' {
				// A single '*' followed by '/' matches the rest of this
				// path segment; the loop's increment consumes the slash.
				slash := indexByte(text[t:], '/')
				if slash < 0 {
					return wmNoMatch
				}
				t += slash
				continue
			}
			for t < len(text) {
				tch = text[t]
				// Skip ahead to the next occurrence of a literal that follows
				// the star: everything before it must belong to the star.
				if !isGlobSpecial(pat[p]) {
					lit := pat[p]
					for t < len(text) && (matchSlash || text[t] != '/') && text[t] != lit {
						t++
					}
					if at(text, t) != lit || t >= len(text) {
						if matchSlash {
							return wmAbortAll
						}
						return wmAbortToStarStar
					}
					tch = text[t]
				}
				if m := dowild(pat[p:], text[t:]); m != wmNoMatch {
					if !matchSlash || m != wmAbortToStarStar {
						return m
					}
				} else if !matchSlash && tch == '/' {
					return wmAbortToStarStar
				}
				t++
			}
			return wmAbortAll
		case '[':
			var r int
			p, r = matchBracket(pat, p, tch)
			if r != wmMatch {
				return r
			}
			continue
		default:
			if pch != tch {
				return wmNoMatch
			}
			continue
		}
	}
	if t < len(text) {
		return wmNoMatch
	}
	return wmMatch
}

// matchBracket matches tch against the bracket expression starting at
// pat[open] == '['. It returns the index of the closing ']' and wmMatch, or a
// failure code. As in git, the first character after '[' (or after the
// negation '!' / '^') is taken literally even when it is ']'.
func matchBracket(pat string, open int, tch byte) (int, int) {
	p := open + 1
	pch := at(pat, p)
	negated := false
	if pch == '!' || pch == '^' {
		negated = true
		p++
		pch = at(pat, p)
	}
	var prev byte
	matched := false
	for {
		if p >= len(pat) {
			return p, wmAbortAll
		}
		switch {
		case pch == '\\':
			p++
			if p >= len(pat) {
				return p, wmAbortAll
			}
			pch = pat[p]
			if tch == pch {
				matched = true
			}
		case pch == '-' && prev != 0 && p+1 < len(pat) && pat[p+1] != ']':
			p++
			pch = pat[p]
			if pch == '\\' {
				p++
				if p >= len(pat) {
					return p, wmAbortAll
				}
				pch = pat[p]
			}
			if tch <= pch && tch >= prev {
				matched = true
			}
			pch = 0 // a range cannot be the start of another range
		case pch == '[' && at(pat, p+1) == ':':
			start := p + 2
			end := start
			for end < len(pat) && pat[end] != ']' {
				end++
			}
			if end >= len(pat) {
				return end, wmAbortAll
			}
			if end-start-1 < 0 || pat[end-1] != ':' {
				// No ":]": the '[' is an ordinary member of the set.
				if tch == '[' {
					matched = true
				}
				pch = '['
				break
			}
			ok, known := charClass(pat[start:end-1], tch)
			if !known {
				return end, wmAbortAll
			}
			if ok {
				matched = true
			}
			p = end
			pch = 0
		default:
			if tch == pch {
				matched = true
			}
		}
		prev = pch
		p++
		pch = at(pat, p)
		if p >= len(pat) {
			return p, wmAbortAll
		}
		if pch == ']' {
			break
		}
	}
	if matched == negated || tch == '/' {
		return p, wmNoMatch
	}
	return p, wmMatch
}

// charClass evaluates a POSIX character class name for the C locale.
func charClass(name string, c byte) (match, known bool) {
	isUpper := c >= 'A' && c <= 'Z'
	isLower := c >= 'a' && c <= 'z'
	isDigit := c >= '0' && c <= '9'
	isAlpha := isUpper || isLower
	isPrint := c >= 0x20 && c < 0x7f
	switch name {
	case "alnum":
		return isAlpha || isDigit, true
	case "alpha":
		return isAlpha, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return isDigit, true
	case "graph":
		return isPrint && c != ' ', true
	case "lower":
		return isLower, true
	case "print":
		return isPrint, true
	case "punct":
		return isPrint && c != ' ' && !isAlpha && !isDigit, true
	case "space":
		return c == ' ' || (c >= '\t' && c <= '\r'), true
	case "upper":
		return isUpper, true
	case "xdigit":
		return isDigit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'), true
	}
	return false, false
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
