package query

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Helpers of the strict JSON decoder: each reads one kind of value or
// fails with the path and what was expected.

// fields checks that n is an object with only the allowed keys.
func fields(n *jsonNode, at string, allowed ...string) (map[string]*jsonNode, error) {
	if n.kind != 'o' {
		return nil, &Error{at, "expected object, got " + n.typeName(), ""}
	}
	m := make(map[string]*jsonNode, len(n.keys))
	for i, k := range n.keys {
		if !slices.Contains(allowed, k) {
			return nil, &Error{join(at, k), "unknown key", suggest(k, allowed)}
		}
		m[k] = n.vals[i]
	}
	return m, nil
}

func str(n *jsonNode, at string) (string, error) {
	if n.kind != 's' {
		return "", &Error{at, "expected string, got " + n.typeName(), ""}
	}
	return n.str, nil
}

func requiredStr(m map[string]*jsonNode, key, at string) (string, error) {
	n, ok := m[key]
	if !ok {
		return "", &Error{join(at, key), "missing", "add \"" + key + "\""}
	}
	return str(n, join(at, key))
}

func boolean(n *jsonNode, at string) (bool, error) {
	if n.kind != 'b' {
		return false, &Error{at, "expected boolean, got " + n.typeName(), ""}
	}
	return n.b, nil
}

func optBool(m map[string]*jsonNode, key, at string) (bool, error) {
	if n, ok := m[key]; ok {
		return boolean(n, join(at, key))
	}
	return false, nil
}

func integer(n *jsonNode, at string) (int, error) {
	if n.kind != 'n' {
		return 0, &Error{at, "expected integer, got " + n.typeName(), ""}
	}
	i, err := strconv.ParseInt(string(n.num), 10, 32)
	if err != nil {
		return 0, &Error{at, fmt.Sprintf("expected integer, got %s", n.num), ""}
	}
	return int(i), nil
}

func array(n *jsonNode, at string) ([]*jsonNode, error) {
	if n.kind != 'a' {
		return nil, &Error{at, "expected array, got " + n.typeName(), ""}
	}
	return n.arr, nil
}

// strings_ reads an array of strings; an empty one is nil, as if absent.
func strings_(n *jsonNode, at string) ([]string, error) {
	list, err := array(n, at)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	out := make([]string, len(list))
	for i, e := range list {
		if out[i], err = str(e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// suggest names the closest allowed word, or lists them all.
func suggest(got string, allowed []string) string {
	best, bestDist := "", 3
	for _, a := range allowed {
		if d := editDistance(got, a); d < bestDist {
			best, bestDist = a, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "expected one of " + strings.Join(allowed, ", ")
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
