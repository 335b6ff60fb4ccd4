package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kotadb/kotadb/bench/stats"
	"github.com/kotadb/kotadb/bench/sysinfo"
)

// IngestRun is what one `kotabench ingest` child measures on one corpus.
type IngestRun struct {
	Corpus      string `json:"corpus"`
	Files       int    `json:"files"`
	CorpusBytes int64  `json:"corpus_bytes"`
	Collection  string `json:"collection"`
	Added       int    `json:"added"`      // documents the cold ingest stored
	ReadBytes   int64  `json:"read_bytes"` // bytes the cold ingest read
	Warnings    int    `json:"warnings"`
	NoSync      bool   `json:"no_sync"` // commits were not fsync'd
	// StoreIngestNS is the store's part of DB.Index alone (ingest.Index)
	// on a fresh, open database: what the Foundation's targets are about.
	StoreIngestNS    int64 `json:"store_ingest_ns"`
	StoreIngestCPUNS int64 `json:"store_ingest_cpu_ns"`
	// IngestNS is the DB.Index call on another fresh, open database: the
	// store plus the derived indices.
	IngestNS    int64 `json:"ingest_ns"`
	IngestCPUNS int64 `json:"ingest_cpu_ns"` // CPU time of the same call
	// CloseNS is the Close after the cold ingest, which flushes the
	// derived indices to disk.
	CloseNS int64 `json:"close_ns"`
	// DBBytes is the database folder's size after Close, without the
	// derived indices; IndexBytes is theirs (DB path + ".index/").
	DBBytes    int64 `json:"db_bytes"`
	IndexBytes int64 `json:"index_bytes"`
	PeakRSS    int64 `json:"peak_rss_bytes"`
	// StartRSS is the child's VmRSS read first thing (0 in version 1 files).
	StartRSS int64 `json:"start_rss_bytes,omitempty"`
	// NoChangeNS are the times of DB.Index runs over the unchanged folder.
	NoChangeNS []int64 `json:"no_change_ns"`
	// OpenNS are the times of Open + the first Get of a document.
	OpenNS []int64 `json:"open_ns"`
}

// IngestSummary is a corpus's ingest figures, medians over runs.
type IngestSummary struct {
	Corpus      string `json:"corpus"`
	Files       int    `json:"files"`
	CorpusBytes int64  `json:"corpus_bytes"`
	Runs        int    `json:"runs"`
	Added       int    `json:"added"`
	NoSync      bool   `json:"no_sync"`
	// Store*: the store-only ingest; the unprefixed figures: DB.Index.
	StoreIngestNS    float64  `json:"store_ingest_ns"`
	StoreIngestCPUNS float64  `json:"store_ingest_cpu_ns"`
	StoreDocsPerSec  float64  `json:"store_docs_per_sec"`
	StoreMBPerSec    float64  `json:"store_mb_per_sec"`
	IngestNS         float64  `json:"ingest_ns"`
	IngestCPUNS      float64  `json:"ingest_cpu_ns"`
	DocsPerSec       float64  `json:"docs_per_sec"`
	MBPerSec         float64  `json:"mb_per_sec"` // decimal MB of files read per second
	PeakRSS          float64  `json:"peak_rss_bytes"`
	StartRSS         float64  `json:"start_rss_bytes,omitempty"`
	CloseNS          float64  `json:"close_ns"`
	DBBytes          float64  `json:"db_bytes"`
	IndexBytes       float64  `json:"index_bytes"`
	NoChangeNS       float64  `json:"no_change_ns"`
	OpenNS           float64  `json:"open_ns"`
	Targets          []Target `json:"targets"`
}

// IngestReport is the output of `kotabench ingest`.
type IngestReport struct {
	FormatVersion int             `json:"format_version"`
	Kind          string          `json:"kind"` // KindIngest
	Machine       sysinfo.Machine `json:"machine"`
	Command       string          `json:"command"`
	Runs          int             `json:"runs"`
	Binaries      []Binary        `json:"binaries,omitempty"` // the binary that ran the children
	Corpora       []IngestSummary `json:"corpora"`
	Raw           []IngestRun     `json:"raw_runs"`
}

// Ingest targets from the Foundation issue.
const (
	TargetDocsPerSec    = 10_000 // cold ingest, docs/s (issue: on dwarves-brain)
	TargetMBPerSec      = 30     // cold ingest, MB/s (issue: on opentelemetry-docs)
	TargetNoChangeFiles = 2_000  // no-change re-run of this many files…
	TargetNoChangeNS    = 100e6  // …in under 100 ms
	TargetDBRatio       = 0.6    // database < 0.6x corpus bytes
	TargetOpenNS        = 5e6    // open + first Get < 5 ms
)

// SummarizeIngest aggregates runs of one corpus: the median of each run's
// figure; a run's no-change and open times are themselves medians.
func SummarizeIngest(runs []IngestRun) (IngestSummary, error) {
	if len(runs) == 0 {
		return IngestSummary{}, fmt.Errorf("summarize ingest: no runs")
	}
	first := runs[0]
	var storeIngest, storeIngestCPU, ingest, ingestCPU, closeT, rss, start, db, idx, noChange, open []float64
	for i, r := range runs {
		if r.Corpus != first.Corpus {
			return IngestSummary{}, fmt.Errorf("summarize ingest: run %d is on %s, run 1 on %s", i+1, r.Corpus, first.Corpus)
		}
		if len(r.NoChangeNS) == 0 || len(r.OpenNS) == 0 {
			return IngestSummary{}, fmt.Errorf("summarize ingest: run %d of %s has no no-change or open times", i+1, r.Corpus)
		}
		storeIngest = append(storeIngest, float64(r.StoreIngestNS))
		storeIngestCPU = append(storeIngestCPU, float64(r.StoreIngestCPUNS))
		ingest = append(ingest, float64(r.IngestNS))
		ingestCPU = append(ingestCPU, float64(r.IngestCPUNS))
		closeT = append(closeT, float64(r.CloseNS))
		rss = append(rss, float64(r.PeakRSS))
		start = append(start, float64(r.StartRSS))
		db = append(db, float64(r.DBBytes))
		idx = append(idx, float64(r.IndexBytes))
		noChange = append(noChange, medianInts(r.NoChangeNS))
		open = append(open, medianInts(r.OpenNS))
	}
	s := IngestSummary{
		Corpus: first.Corpus, Files: first.Files, CorpusBytes: first.CorpusBytes, Runs: len(runs), Added: first.Added, NoSync: first.NoSync,
		IngestNS: stats.Median(ingest), IngestCPUNS: stats.Median(ingestCPU), PeakRSS: stats.Median(rss), StartRSS: stats.Median(start), DBBytes: stats.Median(db),
		CloseNS: stats.Median(closeT), IndexBytes: stats.Median(idx),
		NoChangeNS: stats.Median(noChange), OpenNS: stats.Median(open),
		StoreIngestNS: stats.Median(storeIngest), StoreIngestCPUNS: stats.Median(storeIngestCPU),
	}
	s.DocsPerSec, s.MBPerSec = rates(first, s.IngestNS)
	s.StoreDocsPerSec, s.StoreMBPerSec = rates(first, s.StoreIngestNS)
	s.Targets = ingestTargets(s)
	return s, nil
}

// rates are documents and decimal MB per second of a run taking ns.
func rates(r IngestRun, ns float64) (docsPerSec, mbPerSec float64) {
	if ns <= 0 {
		return 0, 0
	}
	secs := ns / 1e9
	return float64(r.Added) / secs, float64(r.ReadBytes) / mb / secs
}

func medianInts(xs []int64) float64 {
	fs := make([]float64, len(xs))
	for i, x := range xs {
		fs[i] = float64(x)
	}
	return stats.Median(fs)
}

// NoChangeScaledNS is the no-change re-run time scaled linearly to
// TargetNoChangeFiles files (a no-change run costs one stat per file).
func (s IngestSummary) NoChangeScaledNS() float64 {
	if s.Files == 0 {
		return 0
	}
	return s.NoChangeNS * TargetNoChangeFiles / float64(s.Files)
}

func ingestTargets(s IngestSummary) []Target {
	atLeast := func(name, unit string, v, bound float64) Target {
		t := Target{Name: name, Unit: unit, Value: v, Bound: bound, Status: Fail}
		if v >= bound {
			t.Status = Pass
		}
		return t
	}
	below := func(name, unit string, v, bound float64) Target {
		t := Target{Name: name, Unit: unit, Value: v, Bound: bound, Status: Fail}
		if v < bound {
			t.Status = Pass
		}
		return t
	}
	return []Target{
		atLeast("store ingest ≥ 10,000 docs/s (issue: dwarves-brain)", "docs/s", s.StoreDocsPerSec, TargetDocsPerSec),
		atLeast("store ingest ≥ 30 MB/s (issue: opentelemetry-docs)", "MB/s", s.StoreMBPerSec, TargetMBPerSec),
		below("no-change re-run, scaled to 2,000 files, < 100 ms", "ns", s.NoChangeScaledNS(), TargetNoChangeNS),
		below("database < 0.6x corpus bytes", "bytes", s.DBBytes, TargetDBRatio*float64(s.CorpusBytes)),
		below("open + first Get < 5 ms", "ns", s.OpenNS, TargetOpenNS),
	}
}

// IngestTable has one column per corpus.
func IngestTable(r IngestReport) Table {
	t := Table{Header: []string{"figure"}}
	for _, c := range r.Corpora {
		t.Header = append(t.Header, c.Corpus)
	}
	rows := []struct {
		label string
		get   func(IngestSummary) string
	}{
		{"files (stored)", func(s IngestSummary) string { return fmt.Sprintf("%d (%d)", s.Files, s.Added) }},
		{"corpus (MB)", func(s IngestSummary) string { return sig(float64(s.CorpusBytes) / mb) }},
		{"commits", func(s IngestSummary) string {
			if s.NoSync {
				return "no fsync (--no-sync)"
			}
			return "fsync'd"
		}},
		{"cold ingest, store only (s)", func(s IngestSummary) string { return sig(s.StoreIngestNS / 1e9) }},
		{"  CPU time (s)", func(s IngestSummary) string { return sig(s.StoreIngestCPUNS / 1e9) }},
		{"  docs/s", func(s IngestSummary) string { return sig(s.StoreDocsPerSec) }},
		{"  MB/s", func(s IngestSummary) string { return sig(s.StoreMBPerSec) }},
		{"cold DB.Index, store + indices (s)", func(s IngestSummary) string { return sig(s.IngestNS / 1e9) }},
		{"  CPU time (s)", func(s IngestSummary) string { return sig(s.IngestCPUNS / 1e9) }},
		{"  docs/s", func(s IngestSummary) string { return sig(s.DocsPerSec) }},
		{"  MB/s", func(s IngestSummary) string { return sig(s.MBPerSec) }},
		{"close, flushing the indices (s)", func(s IngestSummary) string { return sig(s.CloseNS / 1e9) }},
		{"peak RSS (MB)", func(s IngestSummary) string { return sig(s.PeakRSS / mb) }},
		{"process RSS at start (MB)", func(s IngestSummary) string {
			if s.StartRSS == 0 {
				return "—" // not recorded (version 1 file)
			}
			return sig(s.StartRSS / mb)
		}},
		{"database (MB)", func(s IngestSummary) string { return sig(s.DBBytes / mb) }},
		{"database / corpus", func(s IngestSummary) string { return ratio(s.DBBytes, float64(s.CorpusBytes)) }},
		{"derived indices (MB)", func(s IngestSummary) string { return sig(s.IndexBytes / mb) }},
		{"no-change re-run (ms)", func(s IngestSummary) string { return sig(s.NoChangeNS / msPerNS) }},
		{"  scaled to 2,000 files (ms)", func(s IngestSummary) string { return sig(s.NoChangeScaledNS() / msPerNS) }},
		{"open + first Get (ms)", func(s IngestSummary) string { return sig(s.OpenNS / msPerNS) }},
	}
	for _, row := range rows {
		cells := []string{row.label}
		for _, c := range r.Corpora {
			cells = append(cells, row.get(c))
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

// IngestTargetsTable lists every corpus's targets.
func IngestTargetsTable(r IngestReport) Table {
	t := Table{Header: []string{"target", "corpus", "kotadb", "bound", "status"}}
	for _, c := range r.Corpora {
		for _, tg := range c.Targets {
			t.Rows = append(t.Rows, []string{tg.Name, c.Corpus, formatUnit(tg.Value, tg.Unit), formatUnit(tg.Bound, tg.Unit), tg.Status})
		}
	}
	return t
}

// WriteIngest renders an IngestReport as markdown or aligned text.
func WriteIngest(w io.Writer, r IngestReport, markdown bool) error {
	var b strings.Builder
	m := r.Machine
	if markdown {
		b.WriteString("## kotabench ingest\n\n")
	} else {
		b.WriteString("kotabench ingest\n================\n")
	}
	writeMachine(&b, m)
	fmt.Fprintf(&b, "runs per corpus: %d · command: `%s`\n\n", r.Runs, r.Command)
	tables := []Table{IngestTable(r), IngestTargetsTable(r)}
	if len(r.Binaries) > 0 {
		tables = append([]Table{BinariesTable(r.Binaries)}, tables...)
	}
	for _, t := range tables {
		if markdown {
			_ = t.WriteMarkdown(&b) // a strings.Builder does not fail
		} else {
			_ = t.WriteText(&b)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
