package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/kotadb/kotadb"
)

// lsCommand is `kotadb ls [PREFIX]`.
type lsCommand struct{ g *globals }

func (c *lsCommand) flags() *flag.FlagSet { return c.g.newFlagSet("ls") }

// lsJSON is one element of ls --json.
type lsJSON struct {
	Key  string    `json:"key"`
	Seq  uint64    `json:"seq"`
	Size int64     `json:"size"`
	Time time.Time `json:"time"`
}

func (c *lsCommand) Run(_ context.Context, args []string) (err error) {
	args, err = c.g.parse("ls", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("ls", args, 0, 1); err != nil {
		return err
	}
	prefix := ""
	if len(args) == 1 {
		prefix = args[0]
	}
	db, err := c.g.openDB(true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)

	if c.g.json {
		items := []lsJSON{} // [] rather than null when nothing matches
		err := db.Ls(prefix, func(v kotadb.Version) error {
			items = append(items, lsJSON{Key: v.Key, Seq: v.Seq, Size: v.Size, Time: v.Time})
			return nil
		})
		if err != nil {
			return fmt.Errorf("ls %q: %w", prefix, err)
		}
		return writeJSON(c.g.stdout, items)
	}
	w := bufio.NewWriter(c.g.stdout)
	err = db.Ls(prefix, func(v kotadb.Version) error {
		_, err := fmt.Fprintln(w, v.Key)
		return err
	})
	if err != nil {
		return fmt.Errorf("ls %q: %w", prefix, err)
	}
	return w.Flush()
}
