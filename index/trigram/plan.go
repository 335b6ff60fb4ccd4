package trigram

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// maxSubstringTrigrams caps the trigrams PlanSubstring asks for. Every
// trigram of the pattern is required, so any subset is still correct; 64
// spread over a long pattern already leave only true matches as candidates,
// and the cap bounds the probes for a pasted paragraph.
const maxSubstringTrigrams = 64

// PlanSubstring returns the trigram query for a case-insensitive search of
// s: the AND of the trigrams of its folded form. A pattern shorter than
// three bytes after folding requires nothing and yields an All query. The
// query belongs to the caller.
func PlanSubstring(s string) *Query {
	f := foldString(s)
	if len(f) < 3 {
		return &Query{Op: QAll}
	}
	n := len(f) - 2 // trigram windows
	if n <= maxSubstringTrigrams {
		return &Query{Op: QAnd, Trigram: trigramsOf(f)}
	}
	picked := make(stringSet, 0, maxSubstringTrigrams)
	for k := range maxSubstringTrigrams {
		i := k * (n - 1) / (maxSubstringTrigrams - 1)
		picked = append(picked, f[i:i+3])
	}
	picked.clean(false)
	return &Query{Op: QAnd, Trigram: picked}
}

// PlanRegexp parses expr (RE2 syntax as in package regexp), compiles it and
// computes its trigram query. ^ and $ match at line boundaries, as in grep;
// caseInsensitive adds the (?i) flag. A malformed expression returns a
// *SyntaxError giving the 1-based byte column of the problem.
//
// The query belongs to the caller. The returned regexp is what MatchLines
// and MatchRegexp expect; they verify regexps from PlanRegexp faster than
// others (see MatchLines).
func PlanRegexp(expr string, caseInsensitive bool) (*Query, *regexp.Regexp, error) {
	flags := "(?m)"
	if caseInsensitive {
		flags = "(?mi)"
	}
	full := flags + expr
	sre, err := syntax.Parse(full, syntax.Perl)
	if err != nil {
		col := max(1, errorColumn(full, err)-len(flags))
		if se, ok := err.(*syntax.Error); ok {
			// Quote the user's expression, not the flags added to it.
			err = &syntax.Error{Code: se.Code, Expr: strings.TrimPrefix(se.Expr, flags)}
		}
		return nil, nil, &SyntaxError{Expr: expr, Column: col, Err: err}
	}
	re, err := regexp.Compile(full)
	if err != nil {
		// Parse accepted it, so this is a compile limit (program too large).
		return nil, nil, &SyntaxError{Expr: expr, Column: 1, Err: err}
	}
	q := regexpQuery(sre)
	rememberMatcher(re, sre, expr)
	return q, re, nil
}

// regexpQuery computes the trigram query of a parsed regexp, following
// google/codesearch's index/regexp.go: every sub-expression is summarised by
// the exact set of strings it matches (while small), or else by the sets of
// possible prefixes and suffixes of its matches, plus a query its matches
// are known to satisfy. Strings are folded, as the index is.
func regexpQuery(re *syntax.Regexp) *Query {
	info := analyze(re)
	info.simplify(true)
	info.addExact()
	return info.match.clone()
}

const (
	// maxExact bounds exact sets; bigger sets turn into prefix/suffix sets
	// (after their trigrams are added to the query).
	maxExact = 7
	// maxSet bounds prefix and suffix sets; bigger sets are cut down to
	// shorter common prefixes (suffixes).
	maxSet = 20
	// maxClass is the largest character class expanded into an exact set;
	// larger classes (\w, [^x]) match "any character" as far as trigrams go.
	maxClass = 100
)

// regexpInfo summarises what is known about the strings a regexp matches.
type regexpInfo struct {
	canEmpty bool      // the regexp can match ""
	exact    stringSet // if have(): exactly the (folded) strings it matches
	prefix   stringSet // otherwise: every match starts with one of these…
	suffix   stringSet // …and ends with one of these
	match    *Query    // every match satisfies this query as well
}

func anyMatch() regexpInfo {
	return regexpInfo{canEmpty: true, prefix: stringSet{""}, suffix: stringSet{""}, match: allQuery}
}

func anyChar() regexpInfo {
	return regexpInfo{prefix: stringSet{""}, suffix: stringSet{""}, match: allQuery}
}

func noMatch() regexpInfo { return regexpInfo{match: noneQuery} }

func emptyString() regexpInfo {
	return regexpInfo{canEmpty: true, exact: stringSet{""}, match: allQuery}
}

// analyze computes the regexpInfo of re.
func analyze(re *syntax.Regexp) regexpInfo {
	var info regexpInfo
	switch re.Op {
	case syntax.OpNoMatch:
		return noMatch()
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return emptyString()
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return emptyString()
		}
		// The index is folded, so case-sensitive literals fold too.
		info.exact = stringSet{foldRunes(re.Rune)}
		info.match = allQuery
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return anyChar()
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpConcat:
		info = emptyString()
		for _, sub := range re.Sub {
			info = concat(info, analyze(sub))
		}
		return info
	case syntax.OpAlternate:
		// Start from the first branch, not from noMatch: noMatch has no
		// exact set, and alternating with it would lose the branches'.
		if len(re.Sub) == 0 {
			return noMatch()
		}
		info = analyze(re.Sub[0])
		for _, sub := range re.Sub[1:] {
			info = alternate(info, analyze(sub))
		}
		return info
	case syntax.OpQuest:
		return alternate(analyze(re.Sub[0]), emptyString())
	case syntax.OpStar:
		return anyMatch()
	case syntax.OpRepeat, syntax.OpPlus:
		if re.Op == syntax.OpRepeat && re.Min == 0 {
			return anyMatch()
		}
		// At least one copy: prefixes and suffixes stay, exactness goes.
		info = analyze(re.Sub[0])
		if info.exact.have() {
			info.addExact()
			info.prefix, info.suffix = info.exact, append(stringSet(nil), info.exact...)
			info.exact = nil
		}
	case syntax.OpCharClass:
		var ok bool
		if info, ok = analyzeClass(re.Rune); !ok {
			return anyChar()
		}
	default:
		// An operator this planner does not know: assume the worst.
		return anyMatch()
	}
	info.simplify(false)
	return info
}

// analyzeClass returns the exact set of a character class given as rune
// ranges, or false when the class is too large to list.
func analyzeClass(ranges []rune) (regexpInfo, bool) {
	if len(ranges) == 0 {
		return noMatch(), true
	}
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		n += int(ranges[i+1]-ranges[i]) + 1
	}
	if n > maxClass {
		return regexpInfo{}, false
	}
	info := regexpInfo{exact: stringSet{}, match: allQuery}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			info.exact = append(info.exact, string(foldRune(r)))
		}
	}
	return info, true
}

// foldRunes returns the folded UTF-8 string of runes.
func foldRunes(rs []rune) string {
	b := make([]byte, 0, len(rs))
	for _, r := range rs {
		b = append(b, string(foldRune(r))...)
	}
	return string(b)
}

// prefixes returns the set every match of info starts with.
func (info *regexpInfo) prefixes() stringSet {
	if info.exact.have() {
		return info.exact
	}
	return info.prefix
}

// suffixes returns the set every match of info ends with.
func (info *regexpInfo) suffixes() stringSet {
	if info.exact.have() {
		return info.exact
	}
	return info.suffix
}

// concat returns the info of xy.
func concat(x, y regexpInfo) regexpInfo {
	xy := regexpInfo{canEmpty: x.canEmpty && y.canEmpty, match: x.match.and(y.match)}
	if x.exact.have() && y.exact.have() {
		xy.exact = x.exact.cross(y.exact, false)
	} else {
		if x.exact.have() {
			xy.prefix = x.exact.cross(y.prefix, false)
		} else {
			xy.prefix = x.prefix
			if x.canEmpty {
				xy.prefix = xy.prefix.union(y.prefixes(), false)
			}
		}
		if y.exact.have() {
			xy.suffix = x.suffix.cross(y.exact, true)
		} else {
			xy.suffix = y.suffix
			if y.canEmpty {
				xy.suffix = xy.suffix.union(x.suffixes(), true)
			}
		}
	}
	// Where x's suffix meets y's prefix lies a string of at least three
	// bytes that neither side's sets account for: require its trigrams.
	if !x.exact.have() && !y.exact.have() &&
		len(x.suffix) <= maxSet && len(y.prefix) <= maxSet &&
		x.suffix.minLen()+y.prefix.minLen() >= 3 {
		xy.match = xy.match.andTrigrams(x.suffix.cross(y.prefix, false))
	}
	xy.simplify(false)
	return xy
}

// alternate returns the info of x|y.
func alternate(x, y regexpInfo) regexpInfo {
	xy := regexpInfo{canEmpty: x.canEmpty || y.canEmpty}
	if x.exact.have() && y.exact.have() {
		xy.exact = x.exact.union(y.exact, false)
	} else {
		// An exact side becomes prefix/suffix strings of the union; its
		// inner trigrams move into its query first so they are not lost.
		if x.exact.have() {
			x.addExact()
		}
		if y.exact.have() {
			y.addExact()
		}
		xy.prefix = x.prefixes().union(y.prefixes(), false)
		xy.suffix = x.suffixes().union(y.suffixes(), true)
	}
	xy.match = x.match.or(y.match)
	xy.simplify(false)
	return xy
}

// addExact adds to the query the trigrams that matching the exact set
// requires.
func (info *regexpInfo) addExact() {
	if info.exact.have() {
		info.match = info.match.andTrigrams(info.exact)
	}
}

// simplify keeps the sets small. A large exact set, or one whose strings
// are long enough to yield trigrams, is turned into trigrams plus prefix and
// suffix sets; force does so as soon as every string has a trigram.
func (info *regexpInfo) simplify(force bool) {
	if info.exact.have() {
		info.exact.clean(false)
		if len(info.exact) > maxExact || info.exact.minLen() >= 4 || (force && info.exact.minLen() >= 3) {
			info.addExact()
			for _, s := range info.exact {
				if len(s) < 3 {
					info.prefix = append(info.prefix, s)
					info.suffix = append(info.suffix, s)
				} else {
					info.prefix = append(info.prefix, s[:2])
					info.suffix = append(info.suffix, s[len(s)-2:])
				}
			}
			info.exact = nil
		}
	}
	if !info.exact.have() {
		info.simplifySet(&info.prefix, false)
		info.simplifySet(&info.suffix, true)
	}
}

// simplifySet moves what a prefix or suffix set says into the query and
// shrinks the set: strings are cut to two bytes (the trigrams are in the
// query now), then shorter still while the set is larger than maxSet.
func (info *regexpInfo) simplifySet(s *stringSet, isSuffix bool) {
	t := *s
	t.clean(isSuffix)
	info.match = info.match.andTrigrams(t)
	for n := 3; n == 3 || len(t) > maxSet; n-- {
		for i, str := range t {
			if len(str) >= n {
				if isSuffix {
					t[i] = str[len(str)-n+1:]
				} else {
					t[i] = str[:n-1]
				}
			}
		}
		t.clean(isSuffix)
	}
	t.dropRedundant(isSuffix)
	*s = t
}
