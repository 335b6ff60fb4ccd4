package search

import (
	"fmt"
	"strings"
)

// Explain says how a query was understood and where candidates were lost,
// so that an empty result says why.
type Explain struct {
	// Query is the query as the engine understood it (analyzed words,
	// identifiers as "whole OR phrase of parts", CJK as phrases of bigrams).
	Query string
	// Docs is the number of live documents searched.
	Docs int
	// Corrections is true when typo tolerance ran (the exact query matched
	// fewer documents than were asked for).
	Corrections bool
	Terms       []ExplainTerm
	// Steps are the candidate counts after each step of the evaluation:
	// every clause alone, then each AND clause added in turn.
	Steps []ExplainStep
}

// ExplainTerm describes one scoring word.
type ExplainTerm struct {
	Term  string
	Field string // "" for all text fields
	// DF is the number of live documents the word matches, with its stem
	// group, expansions and corrections.
	DF   int
	Stem string // the stem group matched, if stemming applied
	// Expanded lists the words a prefix expanded to; Capped says the
	// expansion hit Options.MaxExpansions.
	Expanded []string
	Capped   bool
	// Corrected lists the words typo tolerance or Fuzzy added.
	Corrected []string
}

// ExplainStep is the number of live candidates after one step.
type ExplainStep struct {
	Step       string
	Candidates int
}

func maskName(mask uint8) string {
	if mask == allFields {
		return ""
	}
	var names []string
	for f := range numTextFields {
		if mask&(1<<f) != 0 {
			names = append(names, TextFields[f])
		}
	}
	return strings.Join(names, ",")
}

func (e *executor) explain(corrections bool) *Explain {
	x := &Explain{Query: e.root.String(), Docs: int(e.stats.n), Corrections: corrections}
	for _, t := range e.plan.terms {
		et := ExplainTerm{Term: t.label, Field: maskName(t.mask), DF: int(t.df), Capped: t.capped}
		if t.prefix {
			et.Term += "*"
		}
		if t.useStem {
			et.Stem = t.stem
		}
		for _, v := range t.variants {
			if v.corrected {
				et.Corrected = append(et.Corrected, v.text)
			} else {
				et.Expanded = append(et.Expanded, v.text)
			}
		}
		x.Terms = append(x.Terms, et)
	}
	for _, p := range e.plan.phrases {
		for i, w := range p.terms {
			x.Terms = append(x.Terms, ExplainTerm{Term: w, Field: maskName(p.mask), DF: int(p.dfs[i])})
		}
	}
	e.steps(e.root, x)
	return x
}

// steps appends the candidate counts of a node's evaluation.
func (e *executor) steps(n planNode, x *Explain) {
	switch n := n.(type) {
	case *pAnd:
		for _, k := range n.pos {
			e.steps(k, x)
		}
		for _, k := range n.neg {
			e.steps(k, x)
		}
		acc := &pAnd{}
		for i, k := range n.pos {
			acc.pos = append(acc.pos, k)
			if i > 0 {
				x.Steps = append(x.Steps, ExplainStep{Step: "AND " + k.String(), Candidates: e.count(acc)})
			}
		}
		for _, k := range n.neg {
			acc.neg = append(acc.neg, k)
			x.Steps = append(x.Steps, ExplainStep{Step: "AND NOT " + k.String(), Candidates: e.count(acc)})
		}
	case *pOr:
		for _, k := range n.kids {
			e.steps(k, x)
		}
		x.Steps = append(x.Steps, ExplainStep{Step: n.String(), Candidates: e.count(n)})
	default:
		x.Steps = append(x.Steps, ExplainStep{Step: n.String(), Candidates: e.count(n)})
	}
}

// count returns the number of live docs a plan node matches.
func (e *executor) count(n planNode) int {
	total := 0
	for vi := range e.snap.views {
		v := &e.snap.views[vi]
		m := e.build(n, v, e.scorer(v))
		for d := m.doc(); d != noDoc; d = m.next() {
			if !v.dead.has(d) {
				total++
			}
		}
	}
	return total
}

// String renders an explanation for people.
func (x *Explain) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "query: %s\nsearched %d documents", x.Query, x.Docs)
	if x.Corrections {
		b.WriteString(" (with typo corrections)")
	}
	b.WriteByte('\n')
	for _, t := range x.Terms {
		fmt.Fprintf(&b, "term %q", t.Term)
		if t.Field != "" {
			fmt.Fprintf(&b, " in %s", t.Field)
		}
		fmt.Fprintf(&b, ": df %d", t.DF)
		if t.Stem != "" {
			fmt.Fprintf(&b, ", stem %q", t.Stem)
		}
		if len(t.Expanded) > 0 {
			fmt.Fprintf(&b, ", expanded to %d words", len(t.Expanded))
			if t.Capped {
				b.WriteString(" (capped)")
			}
		}
		if len(t.Corrected) > 0 {
			fmt.Fprintf(&b, ", corrected to %s", strings.Join(t.Corrected, ", "))
		}
		b.WriteByte('\n')
	}
	for _, s := range x.Steps {
		fmt.Fprintf(&b, "%6d  %s\n", s.Candidates, s.Step)
	}
	return b.String()
}
