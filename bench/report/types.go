// Package report holds kotabench's results: what a child process measures
// (EngineRun, sent to the parent as JSON), how runs are aggregated into
// per-class percentiles, the targets checked against the peers, and the
// text and markdown tables.
//
// The JSON written by `kotabench search --out` is a Report; its layout is
// versioned by FormatVersion. Version 2 added the child binaries
// (Report.Binaries, IngestReport.Binaries) and the start RSS of each child
// (start_rss_bytes); version 1 files still open and show "—" for those.
package report

import (
	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/sysinfo"
)

// FormatVersion is the version of the Report JSON layout this kotabench
// writes; it reads every version from MinFormatVersion on.
const (
	FormatVersion    = 2
	MinFormatVersion = 1
)

// QueryResult is one query measured on one engine.
type QueryResult struct {
	Class    corpus.Class `json:"class"` // measured class (phrase-and for a phrase run AND-ed)
	Query    string       `json:"query"`
	Line     int          `json:"line"`      // line in queries.tsv
	MedianNS int64        `json:"median_ns"` // stable median latency
	Runs     int          `json:"runs"`      // timed executions
	Stable   bool         `json:"stable"`    // false when the repeat cap or time budget ran out
	Returned int          `json:"returned"`  // results returned (≤ top k)
	Hits     int          `json:"hits"`      // total matching documents
	// Expected is the corpus's document frequency for this query and
	// class (df_phrase for exact-phrase classes, else df_all_terms; -1 if
	// not given). Engines that analyze text differently legitimately differ.
	Expected int `json:"expected"`
}

// EngineRun is what one child process measures: one engine on one corpus.
type EngineRun struct {
	Engine      string `json:"engine"`
	Corpus      string `json:"corpus"`
	Files       int    `json:"files"`
	CorpusBytes int64  `json:"corpus_bytes"`
	// BuildNS is the time to index every file and close the index (durable).
	BuildNS int64 `json:"build_ns"`
	// BuildCPUNS is the CPU time (user + system, all threads) the build
	// used: robust to a busy machine, and above BuildNS when the engine
	// builds in parallel.
	BuildCPUNS int64 `json:"build_cpu_ns"`
	DiskBytes  int64 `json:"disk_bytes"`
	// OpenFirstNS is open + first query (queries.txt line 1) on the closed
	// index, page cache warm from the build.
	OpenFirstNS int64  `json:"open_first_ns"`
	FirstQuery  string `json:"first_query"`
	FirstHits   int    `json:"first_returned"`
	// PeakRSS is the process's VmHWM over the whole run; PeakRSSServe is
	// VmHWM from after the build (heap returned to the OS, peak reset)
	// through open and all queries.
	PeakRSS      int64 `json:"peak_rss_bytes"`
	PeakRSSServe int64 `json:"peak_rss_serve_bytes"`
	// StartRSS is the child's VmRSS read first thing, before the corpus is
	// loaded: the binary and runtime baseline every RSS figure includes
	// (0 in version 1 files).
	StartRSS int64                   `json:"start_rss_bytes,omitempty"`
	Modes    map[corpus.Class]string `json:"modes"`
	Queries  []QueryResult           `json:"queries"`
}

// ClassSummary is one measured class on one engine: percentiles over the
// class's per-query medians.
type ClassSummary struct {
	Class    corpus.Class `json:"class"`
	Mode     string       `json:"mode"`
	N        int          `json:"n"` // queries
	P50NS    float64      `json:"p50_ns"`
	P95NS    float64      `json:"p95_ns"`
	P99NS    float64      `json:"p99_ns"`
	Hits     int          `json:"hits"`     // sum of Hits over the queries
	Expected int          `json:"expected"` // sum of known Expected
	Unstable int          `json:"unstable"` // queries whose median did not settle
}

// EngineSummary is an engine's figures on one corpus, aggregated over runs
// (medians of the per-run figures; per-query medians are medians of the
// runs' medians).
type EngineSummary struct {
	Engine       string         `json:"engine"`
	Runs         int            `json:"runs"`
	BuildNS      float64        `json:"build_ns"`
	BuildCPUNS   float64        `json:"build_cpu_ns"`
	DiskBytes    float64        `json:"disk_bytes"`
	OpenFirstNS  float64        `json:"open_first_ns"`
	PeakRSS      float64        `json:"peak_rss_bytes"`
	PeakRSSServe float64        `json:"peak_rss_serve_bytes"`
	StartRSS     float64        `json:"start_rss_bytes,omitempty"`
	Classes      []ClassSummary `json:"classes"`
	Queries      []QueryResult  `json:"queries"`
	Error        string         `json:"error,omitempty"` // the child failed; no figures
}

// CorpusReport is every engine on one corpus.
type CorpusReport struct {
	Corpus  string          `json:"corpus"`
	Files   int             `json:"files"`
	Bytes   int64           `json:"bytes"`
	Engines []EngineSummary `json:"engines"`
	Targets []Target        `json:"targets"`
	Raw     []EngineRun     `json:"raw_runs"`
}

// Kinds of report files, so `kotabench show` knows which one it reads.
const (
	KindSearch = "search"
	KindIngest = "ingest"
)

// Report is the output of `kotabench search`.
type Report struct {
	FormatVersion int             `json:"format_version"`
	Kind          string          `json:"kind"` // KindSearch
	Machine       sysinfo.Machine `json:"machine"`
	Command       string          `json:"command"`
	Runs          int             `json:"runs"`
	// Binaries are the executables the children ran, one per engine.
	Binaries []Binary       `json:"binaries,omitempty"`
	Corpora  []CorpusReport `json:"corpora"`
}
