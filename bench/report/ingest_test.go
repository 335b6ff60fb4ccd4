package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kotadb/kotadb/bench/sysinfo"
)

func ingestRun(corpus string, files int, bytes int64, ingestMS float64, noChange, open []int64) IngestRun {
	return IngestRun{
		Corpus: corpus, Files: files, CorpusBytes: bytes, Collection: corpus, Added: files, ReadBytes: bytes,
		StoreIngestNS: int64(ingestMS * 1e6), StoreIngestCPUNS: int64(ingestMS * 1.2e6),
		IngestNS: int64(ingestMS * 2e6), IngestCPUNS: int64(ingestMS * 1.5e6), CloseNS: int64(ingestMS * 0.1e6), DBBytes: bytes / 2, IndexBytes: bytes / 4, PeakRSS: 40e6, StartRSS: 7.5e6, NoChangeNS: noChange, OpenNS: open,
	}
}

func TestSummarizeIngest(t *testing.T) {
	runs := []IngestRun{
		ingestRun("notes", 1000, 10e6, 200, []int64{30e6, 10e6, 20e6}, []int64{1e6, 2e6}),
		ingestRun("notes", 1000, 10e6, 100, []int64{40e6}, []int64{3e6}),
		ingestRun("notes", 1000, 10e6, 50, []int64{50e6}, []int64{9e6}),
	}
	s, err := SummarizeIngest(runs)
	if err != nil {
		t.Fatal(err)
	}
	// store ingest median 100 ms → 10,000 docs/s, 100 MB/s (DB.Index takes
	// twice as long); no-change medians 20, 40, 50 → 40 ms, scaled ×2 →
	// 80 ms; open medians 1.5, 3, 9 → 3 ms.
	if s.StoreDocsPerSec != 10_000 || s.StoreMBPerSec != 100 || s.DocsPerSec != 5_000 || s.MBPerSec != 50 || s.NoChangeNS != 40e6 || s.NoChangeScaledNS() != 80e6 || s.OpenNS != 3e6 {
		t.Errorf("summary = %+v", s)
	}
	status := map[string]string{}
	for _, tg := range s.Targets {
		status[tg.Name] = tg.Status
	}
	want := map[string]string{
		"store ingest ≥ 10,000 docs/s (issue: dwarves-brain)": Pass, // equal counts
		"store ingest ≥ 30 MB/s (issue: opentelemetry-docs)":  Pass,
		"no-change re-run, scaled to 2,000 files, < 100 ms":   Pass,
		"database < 0.6x corpus bytes":                        Pass,
		"open + first Get < 5 ms":                             Pass,
	}
	for name, st := range want {
		if status[name] != st {
			t.Errorf("%s = %q, want %s", name, status[name], st)
		}
	}
	slow := ingestRun("notes", 1000, 10e6, 2000, []int64{60e6}, []int64{6e6})
	s, err = SummarizeIngest([]IngestRun{slow})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range s.Targets {
		if tg.Name != "database < 0.6x corpus bytes" && tg.Status != Fail {
			t.Errorf("slow run: %s = %s, want FAIL", tg.Name, tg.Status)
		}
	}
	for _, bad := range [][]IngestRun{nil, {runs[0], ingestRun("other", 1, 1, 1, []int64{1}, []int64{1})}, {ingestRun("x", 1, 1, 1, nil, []int64{1})}} {
		if _, err := SummarizeIngest(bad); err == nil {
			t.Errorf("SummarizeIngest(%d runs) accepted bad input", len(bad))
		}
	}
}

func TestWriteIngestGolden(t *testing.T) {
	a, err := SummarizeIngest([]IngestRun{ingestRun("dwarves-brain", 885, 3_230_000, 80, []int64{12e6}, []int64{1.2e6})})
	if err != nil {
		t.Fatal(err)
	}
	slow := ingestRun("opentelemetry-docs", 1812, 14_800_000, 1600, []int64{90e6}, []int64{7e6})
	slow.NoSync = true
	slow.StartRSS = 0 // a version 1 file: shown as "—"
	b, err := SummarizeIngest([]IngestRun{slow})
	if err != nil {
		t.Fatal(err)
	}
	rep := IngestReport{
		FormatVersion: FormatVersion,
		Machine:       sysinfo.Machine{CPU: "Test CPU", Cores: 2, MemTotal: 8e9, GoVersion: "go1.26", OS: "linux/amd64", LoadEnd: 3.5, Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)},
		Command:       "kotabench ingest --corpus a --corpus b",
		Runs:          1,
		Binaries:      []Binary{{Engine: "kotadb", Path: "/opt/kotabench-kotadb", IdleRSS: 7.4e6, Linked: []string{"kotadb"}}},
		Corpora:       []IngestSummary{a, b},
	}
	for _, tt := range []struct {
		file     string
		markdown bool
	}{{"ingest.txt", false}, {"ingest.md", true}} {
		var buf bytes.Buffer
		if err := WriteIngest(&buf, rep, tt.markdown); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "FAIL") || !strings.Contains(buf.String(), "PASS") {
			t.Errorf("%s: want both PASS and FAIL targets", tt.file)
		}
		golden(t, tt.file, buf.Bytes())
	}
}
