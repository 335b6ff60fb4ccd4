package report

import "strings"

// Binary is the executable that ran an engine's children. Peak RSS is read
// inside the child, so it includes the binary itself: a binary linking
// every engine (Bleve, SQLite, kotadb) starts several MB heavier than one
// linking a single engine, which is why the report names it.
type Binary struct {
	Engine string `json:"engine"` // engine measured by it
	Path   string `json:"path"`
	// Self is true when the parent ran itself (no lean binary given or
	// found next to it), so the figure includes every engine's code.
	Self bool `json:"self"`
	// IdleRSS is the peak RSS (VmHWM) of the binary started with nothing
	// to do: what it costs before the engine does any work.
	IdleRSS int64 `json:"idle_rss_bytes"`
	// Linked are the engines built into the binary.
	Linked []string `json:"linked_engines"`
}

// BinariesTable lists which binary measured each engine.
func BinariesTable(bins []Binary) Table {
	t := Table{Header: []string{"engine", "measured by", "idle RSS (MB)", "engines built in"}, TextCells: true}
	for _, b := range bins {
		by := b.Path
		if b.Self {
			by += " (the parent itself)"
		}
		t.Rows = append(t.Rows, []string{b.Engine, by, sig(float64(b.IdleRSS) / mb), strings.Join(b.Linked, ", ")})
	}
	return t
}
