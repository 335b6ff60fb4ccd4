package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/sysinfo"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixtureRun is a run of engine with every figure scaled by f, answering
// the classes in modes.
func fixtureRun(name string, f float64, modes map[corpus.Class]string) EngineRun {
	r := EngineRun{
		Engine: name, Corpus: "tiny", Files: 3, CorpusBytes: 4_000_000,
		BuildNS: int64(1e9 * f), BuildCPUNS: int64(0.9e9 * f), DiskBytes: int64(2e6 * f), OpenFirstNS: int64(2e6 * f),
		PeakRSS: int64(50e6 * f), PeakRSSServe: int64(20e6 * f), StartRSS: int64(8e6 * f), Modes: modes,
	}
	qs := []struct {
		class corpus.Class
		line  int
		ns    float64
		hits  int
	}{
		{corpus.ClassWord, 2, 10e3, 5}, {corpus.ClassWord, 3, 30e3, 7},
		{engine.ClassPhraseAnd, 4, 50e3, 2}, {corpus.ClassPhrase, 4, 80e3, 1},
		{corpus.ClassIdent, 5, 200e3, 1}, {corpus.ClassTypo, 6, 5e3, 0},
	}
	for _, q := range qs {
		if modes[q.class] == "" {
			continue
		}
		r.Queries = append(r.Queries, QueryResult{Class: q.class, Query: "q", Line: q.line, MedianNS: int64(q.ns * f), Runs: 150, Stable: true, Returned: min(q.hits, 10), Hits: q.hits, Expected: q.hits})
	}
	return r
}

var (
	rankedModes = map[corpus.Class]string{corpus.ClassWord: "bm25", engine.ClassPhraseAnd: "bm25 AND", corpus.ClassPhrase: "phrase", corpus.ClassTypo: "exact"}
	substrModes = map[corpus.Class]string{corpus.ClassIdent: "trigram"}
	allModes    = map[corpus.Class]string{corpus.ClassWord: "w", engine.ClassPhraseAnd: "and", corpus.ClassPhrase: "p", corpus.ClassTypo: "fuzzy", corpus.ClassIdent: "sub"}
)

func fixtureCorpus(t *testing.T, kotadbScale float64) CorpusReport {
	t.Helper()
	c := CorpusReport{Corpus: "tiny", Files: 3, Bytes: 4_000_000}
	for _, e := range []struct {
		name  string
		scale []float64 // one per run
		modes map[corpus.Class]string
	}{
		{"kotadb", []float64{kotadbScale, kotadbScale * 1.2, kotadbScale * 0.9}, allModes},
		{"fts5", []float64{1, 1.1, 0.8}, rankedModes},
		{"fts5-trigram", []float64{2, 2, 2}, substrModes},
		{"bleve", []float64{0.5, 0.5, 0.6}, allModes},
	} {
		var runs []EngineRun
		for _, f := range e.scale {
			runs = append(runs, fixtureRun(e.name, f, e.modes))
		}
		s, err := Summarize(runs)
		if err != nil {
			t.Fatal(err)
		}
		c.Engines = append(c.Engines, s)
	}
	c.Targets = Targets(c)
	return c
}

func TestWriteGolden(t *testing.T) {
	ok := fixtureCorpus(t, 0.1)
	failing := fixtureCorpus(t, 1)
	failing.Corpus = "tiny-slow"
	failing.Engines = append(failing.Engines, EngineSummary{Engine: "broken", Error: "child exited 2"})
	failing.Engines[1].StartRSS = 0 // not recorded (version 1 file): "—", and no ratio
	noKotadb := fixtureCorpus(t, 1)
	noKotadb.Corpus = "no-kotadb"
	noKotadb.Engines = noKotadb.Engines[1:]
	noKotadb.Targets = Targets(noKotadb)
	rep := Report{
		FormatVersion: FormatVersion,
		Machine:       sysinfo.Machine{CPU: "Test CPU", Cores: 2, MemTotal: 8e9, GoVersion: "go1.26", OS: "linux/amd64", Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)},
		Command:       "kotabench search --corpus tiny",
		Runs:          3,
		Binaries: []Binary{
			{Engine: "kotadb", Path: "/opt/kotabench-kotadb", IdleRSS: 7.4e6, Linked: []string{"kotadb"}},
			{Engine: "bleve", Path: "/opt/kotabench", Self: true, IdleRSS: 21.9e6, Linked: []string{"kotadb", "fts5", "fts5-trigram", "bleve"}},
		},
		Corpora: []CorpusReport{ok, failing, noKotadb},
	}
	for _, tt := range []struct {
		file     string
		markdown bool
	}{{"search.txt", false}, {"search.md", true}} {
		var buf bytes.Buffer
		if err := Write(&buf, rep, tt.markdown); err != nil {
			t.Fatal(err)
		}
		golden(t, tt.file, buf.Bytes())
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

func TestTargets(t *testing.T) {
	status := func(c CorpusReport) map[string]string {
		m := map[string]string{}
		for _, tg := range Targets(c) {
			m[tg.Name] = tg.Status
		}
		return m
	}
	// kotadb at 0.1x fts5: faster than 0.25x fts5, but bleve (0.5x) is
	// only 5x slower, so ≤ bleve holds too; disk 0.2 MB ≤ 1.5x corpus.
	fast := status(fixtureCorpus(t, 0.1))
	want := map[string]string{
		"ranked p50 ≤ bleve's": Pass, "ranked p95 ≤ bleve's": Pass,
		"ranked p50 ≤ 0.25x fts5's": Pass, "ranked p95 ≤ 0.25x fts5's": Pass,
		"substring p50 ≤ 0.5x fts5-trigram's": Pass,
		"build ≤ 0.5x (fts5 + fts5-trigram)":  Pass,
		"peak RSS ≤ 0.2x bleve's":             Pass,
		"disk ≤ 0.25x (fts5 + fts5-trigram)":  Pass,
		"disk ≤ 1.5x corpus bytes":            Pass,
		"open to first answer ≤ fts5's":       Pass,
	}
	if diff := cmp.Diff(want, fast); diff != "" {
		t.Errorf("fast kotadb (-want +got):\n%s", diff)
	}
	// At 0.3x: ranked 0.3 > 0.25x fts5 fails, but < bleve's 0.5 passes;
	// RSS 15 MB > 0.2x 25 MB fails; disk 0.6 MB ≤ 0.25x 6 MB passes.
	slow := status(fixtureCorpus(t, 0.3))
	for name, st := range map[string]string{
		"ranked p50 ≤ 0.25x fts5's": Fail, "peak RSS ≤ 0.2x bleve's": Fail,
		"build ≤ 0.5x (fts5 + fts5-trigram)": Pass, "open to first answer ≤ fts5's": Pass,
		"ranked p50 ≤ bleve's": Pass, "disk ≤ 0.25x (fts5 + fts5-trigram)": Pass,
	} {
		if slow[name] != st {
			t.Errorf("kotadb at 0.3x: %s = %s, want %s", name, slow[name], st)
		}
	}
	// Without bleve, its targets are n/a and say why.
	c := fixtureCorpus(t, 0.1)
	c.Engines = c.Engines[:3]
	for _, tg := range Targets(c) {
		if strings.Contains(tg.Name, "bleve") && (tg.Status != NA || tg.Why != "bleve not measured") {
			t.Errorf("%s without bleve: %s (%s)", tg.Name, tg.Status, tg.Why)
		}
	}
}

func TestSummarize(t *testing.T) {
	runs := []EngineRun{fixtureRun("fts5", 1, rankedModes), fixtureRun("fts5", 3, rankedModes), fixtureRun("fts5", 2, rankedModes)}
	runs[1].Queries[0].Stable = false
	s, err := Summarize(runs)
	if err != nil {
		t.Fatal(err)
	}
	if s.BuildNS != 2e9 || s.DiskBytes != 4e6 || s.Runs != 3 {
		t.Errorf("medians over runs: build %v disk %v runs %d", s.BuildNS, s.DiskBytes, s.Runs)
	}
	word, ok := s.Class(corpus.ClassWord)
	// per-query medians 20µs and 60µs; p50 interpolates to 40µs.
	if !ok || word.N != 2 || word.P50NS != 40e3 || word.Hits != 12 || word.Unstable != 1 || word.Mode != "bm25" {
		t.Errorf("word summary = %+v", word)
	}
	ranked, ok := s.Class(PoolRanked)
	if !ok || ranked.N != 3 || !strings.HasPrefix(ranked.Mode, "pooled") {
		t.Errorf("ranked pool = %+v", ranked)
	}
	if _, ok := s.Class(PoolSubstring); ok {
		t.Error("substring pool present with no substring queries")
	}

	mismatched := []EngineRun{fixtureRun("fts5", 1, rankedModes), fixtureRun("bleve", 1, rankedModes)}
	if _, err := Summarize(mismatched); err == nil || !strings.Contains(err.Error(), "run 2 is bleve") {
		t.Errorf("mixed engines: %v", err)
	}
	short := []EngineRun{fixtureRun("fts5", 1, rankedModes), fixtureRun("fts5", 1, substrModes)}
	if _, err := Summarize(short); err == nil {
		t.Error("runs with different queries accepted")
	}
	if _, err := Summarize(nil); err == nil {
		t.Error("no runs accepted")
	}
}
