package trigram

import (
	"slices"
	"strings"
)

// stringSet is a set of strings used by the regexp planner. A nil set means
// "not known" (for example: the exact set of a regexp that matches too many
// strings to list); a non-nil empty set is the empty set.
type stringSet []string

func (s stringSet) have() bool { return s != nil }

// minLen returns the length in bytes of the shortest string, 0 for an
// empty set.
func (s stringSet) minLen() int {
	if len(s) == 0 {
		return 0
	}
	m := len(s[0])
	for _, x := range s[1:] {
		m = min(m, len(x))
	}
	return m
}

// clean sorts s and removes duplicates. Suffix sets sort by reversed string
// so that strings sharing a suffix end up next to each other.
func (s *stringSet) clean(isSuffix bool) {
	if isSuffix {
		slices.SortFunc(*s, compareReversed)
	} else {
		slices.Sort(*s)
	}
	*s = slices.Compact(*s)
}

// compareReversed orders strings by their bytes read from the end.
func compareReversed(a, b string) int {
	for i := 1; i <= len(a) && i <= len(b); i++ {
		ca, cb := a[len(a)-i], b[len(b)-i]
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// union returns the cleaned union of s and t in a new slice.
func (s stringSet) union(t stringSet, isSuffix bool) stringSet {
	u := make(stringSet, 0, len(s)+len(t))
	u = append(u, s...)
	u = append(u, t...)
	u.clean(isSuffix)
	return u
}

// cross returns the cleaned set of every concatenation x+y, x in s, y in t.
func (s stringSet) cross(t stringSet, isSuffix bool) stringSet {
	p := make(stringSet, 0, len(s)*len(t))
	for _, x := range s {
		for _, y := range t {
			p = append(p, x+y)
		}
	}
	p.clean(isSuffix)
	return p
}

// dropRedundant removes strings made redundant by a shorter one in a
// cleaned set: if "ab" is a possible prefix, knowing that "abc" is one too
// adds nothing.
func (s *stringSet) dropRedundant(isSuffix bool) {
	has := strings.HasPrefix
	if isSuffix {
		has = strings.HasSuffix
	}
	t := *s
	w := 0
	for _, x := range t {
		if w == 0 || !has(x, t[w-1]) {
			t[w] = x
			w++
		}
	}
	*s = t[:w]
}
