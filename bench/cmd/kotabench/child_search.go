package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/report"
	"github.com/kotadb/kotadb/bench/stats"
	"github.com/kotadb/kotadb/bench/sysinfo"
)

// childSearch is the hidden subcommand a search child runs.
const childSearch = "child-search"

// stableFlags are the stable-median settings, shared by parent and child.
type stableFlags struct {
	batch      int
	maxBatches int
	budget     time.Duration
}

func (s *stableFlags) register(fs *flag.FlagSet) {
	d := stats.DefaultStable
	fs.IntVar(&s.batch, "batch", d.Batch, "timed runs per batch of the stable-median loop")
	fs.IntVar(&s.maxBatches, "max-batches", d.MaxBatches, "most batches per query")
	fs.DurationVar(&s.budget, "budget", d.Budget, "most measured time per query")
}

func (s stableFlags) args() []string {
	return []string{"--batch", fmt.Sprint(s.batch), "--max-batches", fmt.Sprint(s.maxBatches), "--budget", s.budget.String()}
}

func (s stableFlags) config() stats.StableConfig {
	c := stats.DefaultStable
	c.Batch, c.MaxBatches, c.Budget = s.batch, s.maxBatches, s.budget
	return c
}

// searchChild measures one engine on one corpus and writes a
// report.EngineRun as JSON to stdout.
func searchChild(args []string, stdout io.Writer) error {
	// First thing: the baseline (binary, runtime, package init) that every
	// RSS figure of this child includes.
	startRSS, err := sysinfo.RSS()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet(childSearch, flag.ContinueOnError)
	dir := fs.String("corpus", "", "corpus folder")
	name := fs.String("engine", "", "engine name")
	var sf stableFlags
	sf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := corpus.Load(*dir)
	if err != nil {
		return err
	}
	e, err := newEngine(*name)
	if err != nil {
		return err
	}
	run, err := measureEngine(e, c, sf.config())
	if err != nil {
		return fmt.Errorf("%s on %s: %w", *name, c.Name, err)
	}
	run.StartRSS = startRSS
	return json.NewEncoder(stdout).Encode(run)
}

// measureEngine builds, reopens and queries e over c in a fresh temp folder.
func measureEngine(e engine.Engine, c *corpus.Corpus, cfg stats.StableConfig) (run report.EngineRun, err error) {
	run = report.EngineRun{Engine: e.Name(), Corpus: c.Name, Files: len(c.Files), CorpusBytes: c.Bytes, Modes: map[corpus.Class]string{}}
	tmp, err := os.MkdirTemp("", "kotabench-"+e.Name()+"-")
	if err != nil {
		return run, err
	}
	defer func() { err = errors.Join(err, os.RemoveAll(tmp)) }()
	dir := filepath.Join(tmp, "index")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return run, err
	}

	cpu0, err := sysinfo.CPUTime()
	if err != nil {
		return run, err
	}
	start := time.Now()
	if err := e.Build(dir, c.Files); err != nil {
		return run, errors.Join(err, e.Close())
	}
	if err := e.Close(); err != nil {
		return run, err
	}
	run.BuildNS = int64(time.Since(start))
	cpu1, err := sysinfo.CPUTime()
	if err != nil {
		return run, err
	}
	run.BuildCPUNS = int64(cpu1 - cpu0)
	if run.PeakRSS, err = sysinfo.PeakRSS(); err != nil {
		return run, err
	}
	if run.DiskBytes, err = e.DiskBytes(dir); err != nil {
		return run, err
	}

	// Serve-phase peak: give the build's heap back, then restart VmHWM.
	debug.FreeOSMemory()
	if err := sysinfo.ResetPeakRSS(); err != nil {
		return run, err
	}
	run.FirstQuery = c.FirstQuery
	firstClass := firstQueryClass(e, classOf(c, c.FirstQuery))
	start = time.Now()
	if err := e.Open(dir); err != nil {
		return run, err
	}
	defer func() { err = errors.Join(err, e.Close()) }()
	if run.FirstHits, err = e.Query(firstClass, c.FirstQuery); err != nil {
		return run, fmt.Errorf("first query: %w", err)
	}
	run.OpenFirstNS = int64(time.Since(start))

	for _, q := range c.Queries {
		for _, class := range report.MeasuredClasses(q.Class) {
			mode := e.Mode(class)
			if mode == "" {
				continue
			}
			run.Modes[class] = mode
			qr, err := measureQuery(e, q, class, cfg)
			if err != nil {
				return run, err
			}
			run.Queries = append(run.Queries, qr)
		}
	}
	serve, err := sysinfo.PeakRSS()
	if err != nil {
		return run, err
	}
	run.PeakRSSServe = serve
	run.PeakRSS = max(run.PeakRSS, serve)
	return run, nil
}

// classOf is the class queries.tsv gives text, word when it is not listed.
func classOf(c *corpus.Corpus, text string) corpus.Class {
	for _, q := range c.Queries {
		if q.Text == text {
			return q.Class
		}
	}
	return corpus.ClassWord
}

// firstQueryClass is the class to run the first query as: its own class,
// or a substring search on engines that only answer those (fts5-trigram).
func firstQueryClass(e engine.Engine, c corpus.Class) corpus.Class {
	for _, try := range []corpus.Class{c, corpus.ClassWord, corpus.ClassSubstr, corpus.ClassIdent} {
		if e.Mode(try) != "" {
			return try
		}
	}
	return c
}

func measureQuery(e engine.Engine, q corpus.Query, class corpus.Class, cfg stats.StableConfig) (report.QueryResult, error) {
	qr := report.QueryResult{Class: class, Query: q.Text, Line: q.Line, Expected: report.ExpectedHits(q, class)}
	var err error
	if qr.Hits, err = e.Count(class, q.Text); err != nil {
		return qr, fmt.Errorf("queries.tsv line %d: %w", q.Line, err)
	}
	res, err := stats.StableMedian(cfg, stats.Timed(func() error {
		n, err := e.Query(class, q.Text)
		qr.Returned = n
		return err
	}))
	if err != nil {
		return qr, fmt.Errorf("queries.tsv line %d (%s %q): %w", q.Line, class, q.Text, err)
	}
	qr.MedianNS, qr.Runs, qr.Stable = int64(res.Median), res.Runs, res.Stable
	return qr, nil
}
