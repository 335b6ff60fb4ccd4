// Command kotabench measures kotadb against its peers (SQLite FTS5, Bleve)
// on the shared corpora, and kotadb's store foundation on its own.
//
//	kotabench search --corpus DIR [--corpus DIR…] [--engines a,b] [--runs N] [--out FILE] [--markdown]
//	kotabench ingest --corpus DIR [--corpus DIR…] [--runs N] [--no-sync] [--out FILE] [--markdown]
//	kotabench show [--markdown] FILE.json
//
// Each engine (and each ingest corpus) is measured in a child process of
// its own, so peak RSS and heap state of one never leak into another. The
// child is a kotabench binary that links only the engine it measures when
// one is given or found (childbin.go, engines.go; bench/build.sh builds
// them), else the parent itself. Build with -tags sqlite_fts5 for the
// FTS5 peers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

const usage = `usage:
  kotabench search --corpus DIR [--corpus DIR...] [--engines LIST] [--runs N] [--out FILE] [--markdown]
  kotabench ingest --corpus DIR [--corpus DIR...] [--runs N] [--no-sync] [--out FILE] [--markdown]
  kotabench show [--markdown] FILE.json    (print saved results again)

DIR is a corpus folder holding data/, queries.tsv and queries.txt
(e.g. ../shared/corpus/dwarves-brain). Run "kotabench CMD -h" for flags.

Each engine's children run in kotabench-ENGINE next to this binary when
there (bench/build.sh builds them: each links one engine only, so its RSS
is the engine's own), else in --child-bin ENGINE=PATH, else in this binary.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kotabench:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "search":
		return searchCmd(ctx, args[1:], stdout, stderr)
	case "show":
		return showCmd(args[1:], stdout, stderr)
	case childSearch:
		return searchChild(args[1:], stdout)
	case childInfo:
		return infoChild(stdout)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	if cmd, ok := kotadbCommands[args[0]]; ok {
		return cmd(ctx, args[1:], stdout, stderr)
	}
	if args[0] == "ingest" || args[0] == childIngest {
		return fmt.Errorf("command %s is not built into this binary (it needs kotadb: build tag bench_kotadb, or none)", args[0])
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// childIngest is the hidden subcommand an ingest child runs.
const childIngest = "child-ingest"

// kotadbCommands are the commands that measure kotadb alone (ingest.go),
// linked in with the kotadb engine.
var kotadbCommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{}

// corpusList is a repeatable --corpus flag.
type corpusList []string

func (c *corpusList) String() string { return fmt.Sprint(*c) }
func (c *corpusList) Set(s string) error {
	*c = append(*c, s)
	return nil
}
