package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kotadb/kotadb/bench/report"
)

// showCmd prints results saved with --out again, as text or markdown.
func showCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	markdown := fs.Bool("markdown", false, "print markdown tables")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("show: want one results file, got %d arguments", fs.NArg())
	}
	path := fs.Arg(0)
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("show: %w", err)
	}
	var head struct {
		FormatVersion int    `json:"format_version"`
		Kind          string `json:"kind"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("show: %s: %w", path, err)
	}
	if head.FormatVersion < report.MinFormatVersion || head.FormatVersion > report.FormatVersion {
		return fmt.Errorf("show: %s: format version %d, this kotabench reads %d to %d", path, head.FormatVersion, report.MinFormatVersion, report.FormatVersion)
	}
	switch head.Kind {
	case report.KindSearch:
		var r report.Report
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("show: %s: %w", path, err)
		}
		return report.Write(stdout, r, *markdown)
	case report.KindIngest:
		var r report.IngestReport
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("show: %s: %w", path, err)
		}
		return report.WriteIngest(stdout, r, *markdown)
	}
	return fmt.Errorf("show: %s: kind %q is neither %q nor %q", path, head.Kind, report.KindSearch, report.KindIngest)
}
