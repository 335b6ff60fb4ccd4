package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kotadb/kotadb/bench/report"
)

func TestChildBinFlag(t *testing.T) {
	f := childBinFlag{}
	for _, ok := range []string{"kotadb=/a/kotabench-kotadb", "fts5=rel/kotabench-fts5", "bleve=/path/with=sign"} {
		if err := f.Set(ok); err != nil {
			t.Errorf("Set(%q): %v", ok, err)
		}
	}
	want := childBinFlag{"kotadb": "/a/kotabench-kotadb", "fts5": "rel/kotabench-fts5", "bleve": "/path/with=sign"}
	if !maps(f, want) {
		t.Errorf("flag = %v, want %v", f, want)
	}
	if got := f.String(); got != "bleve=/path/with=sign,fts5=rel/kotabench-fts5,kotadb=/a/kotabench-kotadb" {
		t.Errorf("String() = %q", got)
	}
	for _, bad := range []struct{ arg, want string }{
		{"kotadb", "want ENGINE=PATH"},
		{"=/x", "want ENGINE=PATH"},
		{"kotadb=", "want ENGINE=PATH"},
		{"lucene=/x", `unknown engine "lucene"`},
		{"kotadb=/other", "given twice"},
	} {
		if err := f.Set(bad.arg); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Set(%q) = %v, want an error containing %q", bad.arg, err, bad.want)
		}
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// executable writes an (empty) executable file at dir/name.
func executable(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, nil, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBinFor(t *testing.T) {
	dir := t.TempDir()
	self := executable(t, dir, "kotabench", 0o755)
	other := t.TempDir()
	explicitKotadb := executable(t, other, "my-kotadb", 0o755)
	explicitFTS5 := executable(t, other, "my-fts5", 0o755)
	explicitTrigram := executable(t, other, "my-trigram", 0o755)

	type want struct {
		path string
		self bool
	}
	check := func(name string, cb childBins, engine string, w want) {
		t.Helper()
		path, isSelf, err := cb.binFor(engine)
		if err != nil || path != w.path || isSelf != w.self {
			t.Errorf("%s: binFor(%s) = %q, self %v, %v; want %q, self %v", name, engine, path, isSelf, err, w.path, w.self)
		}
	}

	// Nothing given, nothing next to the parent: the parent itself.
	auto := childBins{explicit: childBinFlag{}, auto: true, self: self}
	for _, e := range engineOrder {
		check("fallback", auto, e, want{self, true})
	}

	// Lean binaries next to the parent are found by build group; a file
	// that is not executable is not.
	sibKotadb := executable(t, dir, "kotabench-kotadb", 0o755)
	sibFTS5 := executable(t, dir, "kotabench-fts5", 0o755)
	executable(t, dir, "kotabench-bleve", 0o644)
	check("auto", auto, "kotadb", want{sibKotadb, false})
	check("auto", auto, "fts5", want{sibFTS5, false})
	check("auto", auto, "fts5-trigram", want{sibFTS5, false})
	check("auto", auto, "bleve", want{self, true})

	// --auto-child-bin=false ignores them.
	off := childBins{explicit: childBinFlag{}, auto: false, self: self}
	check("auto off", off, "kotadb", want{self, true})

	// --child-bin wins over the lookup; a group entry serves the group's
	// other engines unless they have their own.
	explicit := childBins{explicit: childBinFlag{"kotadb": explicitKotadb, "fts5": explicitFTS5}, auto: true, self: self}
	check("explicit", explicit, "kotadb", want{explicitKotadb, false})
	check("explicit", explicit, "fts5-trigram", want{explicitFTS5, false})
	explicit.explicit["fts5-trigram"] = explicitTrigram
	check("explicit", explicit, "fts5-trigram", want{explicitTrigram, false})
	check("explicit", explicit, "fts5", want{explicitFTS5, false})

	// Naming the parent explicitly is the parent; a relative path is made
	// absolute.
	t.Chdir(dir)
	rel := childBins{explicit: childBinFlag{"bleve": "kotabench", "kotadb": "kotabench-kotadb"}, auto: false, self: self}
	check("relative", rel, "bleve", want{self, true})
	check("relative", rel, "kotadb", want{sibKotadb, false})

	for _, bad := range []struct{ engine, path, want string }{
		{"kotadb", filepath.Join(dir, "missing"), "no such file"},
		{"bleve", filepath.Join(dir, "kotabench-bleve"), "not an executable file"}, // mode 0644
		{"kotadb", other, "not an executable file"},                                // a folder
	} {
		cb := childBins{explicit: childBinFlag{bad.engine: bad.path}, auto: true, self: self}
		if _, _, err := cb.binFor(bad.engine); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("binFor(%s) with --child-bin %s=%s: %v, want an error containing %q", bad.engine, bad.engine, bad.path, err, bad.want)
		}
	}
}

// TestLeanDeps checks that a binary built with one bench_* tag does not
// link the other engines: the point of the tags.
func TestLeanDeps(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	const (
		bleve  = "github.com/blevesearch/bleve/v2"
		sqlite = "github.com/mattn/go-sqlite3"
		kotadb = "github.com/kotadb/kotadb" // the main module's root package
	)
	for _, tt := range []struct {
		tags       string
		has, lacks []string
	}{
		{"bench_kotadb", []string{kotadb}, []string{bleve, sqlite}},
		{"bench_fts5 sqlite_fts5", []string{sqlite}, []string{bleve, kotadb}},
		{"bench_bleve", []string{bleve}, []string{sqlite, kotadb}},
		{"", []string{bleve, sqlite, kotadb}, nil},
	} {
		out, err := exec.Command(goBin, "list", "-deps", "-tags", tt.tags, ".").Output()
		if err != nil {
			t.Fatalf("go list -tags %q: %v", tt.tags, err)
		}
		deps := strings.Fields(string(out))
		for _, p := range tt.has {
			if !slices.Contains(deps, p) {
				t.Errorf("-tags %q: %s is not linked", tt.tags, p)
			}
		}
		for _, p := range tt.lacks {
			if slices.Contains(deps, p) {
				t.Errorf("-tags %q links %s", tt.tags, p)
			}
		}
	}
}

// TestLeanChildEndToEnd builds a kotadb-only binary and has the parent
// measure kotadb with it.
func TestLeanChildEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	lean := filepath.Join(t.TempDir(), "kotabench-kotadb")
	build := exec.Command(goBin, "build", "-tags", "bench_kotadb", "-o", lean, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Setenv(asMainEnv, "1")
	dir := tinyCorpus(t)
	out := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"search", "--corpus", dir, "--engines", "kotadb,bleve", "--child-bin", "kotadb=" + lean,
		"--runs", "1", "--batch", "3", "--max-batches", "4", "--budget", "20ms", "--out", out, "--markdown"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("search: %v\nstderr:\n%s", err, stderr.String())
	}
	var rep report.Report
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Binaries) != 2 {
		t.Fatalf("binaries = %+v, want kotadb's and bleve's", rep.Binaries)
	}
	kb, bb := rep.Binaries[0], rep.Binaries[1]
	if kb.Engine != "kotadb" || kb.Path != lean || kb.Self || !slices.Equal(kb.Linked, []string{"kotadb"}) || kb.IdleRSS <= 0 {
		t.Errorf("kotadb's binary = %+v, want the lean %s", kb, lean)
	}
	if bb.Engine != "bleve" || !bb.Self || !slices.Contains(bb.Linked, "kotadb") {
		t.Errorf("bleve's binary = %+v, want the parent", bb)
	}
	for _, want := range []string{"| kotadb | " + lean + " | ", "| process RSS at start (MB) |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, e := range rep.Corpora[0].Engines {
		if e.Error != "" || e.StartRSS <= 0 || e.StartRSS > e.PeakRSS {
			t.Errorf("%s: error %q, start RSS %v, peak %v\nstderr:\n%s", e.Engine, e.Error, e.StartRSS, e.PeakRSS, stderr.String())
		}
	}

	// A binary without the engine is refused up front, naming the tag.
	err = run(context.Background(), []string{"search", "--corpus", dir, "--engines", "bleve", "--child-bin", "bleve=" + lean}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "does not link it") || !strings.Contains(err.Error(), "bench_bleve") {
		t.Errorf("bleve on the kotadb-only binary: %v", err)
	}

	// The lean binary as a parent: kotadb by default, other engines refused,
	// ingest measured by itself.
	var leanOut, leanErr bytes.Buffer
	cmd := exec.Command(lean, "search", "--corpus", dir, "--engines", "fts5")
	cmd.Stderr = &leanErr
	if err := cmd.Run(); err == nil || !strings.Contains(leanErr.String(), "does not link it") {
		t.Errorf("lean parent with fts5: %v, stderr %s", err, leanErr.String())
	}
	leanErr.Reset()
	ingestOut := filepath.Join(t.TempDir(), "i.json")
	cmd = exec.Command(lean, "ingest", "--corpus", dir, "--runs", "1", "--no-change-runs", "1", "--opens", "1", "--out", ingestOut)
	cmd.Stdout, cmd.Stderr = &leanOut, &leanErr
	if err := cmd.Run(); err != nil {
		t.Fatalf("lean ingest: %v\n%s", err, leanErr.String())
	}
	var irep report.IngestReport
	if b, err = os.ReadFile(ingestOut); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &irep); err != nil {
		t.Fatal(err)
	}
	if len(irep.Binaries) != 1 || irep.Binaries[0].Path != lean || !irep.Binaries[0].Self || irep.Raw[0].StartRSS <= 0 {
		t.Errorf("lean ingest: binaries %+v, start RSS %d", irep.Binaries, irep.Raw[0].StartRSS)
	}
}

// TestShowVersion1 shows a results file written before child binaries and
// start RSS were recorded.
func TestShowVersion1(t *testing.T) {
	dir := t.TempDir()
	write := func(version int) string {
		rep := report.Report{FormatVersion: version, Kind: report.KindSearch, Runs: 1, Corpora: []report.CorpusReport{{
			Corpus: "tiny", Files: 1, Bytes: 10,
			Engines: []report.EngineSummary{{Engine: "kotadb", Runs: 1, BuildNS: 1e6, PeakRSS: 9e6, PeakRSSServe: 8e6}},
		}}}
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "v.json")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"show", "--markdown", write(1)}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if md := stdout.String(); !strings.Contains(md, "| process RSS at start (MB) | — |") || strings.Contains(md, "measured by") {
		t.Errorf("version 1 file shown as:\n%s", md)
	}
	err := run(context.Background(), []string{"show", write(report.FormatVersion + 1)}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "format version") {
		t.Errorf("show of a newer format: %v", err)
	}
}
