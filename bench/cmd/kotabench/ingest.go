//go:build bench_kotadb || !(bench_fts5 || bench_bleve)

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/ingestbench"
	"github.com/kotadb/kotadb/bench/report"
	"github.com/kotadb/kotadb/bench/sysinfo"
)

func init() {
	kotadbCommands["ingest"] = ingestCmd
	kotadbCommands[childIngest] = func(ctx context.Context, args []string, stdout, _ io.Writer) error {
		return ingestChild(ctx, args, stdout)
	}
}

func ingestCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dirs corpusList
	fs.Var(&dirs, "corpus", "corpus folder with data/ (repeatable)")
	runs := fs.Int("runs", 3, "child processes per corpus; figures are medians over them")
	out := fs.String("out", "", "also write the full results as JSON to this file")
	markdown := fs.Bool("markdown", false, "print markdown tables (for BENCHMARKS.md)")
	noChange := fs.Int("no-change-runs", ingestbench.Default.NoChangeRuns, "no-change re-runs per child")
	opens := fs.Int("opens", ingestbench.Default.OpenRuns, "timed opens per child")
	noSync := fs.Bool("no-sync", false, "open the database with NoSync (not the issue's setting: shows what fsync costs)")
	var cb childBins
	cb.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(dirs) == 0 {
		return fmt.Errorf("ingest: at least one --corpus is needed")
	}
	if *runs < 1 || *noChange < 1 || *opens < 1 {
		return fmt.Errorf("ingest: --runs, --no-change-runs and --opens must be ≥ 1")
	}
	var err error
	if cb.self, err = os.Executable(); err != nil {
		return fmt.Errorf("ingest: finding own executable: %w", err)
	}
	bins, err := cb.resolve(ctx, []string{"kotadb"}, stderr)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	rep := report.IngestReport{
		FormatVersion: report.FormatVersion,
		Kind:          report.KindIngest,
		Machine:       sysinfo.Describe(time.Now()),
		Command:       "kotabench ingest " + strings.Join(args, " "),
		Runs:          *runs,
		Binaries:      bins,
	}
	for _, dir := range dirs {
		c, err := corpus.Load(dir)
		if err != nil {
			return err
		}
		var runsOf []report.IngestRun
		for r := 1; r <= *runs; r++ {
			fmt.Fprintf(stderr, "kotabench: ingest %s run %d/%d…\n", c.Name, r, *runs)
			args := []string{childIngest, "--corpus", c.Dir, "--no-change-runs", fmt.Sprint(*noChange), "--opens", fmt.Sprint(*opens), fmt.Sprintf("--no-sync=%v", *noSync)}
			var run report.IngestRun
			if err := runChild(ctx, bins[0].Path, args, stderr, &run); err != nil {
				return err
			}
			runsOf = append(runsOf, run)
		}
		s, err := report.SummarizeIngest(runsOf)
		if err != nil {
			return err
		}
		rep.Corpora = append(rep.Corpora, s)
		rep.Raw = append(rep.Raw, runsOf...)
	}
	rep.Machine.LoadEnd = sysinfo.CurrentLoad()
	if *out != "" {
		if err := writeJSON(*out, rep); err != nil {
			return err
		}
	}
	return report.WriteIngest(stdout, rep, *markdown)
}

// ingestChild measures one corpus and writes a report.IngestRun as JSON.
func ingestChild(ctx context.Context, args []string, stdout io.Writer) error {
	startRSS, err := sysinfo.RSS() // first thing: the binary's baseline
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet(childIngest, flag.ContinueOnError)
	dir := fs.String("corpus", "", "corpus folder")
	cfg := ingestbench.Default
	fs.IntVar(&cfg.NoChangeRuns, "no-change-runs", cfg.NoChangeRuns, "no-change re-runs")
	fs.IntVar(&cfg.OpenRuns, "opens", cfg.OpenRuns, "timed opens")
	fs.BoolVar(&cfg.NoSync, "no-sync", false, "open with NoSync")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := corpus.Load(*dir)
	if err != nil {
		return err
	}
	run, err := ingestbench.Measure(ctx, c, cfg)
	if err != nil {
		return fmt.Errorf("ingest %s: %w", c.Name, err)
	}
	run.StartRSS = startRSS
	return json.NewEncoder(stdout).Encode(run)
}
