package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/sysinfo"
)

const (
	mb      = 1e6 // reports use decimal megabytes
	msPerNS = 1e6
	usPerNS = 1e3
)

// scalarRow is a per-engine figure with its label and unit conversion.
type scalarRow struct {
	label string
	get   func(EngineSummary) float64
	scale float64
	// optional figures are 0 when not recorded (older report files) and
	// then shown as "—".
	optional bool
}

var scalarRows = []scalarRow{
	{"build (s)", func(s EngineSummary) float64 { return s.BuildNS }, 1e9, false},
	{"build CPU time (s)", func(s EngineSummary) float64 { return s.BuildCPUNS }, 1e9, false},
	{"peak RSS (MB)", func(s EngineSummary) float64 { return s.PeakRSS }, mb, false},
	{"peak RSS open+queries (MB)", func(s EngineSummary) float64 { return s.PeakRSSServe }, mb, false},
	{"process RSS at start (MB)", func(s EngineSummary) float64 { return s.StartRSS }, mb, true},
	{"disk (MB)", func(s EngineSummary) float64 { return s.DiskBytes }, mb, false},
	{"open to first answer (ms)", func(s EngineSummary) float64 { return s.OpenFirstNS }, msPerNS, false},
}

// subjectIndex is the position of the kotadb engine in c.Engines, or -1
// when it is absent or failed (then there are no ratio columns).
func subjectIndex(c CorpusReport) int {
	for i, e := range c.Engines {
		if e.Engine == Subject && e.Error == "" {
			return i
		}
	}
	return -1
}

// FiguresTable has one row per figure and one column per engine, then one
// kotadb/peer ratio column per peer.
func FiguresTable(c CorpusReport) Table {
	subj := subjectIndex(c)
	t := Table{Header: []string{"figure"}}
	for _, e := range c.Engines {
		t.Header = append(t.Header, e.Engine)
	}
	var peers []EngineSummary
	if subj >= 0 {
		for i, e := range c.Engines {
			if i != subj {
				peers = append(peers, e)
				t.Header = append(t.Header, Subject+"/"+e.Engine)
			}
		}
	}
	cell := func(e EngineSummary, f func(EngineSummary) string) string {
		if e.Error != "" {
			return "error"
		}
		return f(e)
	}
	for _, r := range scalarRows {
		row := []string{r.label}
		missing := func(e EngineSummary) bool { return r.optional && r.get(e) == 0 }
		for _, e := range c.Engines {
			row = append(row, cell(e, func(e EngineSummary) string {
				if missing(e) {
					return "—"
				}
				return sig(r.get(e) / r.scale)
			}))
		}
		for _, p := range peers {
			row = append(row, cell(p, func(p EngineSummary) string {
				if missing(c.Engines[subj]) || missing(p) {
					return "—"
				}
				return ratio(r.get(c.Engines[subj]), r.get(p))
			}))
		}
		t.Rows = append(t.Rows, row)
	}
	for _, class := range ClassOrder {
		if !anyMeasured(c, class) {
			continue
		}
		lat := []string{string(class) + " p50/p95/p99 (µs)"}
		hits := []string{string(class) + " hits" + expectedNote(c, class)}
		for _, e := range c.Engines {
			cs, ok := e.Class(class)
			lat = append(lat, cell(e, func(EngineSummary) string { return latencies(cs, ok) }))
			hits = append(hits, cell(e, func(EngineSummary) string { return hitCell(cs, ok) }))
		}
		for _, p := range peers {
			ks, kok := c.Engines[subj].Class(class)
			ps, pok := p.Class(class)
			lat = append(lat, cell(p, func(EngineSummary) string { return latencyRatios(ks, kok, ps, pok) }))
			hits = append(hits, "")
		}
		t.Rows = append(t.Rows, lat, hits)
	}
	return t
}

func anyMeasured(c CorpusReport, class corpus.Class) bool {
	for _, e := range c.Engines {
		if _, ok := e.Class(class); ok {
			return true
		}
	}
	return false
}

// expectedNote is " (df N)", the corpus's document frequency summed over the
// class's queries, taken from the first engine that measured the class.
func expectedNote(c CorpusReport, class corpus.Class) string {
	for _, e := range c.Engines {
		if cs, ok := e.Class(class); ok {
			return fmt.Sprintf(" (%d queries, df %d)", cs.N, cs.Expected)
		}
	}
	return ""
}

func latencies(cs ClassSummary, ok bool) string {
	if !ok {
		return "—"
	}
	return sig(cs.P50NS/usPerNS) + " / " + sig(cs.P95NS/usPerNS) + " / " + sig(cs.P99NS/usPerNS)
}

func hitCell(cs ClassSummary, ok bool) string {
	if !ok {
		return "—"
	}
	s := fmt.Sprint(cs.Hits)
	if cs.Unstable > 0 {
		s += fmt.Sprintf(" (%d unstable)", cs.Unstable)
	}
	return s
}

func latencyRatios(k ClassSummary, kok bool, p ClassSummary, pok bool) string {
	if !kok || !pok {
		return "—"
	}
	return ratio(k.P50NS, p.P50NS) + " / " + ratio(k.P95NS, p.P95NS) + " / " + ratio(k.P99NS, p.P99NS)
}

// TargetsTable lists the targets with kotadb's figure, the bound and the status.
func TargetsTable(c CorpusReport) Table {
	t := Table{Header: []string{"target", Subject, "bound", "status"}}
	for _, tg := range c.Targets {
		if tg.Status == NA {
			t.Rows = append(t.Rows, []string{tg.Name, "—", "—", NA + ": " + tg.Why})
			continue
		}
		t.Rows = append(t.Rows, []string{tg.Name, formatUnit(tg.Value, tg.Unit), formatUnit(tg.Bound, tg.Unit), tg.Status})
	}
	return t
}

func formatUnit(v float64, unit string) string {
	switch unit {
	case "bytes":
		return sig(v/mb) + " MB"
	case "docs/s":
		return sig(v) + " docs/s"
	case "MB/s":
		return sig(v) + " MB/s"
	case "ns":
		switch {
		case v >= 1e9:
			return sig(v/1e9) + " s"
		case v >= 1e6:
			return sig(v/1e6) + " ms"
		}
		return sig(v/1e3) + " µs"
	}
	return sig(v)
}

// ModesTable says how each engine answers each class.
func ModesTable(c CorpusReport) Table {
	t := Table{Header: []string{"class"}, TextCells: true}
	for _, e := range c.Engines {
		t.Header = append(t.Header, e.Engine)
	}
	for _, class := range ClassOrder {
		if _, pooled := pools[class]; pooled || !anyMeasured(c, class) {
			continue
		}
		row := []string{string(class)}
		for _, e := range c.Engines {
			mode := "—"
			if cs, ok := e.Class(class); ok {
				mode = cs.Mode
			}
			row = append(row, mode)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// writeMachine is the line saying where the benchmark ran.
func writeMachine(b *strings.Builder, m sysinfo.Machine) {
	fmt.Fprintf(b, "%s · %d cores · %.1f GB RAM · %s · %s · %s · load average %.2f at start",
		m.CPU, m.Cores, float64(m.MemTotal)/1e9, m.OS, m.GoVersion, m.Date.Format("2006-01-02 15:04 UTC"), m.Load)
	if m.LoadEnd > 0 {
		fmt.Fprintf(b, ", %.2f at end", m.LoadEnd)
	}
	if max(m.Load, m.LoadEnd) > float64(m.Cores) {
		b.WriteString(" (busy machine: wall times are inflated, compare CPU times)")
	}
	b.WriteString("\n")
}

// Write renders the whole report, as markdown or aligned text.
func Write(w io.Writer, r Report, markdown bool) error {
	var b strings.Builder
	put := func(t Table) {
		if markdown {
			_ = t.WriteMarkdown(&b) // a strings.Builder does not fail
		} else {
			_ = t.WriteText(&b)
		}
		b.WriteString("\n")
	}
	head := func(level int, s string) {
		if markdown {
			b.WriteString(strings.Repeat("#", level) + " " + s + "\n\n")
		} else {
			b.WriteString(s + "\n" + strings.Repeat("=", len([]rune(s))) + "\n")
		}
	}
	head(2, "kotabench search")
	m := r.Machine
	writeMachine(&b, m)
	fmt.Fprintf(&b, "runs per engine: %d · command: `%s`\n\n", r.Runs, r.Command)
	if len(r.Binaries) > 0 {
		put(BinariesTable(r.Binaries))
	}
	for _, c := range r.Corpora {
		head(3, fmt.Sprintf("%s (%d files, %s MB)", c.Corpus, c.Files, sig(float64(c.Bytes)/mb)))
		put(FiguresTable(c))
		for _, e := range c.Engines {
			if e.Error != "" {
				fmt.Fprintf(&b, "%s failed: %s\n\n", e.Engine, e.Error)
			}
		}
		put(TargetsTable(c))
		put(ModesTable(c))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
