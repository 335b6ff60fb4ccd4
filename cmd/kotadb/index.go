package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/kotadb/kotadb"
	"github.com/kotadb/kotadb/ingest"
)

// indexCommand is `kotadb index DIR`.
type indexCommand struct {
	g       *globals
	name    string
	maxSize string
}

func (c *indexCommand) flags() *flag.FlagSet {
	fs := c.g.newFlagSet("index")
	fs.StringVar(&c.name, "name", "", "collection `name` (default: the folder's name)")
	fs.StringVar(&c.maxSize, "max-size", "10MB", "skip files larger than `size` (B, KB, MB, GB)")
	return fs
}

func (c *indexCommand) Run(ctx context.Context, args []string) (err error) {
	args, err = c.g.parse("index", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("index", args, 1, 1); err != nil {
		return err
	}
	maxSize, err := parseSize(c.maxSize)
	if err != nil {
		return usagef("index", "--max-size: %v", err)
	}
	dir := args[0]
	path, err := c.g.path()
	if err != nil {
		return err
	}
	// Check before opening, which would create the database.
	if err := kotadb.CheckIndexDir(path, dir); err != nil {
		return err
	}

	db, err := c.g.openDB(false)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	opts := kotadb.IndexOptions{Name: c.name, MaxSize: maxSize, Author: "fs"}
	if c.g.stderrIsTerminal {
		opts.Progress = ingest.NewProgressBar(c.g.stderr)
	}
	sum, err := db.Index(ctx, dir, opts)
	if err != nil {
		return err
	}
	if c.g.json {
		return writeJSON(c.g.stdout, sum)
	}
	// Warnings name the file as the user can open it: under DIR as given.
	for _, w := range sum.Warnings {
		if w.File == "" { // about the run, not a file
			fmt.Fprintf(c.g.stderr, "warning: %s\n", w.Message)
			continue
		}
		w.File = filepath.Join(dir, filepath.FromSlash(w.File))
		fmt.Fprintf(c.g.stderr, "warning: %s\n", w)
	}
	if more := sum.WarningCount - len(sum.Warnings); more > 0 {
		fmt.Fprintf(c.g.stderr, "warning: %d more (kotadb stats lists them all)\n", more)
	}
	_, err = fmt.Fprintln(c.g.stderr, sum.String())
	return err
}
