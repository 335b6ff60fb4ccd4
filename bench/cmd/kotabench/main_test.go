package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kotadb/kotadb/bench/report"
)

// The parent re-executes its own binary for each child. Under `go test`
// that binary is the test binary, which acts as kotabench when this
// variable is set (the test sets it before running the parent).
const asMainEnv = "KOTABENCH_TEST_AS_MAIN"

// inTestEnv marks processes started by the tests: a test binary started
// without asMainEnv (a test that forgot to set it) would run every test
// again, recursively; it fails instead.
const inTestEnv = "KOTABENCH_TEST_RUNNING"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main()
		return
	}
	if os.Getenv(inTestEnv) == "1" {
		fmt.Fprintf(os.Stderr, "test binary started as a child without %s=1: %q\n", asMainEnv, os.Args)
		os.Exit(2)
	}
	os.Setenv(inTestEnv, "1")
	os.Exit(m.Run())
}

// tinyCorpus writes a corpus folder with a query of most classes.
func tinyCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"data/notes/go.md":        "---\ntags: golang\n---\n# Go\nA WaitGroup waits for goroutines. Best practices for concurrency.\n",
		"data/notes/redis.md":     "# Redis\nRedis streams use XREADGROUP. Best practices apply.\n",
		"data/other/readme.md":    "Nothing about databases here, only best intentions.\n",
		"data/.obsidian/app.json": "{}",
		"queries.txt":             "redis\n",
		"queries.tsv": "class\tquery\tdf_all_terms\tdf_phrase\tnote\n" +
			"word\tredis\t1\t1\t\n" +
			"phrase\tbest practices\t2\t2\t\n" +
			"ident\tWaitGroup\t1\t1\t\n" +
			"typo\tconcurency\t0\t0\tconcurrency\n" +
			"path\tnotes/\t2\t2\t\n" +
			"absent\tquaternion\t0\t0\t\n",
	}
	for p, s := range files {
		abs := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fts5Available(t *testing.T) bool {
	e, err := newEngine("fts5")
	if err != nil {
		return false
	}
	err = e.Build(t.TempDir(), nil)
	e.Close()
	return err == nil
}

func TestSearchEndToEnd(t *testing.T) {
	t.Setenv(asMainEnv, "1")
	dir := tinyCorpus(t)
	engines := "kotadb,bleve"
	if fts5Available(t) {
		engines = "kotadb,fts5,fts5-trigram,bleve"
	}
	out := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"search", "--corpus", dir, "--engines", engines, "--runs", "2",
		"--batch", "3", "--max-batches", "4", "--budget", "20ms", "--out", out, "--markdown"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("search: %v\nstderr:\n%s", err, stderr.String())
	}
	md := stdout.String()
	for _, want := range []string{"## kotabench search", "| build (s) |", "| word p50/p95/p99 (µs) |", "| kotadb/bleve |", "| ranked p50 ≤ bleve's |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown output lacks %q:\n%s", want, md)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	var shown bytes.Buffer
	if err := run(context.Background(), []string{"show", "--markdown", out}, &shown, &stderr); err != nil {
		t.Fatal(err)
	}
	if shown.String() != md {
		t.Errorf("show prints something else than search did:\n%s\nvs\n%s", shown.String(), md)
	}
	if len(rep.Corpora) != 1 || rep.Corpora[0].Files != 3 {
		t.Fatalf("report corpora = %+v", rep.Corpora)
	}
	for _, tg := range rep.Corpora[0].Targets {
		if tg.Name == "ranked p50 ≤ bleve's" && tg.Status != report.Pass && tg.Status != report.Fail {
			t.Errorf("target %s = %s (%s), want PASS or FAIL with kotadb and bleve measured", tg.Name, tg.Status, tg.Why)
		}
	}
	// No lean binary was given or lies next to the test binary: every
	// engine ran in the parent's own binary, and the report says so.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Binaries) != len(rep.Corpora[0].Engines) {
		t.Errorf("report binaries = %+v, want one per engine", rep.Binaries)
	}
	for _, b := range rep.Binaries {
		if !b.Self || b.Path != self || b.IdleRSS <= 0 || len(b.Linked) != len(engineOrder) {
			t.Errorf("binary of %s = %+v, want the parent %s with every engine", b.Engine, b, self)
		}
	}
	for _, e := range rep.Corpora[0].Engines {
		if e.Error != "" || e.Runs != 2 || e.BuildNS <= 0 || e.DiskBytes <= 0 || e.PeakRSS <= 0 {
			t.Errorf("%s: %+v", e.Engine, e)
		}
		if e.StartRSS <= 0 || e.StartRSS > e.PeakRSS {
			t.Errorf("%s: start RSS %v, want in (0, peak RSS %v]", e.Engine, e.StartRSS, e.PeakRSS)
		}
		if word, ok := e.Class("word"); e.Engine != "fts5-trigram" && (!ok || word.Hits != 1) {
			t.Errorf("%s: word class %+v, want 1 hit for redis", e.Engine, word)
		}
		if sub, ok := e.Class(report.PoolSubstring); e.Engine != "fts5" && (!ok || sub.Hits != 1) {
			t.Errorf("%s: substring pool %+v, want 1 hit for WaitGroup", e.Engine, sub)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	dir := tinyCorpus(t)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"search"}, "at least one --corpus"},
		{[]string{"search", "--corpus", dir, "--engines", "lucene"}, `unknown engine "lucene"`},
		{[]string{"search", "--corpus", dir, "--child-bin", "lucene=/bin/true"}, `unknown engine "lucene"`},
		{[]string{"search", "--corpus", dir, "--child-bin", "kotadb"}, "want ENGINE=PATH"},
		{[]string{"search", "--corpus", dir, "--child-bin", "kotadb=" + filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"search", "--corpus", dir, "--child-bin", "kotadb=" + filepath.Join(dir, "queries.txt")}, "not an executable file"},
		{[]string{"search", "--corpus", dir, "--runs", "0"}, "--runs 0 < 1"},
		{[]string{"search", "--corpus", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"ingest"}, "at least one --corpus"},
		{[]string{"show"}, "want one results file"},
		{[]string{"show", filepath.Join(dir, "queries.txt")}, "invalid character"},
		{[]string{"show", filepath.Join(dir, "nope.json")}, "no such file"},
		{[]string{"ingest", "--corpus", dir, "--opens", "0"}, "must be ≥ 1"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tt.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) error = %v, want it to contain %q", tt.args, err, tt.want)
		}
	}
}

func TestIngestEndToEnd(t *testing.T) {
	t.Setenv(asMainEnv, "1")
	dir := tinyCorpus(t)
	out := filepath.Join(t.TempDir(), "i.json")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"ingest", "--corpus", dir, "--runs", "2", "--no-change-runs", "2", "--opens", "3", "--out", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("ingest: %v\nstderr:\n%s", err, stderr.String())
	}
	for _, want := range []string{"cold ingest, store only (s)", "cold DB.Index, store + indices (s)", "derived indices (MB)", "database < 0.6x corpus bytes", "3 (3)"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep report.IngestReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Kind != report.KindIngest || len(rep.Raw) != 2 || len(rep.Raw[0].OpenNS) != 3 || rep.Corpora[0].Added != 3 {
		t.Errorf("ingest report = %+v", rep)
	}
}
