package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/report"
	"github.com/kotadb/kotadb/bench/sysinfo"
)

func searchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dirs corpusList
	fs.Var(&dirs, "corpus", "corpus folder with data/ and queries.tsv (repeatable)")
	enginesFlag := fs.String("engines", "", "comma-separated engines (default: every engine built in ("+strings.Join(linkedEngines(), ",")+") or given a child binary)")
	runs := fs.Int("runs", 3, "child processes per engine and corpus; figures are medians over them")
	out := fs.String("out", "", "also write the full results as JSON to this file")
	markdown := fs.Bool("markdown", false, "print markdown tables (for BENCHMARKS.md)")
	var sf stableFlags
	sf.register(fs)
	var cb childBins
	cb.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(dirs) == 0 {
		return fmt.Errorf("search: at least one --corpus is needed")
	}
	if *runs < 1 {
		return fmt.Errorf("search: --runs %d < 1", *runs)
	}
	var err error
	if cb.self, err = os.Executable(); err != nil {
		return fmt.Errorf("search: finding own executable: %w", err)
	}
	names, err := parseEngines(*enginesFlag, cb.defaultEngines())
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if len(names) == 0 {
		return fmt.Errorf("search: no engine is built into this binary or given with --child-bin")
	}
	var corpora []*corpus.Corpus
	for _, dir := range dirs {
		c, err := corpus.Load(dir)
		if err != nil {
			return err
		}
		corpora = append(corpora, c)
	}
	bins, err := cb.resolve(ctx, names, stderr)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	rep := report.Report{
		FormatVersion: report.FormatVersion,
		Kind:          report.KindSearch,
		Machine:       sysinfo.Describe(time.Now()),
		Command:       "kotabench search " + strings.Join(args, " "),
		Runs:          *runs,
		Binaries:      bins,
	}
	for _, c := range corpora {
		cr, err := searchCorpus(ctx, c, bins, *runs, sf, stderr)
		if err != nil {
			return err
		}
		rep.Corpora = append(rep.Corpora, cr)
	}
	rep.Machine.LoadEnd = sysinfo.CurrentLoad()
	if *out != "" {
		if err := writeJSON(*out, rep); err != nil {
			return err
		}
	}
	return report.Write(stdout, rep, *markdown)
}

// searchCorpus runs every engine on c with its binary, runs times each,
// interleaving the engines so slow drift of the machine affects them alike.
func searchCorpus(ctx context.Context, c *corpus.Corpus, bins []report.Binary, runs int, sf stableFlags, stderr io.Writer) (report.CorpusReport, error) {
	cr := report.CorpusReport{Corpus: c.Name, Files: len(c.Files), Bytes: c.Bytes}
	var names []string
	for _, b := range bins {
		names = append(names, b.Engine)
	}
	byEngine := map[string][]report.EngineRun{}
	failed := map[string]string{}
	for r := 1; r <= runs; r++ {
		for _, name := range names {
			if failed[name] != "" {
				continue
			}
			fmt.Fprintf(stderr, "kotabench: %s: %s run %d/%d…\n", c.Name, name, r, runs)
			args := append([]string{childSearch, "--corpus", c.Dir, "--engine", name}, sf.args()...)
			var run report.EngineRun
			if err := runChild(ctx, binaryOf(bins, name), args, stderr, &run); err != nil {
				if ctx.Err() != nil {
					return cr, ctx.Err()
				}
				failed[name] = err.Error()
				fmt.Fprintf(stderr, "kotabench: %s: %s failed: %v\n", c.Name, name, err)
				continue
			}
			byEngine[name] = append(byEngine[name], run)
			cr.Raw = append(cr.Raw, run)
		}
	}
	for _, name := range names {
		if msg := failed[name]; msg != "" {
			cr.Engines = append(cr.Engines, report.EngineSummary{Engine: name, Error: msg})
			continue
		}
		s, err := report.Summarize(byEngine[name])
		if err != nil {
			return cr, err
		}
		cr.Engines = append(cr.Engines, s)
	}
	cr.Targets = report.Targets(cr)
	return cr, nil
}

// runChild runs the kotabench binary bin with args and decodes its stdout
// (one JSON value) into v. The child's stderr goes to stderr.
func runChild(ctx context.Context, bin string, args []string, stderr io.Writer, v any) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("child %s %s: %w", bin, strings.Join(args, " "), err)
	}
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		return fmt.Errorf("child %s %s: decoding its result: %w", bin, strings.Join(args, " "), err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	return nil
}
