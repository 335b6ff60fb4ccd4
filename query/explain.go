package query

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Explain describes the plan: each step with its estimated candidates and,
// once the plan ran, the actual ones and how many candidates it ran on;
// then how hits were ranked and ordered, and why anything matched nothing
// ("tag "foo" does not exist").
func (p *Plan) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "query: %s\n", p.q.String())
	fmt.Fprintf(&b, "documents: %d\n", p.docs)
	var lines [][4]string
	var notes []string
	if p.root == nil {
		lines = append(lines, [4]string{"all documents", strconv.Itoa(p.docs), p.actual(nil), ""})
	} else {
		p.explainStep(p.root, "", "", &lines, &notes)
	}
	width := len("step")
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l[0]))
	}
	row := func(cols [4]string) {
		line := fmt.Sprintf("  %s%s  %8s  %8s  %s", cols[0], strings.Repeat(" ", width-utf8.RuneCountInString(cols[0])), cols[1], cols[2], cols[3])
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	row([4]string{"step", "estimate", "actual", "ran on"})
	for _, l := range lines {
		row(l)
	}
	if p.executed {
		switch {
		case p.scored != "":
			fmt.Fprintf(&b, "ranking: %s\n", p.scored)
		case p.needScore && p.total > 0 && len(p.scoring) == 0:
			b.WriteString("ranking: no text or graph clause to rank by, scores are 0\n")
		}
		fmt.Fprintf(&b, "order: %s\n", p.order)
		fmt.Fprintf(&b, "result: %d documents, hits %d to %d\n", p.total, min(p.offset, p.total), min(p.offset+p.limit, p.total))
	} else {
		fmt.Fprintf(&b, "order: %s, offset %d, limit %d (not executed yet)\n", p.sortString(), p.offset, p.limit)
	}
	if a := p.q.Aggregate; a != nil {
		by := a.GroupBy
		if by == "" {
			by = "nothing"
		}
		fmt.Fprintf(&b, "aggregate: count per group, grouped by %s\n", by)
	}
	for _, n := range notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

func (p *Plan) actual(s *step) string {
	switch {
	case !p.executed:
		return "-"
	case s == nil:
		return strconv.Itoa(p.total)
	case s.skipped:
		return "skipped"
	case !s.ran:
		return "-"
	}
	return strconv.FormatUint(s.result.GetCardinality(), 10)
}

func (p *Plan) explainStep(s *step, prefix, childPrefix string, lines *[][4]string, notes *[]string) {
	on := ""
	if p.executed && s.ran {
		on = "all"
		if s.on >= 0 {
			on = strconv.Itoa(s.on)
		}
	}
	label := s.label
	if s.text != nil && p.executed && s.scores != nil {
		label += " (ranked)"
	}
	*lines = append(*lines, [4]string{prefix + label, strconv.Itoa(s.est), p.actual(s), on})
	if s.note != "" {
		*notes = append(*notes, s.note)
	}
	for i, c := range s.children {
		branch, next := "├─ ", "│  "
		if i == len(s.children)-1 {
			branch, next = "└─ ", "   "
		}
		p.explainStep(c, childPrefix+branch, childPrefix+next, lines, notes)
	}
}
