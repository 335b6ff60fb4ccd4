package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kotadb/kotadb"
)

// putCommand is `kotadb put COLLECTION/KEY JSON|@FILE|-`.
type putCommand struct{ g *globals }

func (c *putCommand) flags() *flag.FlagSet { return c.g.newFlagSet("put") }

func (c *putCommand) Run(_ context.Context, args []string) (err error) {
	args, err = c.g.parse("put", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("put", args, 2, 2); err != nil {
		return err
	}
	key := args[0]
	value, input, err := readInput("put", args[1], c.g.stdin)
	if err != nil {
		return err
	}
	db, err := c.g.openDB(false)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)

	before := db.Store().LastSeq()
	v, err := db.Put(key, value, "cli")
	if err != nil {
		var je *kotadb.JSONError
		if errors.As(err, &je) {
			je.File = input // say where the bad JSON came from, not the key
			return fmt.Errorf("put %s: %w", key, je)
		}
		return err
	}
	if c.g.json {
		return writeJSON(c.g.stdout, newVersionJSON(v))
	}
	if v.Seq <= before {
		_, err = fmt.Fprintf(c.g.stderr, "%s unchanged (seq %d)\n", key, v.Seq)
		return err
	}
	_, err = fmt.Fprintf(c.g.stderr, "stored %s at seq %d (%d bytes)\n", key, v.Seq, v.Size)
	return err
}

// readInput reads a command argument given inline, as @FILE, or as - for
// stdin, and names where it came from for error messages.
func readInput(cmd, arg string, stdin io.Reader) (value []byte, input string, err error) {
	switch {
	case arg == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, "", fmt.Errorf("%s: read stdin: %w", cmd, err)
		}
		return b, "stdin", nil
	case strings.HasPrefix(arg, "@"):
		name := arg[1:]
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", cmd, err)
		}
		return b, name, nil
	}
	return []byte(arg), "argument", nil
}
