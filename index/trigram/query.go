package trigram

import (
	"slices"
	"strconv"
	"strings"
)

// Query is a boolean formula over trigrams that every matching document
// satisfies; it is a conservative version of the pattern it was planned from
// (it may accept documents the pattern rejects, never the reverse).
//
// An And node needs every trigram in Trigram and every Sub; an Or node needs
// at least one of them. An And with nothing in it accepts everything, an Or
// with nothing in it accepts nothing. Trigrams are three bytes of folded text
// (see the package comment); an entry of another length is not a trigram and
// is treated as "unknown", which accepts every document.
type Query struct {
	Op      QueryOp
	Trigram []string
	Sub     []*Query
}

// QueryOp is the operator of a Query node.
type QueryOp int

const (
	QAll  QueryOp = iota // every document matches
	QNone                // no document matches
	QAnd                 // all of Trigram and Sub must match
	QOr                  // at least one of Trigram or Sub must match
)

var (
	allQuery  = &Query{Op: QAll}
	noneQuery = &Query{Op: QNone}
)

// String renders q as google/codesearch does: + is All, - is None, an And
// lists its parts separated by spaces, an Or wraps its parts in
// parentheses separated by |, and trigrams are Go-quoted.
func (q *Query) String() string {
	if q == nil {
		return "?"
	}
	switch q.Op {
	case QNone:
		return "-"
	case QAll:
		return "+"
	}
	if len(q.Sub) == 0 && len(q.Trigram) == 1 {
		return strconv.Quote(q.Trigram[0])
	}
	var b strings.Builder
	tsep, sep := " ", " "
	if q.Op == QOr {
		b.WriteString("(")
		tsep, sep = "|", ")|("
	}
	for i, t := range q.Trigram {
		if i > 0 {
			b.WriteString(tsep)
		}
		b.WriteString(strconv.Quote(t))
	}
	for i, s := range q.Sub {
		if i > 0 || len(q.Trigram) > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s.String())
	}
	if q.Op == QOr {
		b.WriteString(")")
	}
	return b.String()
}

// clone returns a deep copy of q: the planner shares nodes (and the All and
// None singletons) while it works, and hands the caller a tree of its own.
func (q *Query) clone() *Query {
	c := &Query{Op: q.Op, Trigram: slices.Clone(q.Trigram)}
	for _, s := range q.Sub {
		c.Sub = append(c.Sub, s.clone())
	}
	return c
}

// and returns q AND r; neither argument is modified.
func (q *Query) and(r *Query) *Query { return andOr(q, r, QAnd) }

// or returns q OR r; neither argument is modified.
func (q *Query) or(r *Query) *Query { return andOr(q, r, QOr) }

// andOr combines q and r with op, working hard to keep the result small:
// implication removes redundant parts, same-operator nodes merge, and common
// trigrams of an AND of ORs (or an OR of ANDs) are factored out.
func andOr(q, r *Query, op QueryOp) *Query {
	q, r = unwrap(q), unwrap(r)

	// If q implies r, q AND r is q and q OR r is r.
	if q.implies(r) {
		if op == QAnd {
			return q
		}
		return r
	}
	if r.implies(q) {
		if op == QAnd {
			return r
		}
		return q
	}

	qAtom := len(q.Trigram) == 1 && len(q.Sub) == 0
	rAtom := len(r.Trigram) == 1 && len(r.Sub) == 0
	switch {
	case q.Op == op && (r.Op == op || rAtom):
		return &Query{Op: op, Trigram: unionSorted(q.Trigram, r.Trigram), Sub: concatSubs(q.Sub, r.Sub)}
	case r.Op == op && qAtom:
		return &Query{Op: op, Trigram: unionSorted(r.Trigram, q.Trigram), Sub: r.Sub}
	case qAtom && rAtom:
		return &Query{Op: op, Trigram: unionSorted(q.Trigram, r.Trigram)}
	case q.Op == op:
		return &Query{Op: op, Trigram: q.Trigram, Sub: concatSubs(q.Sub, []*Query{r})}
	case r.Op == op:
		return &Query{Op: op, Trigram: r.Trigram, Sub: concatSubs(r.Sub, []*Query{q})}
	}

	// Both are nodes of the other operator. Factor out common trigrams:
	//	(abc|def|ghi) AND (abc|def|jkl) => (abc|def) OR (ghi AND jkl)
	//	(abc&def&ghi) OR  (abc&def&jkl) => (abc&def) AND (ghi OR jkl)
	common, qRest, rRest := splitCommon(q.Trigram, r.Trigram)
	if len(common) > 0 {
		q2 := normalize(&Query{Op: q.Op, Trigram: qRest, Sub: q.Sub})
		r2 := normalize(&Query{Op: r.Op, Trigram: rRest, Sub: r.Sub})
		rest := andOr(q2, r2, op)
		other := QAnd + QOr - op
		return andOr(&Query{Op: other, Trigram: common}, rest, other)
	}
	return &Query{Op: op, Sub: []*Query{q, r}}
}

// unwrap replaces a node that only wraps one sub-query by that sub-query.
func unwrap(q *Query) *Query {
	for (q.Op == QAnd || q.Op == QOr) && len(q.Trigram) == 0 && len(q.Sub) == 1 {
		q = q.Sub[0]
	}
	return q
}

// normalize turns an empty And into All and an empty Or into None, and
// unwraps single sub-queries.
func normalize(q *Query) *Query {
	if (q.Op == QAnd || q.Op == QOr) && len(q.Trigram) == 0 && len(q.Sub) == 0 {
		if q.Op == QAnd {
			return allQuery
		}
		return noneQuery
	}
	return unwrap(q)
}

// implies reports whether every document satisfying q satisfies r. False
// negatives are fine; they only cost simplification.
func (q *Query) implies(r *Query) bool {
	if q.Op == QNone || r.Op == QAll {
		return true
	}
	if q.Op == QAll || r.Op == QNone {
		return false
	}
	if q.Op == QAnd || (q.Op == QOr && len(q.Trigram) == 1 && len(q.Sub) == 0) {
		return trigramsImply(q.Trigram, r)
	}
	return q.Op == QOr && r.Op == QOr && len(q.Trigram) > 0 && len(q.Sub) == 0 &&
		isSubset(q.Trigram, r.Trigram)
}

// trigramsImply reports whether having all trigrams t implies r.
func trigramsImply(t []string, r *Query) bool {
	switch r.Op {
	case QOr:
		for _, s := range r.Sub {
			if trigramsImply(t, s) {
				return true
			}
		}
		for _, x := range t {
			if _, ok := slices.BinarySearch(r.Trigram, x); ok {
				return true
			}
		}
		return false
	case QAnd:
		for _, s := range r.Sub {
			if !trigramsImply(t, s) {
				return false
			}
		}
		return isSubset(r.Trigram, t)
	}
	return false
}

// andTrigrams returns q AND (the OR over strings s of the AND of the
// trigrams of s). When a string is shorter than three bytes no trigram is
// required at all, and q is returned unchanged.
func (q *Query) andTrigrams(set stringSet) *Query {
	if set.minLen() < 3 {
		return q
	}
	or := noneQuery
	for _, s := range set {
		or = or.or(&Query{Op: QAnd, Trigram: trigramsOf(s)})
	}
	return q.and(or)
}

// trigramsOf returns the sorted, distinct trigrams of s.
func trigramsOf(s string) []string {
	var t []string
	for i := 0; i+3 <= len(s); i++ {
		t = append(t, s[i:i+3])
	}
	slices.Sort(t)
	return slices.Compact(t)
}

// unionSorted merges two sorted string slices into a new sorted, distinct
// slice.
func unionSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	slices.Sort(out)
	return slices.Compact(out)
}

func concatSubs(a, b []*Query) []*Query {
	return append(slices.Clip(a), b...)
}

// splitCommon splits two sorted sets into their intersection and the rest
// of each.
func splitCommon(a, b []string) (common, aRest, bRest []string) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			aRest = append(aRest, a[i])
			i++
		case a[i] > b[j]:
			bRest = append(bRest, b[j])
			j++
		default:
			common = append(common, a[i])
			i++
			j++
		}
	}
	aRest = append(aRest, a[i:]...)
	bRest = append(bRest, b[j:]...)
	return common, aRest, bRest
}

// isSubset reports whether sorted set a is contained in sorted set b.
func isSubset(a, b []string) bool {
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			return false
		}
	}
	return true
}
