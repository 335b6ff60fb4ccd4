package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
)

// historyCommand is `kotadb history KEY`.
type historyCommand struct{ g *globals }

func (c *historyCommand) flags() *flag.FlagSet { return c.g.newFlagSet("history") }

func (c *historyCommand) Run(_ context.Context, args []string) (err error) {
	args, err = c.g.parse("history", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("history", args, 1, 1); err != nil {
		return err
	}
	key := args[0]
	db, err := c.g.openDB(true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	versions, err := db.History(key)
	if err != nil {
		return fmt.Errorf("history %s: %w", key, err)
	}
	if c.g.json {
		out := make([]versionJSON, len(versions))
		for i, v := range versions {
			out[i] = newVersionJSON(v)
		}
		return writeJSON(c.g.stdout, out)
	}
	tw := tabwriter.NewWriter(c.g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tOP\tAUTHOR\tSIZE\tHASH")
	for _, v := range versions {
		hash := "-"
		if h := hashHex(v.Hash); h != "" {
			hash = h[:12]
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", v.Seq, formatTime(v.Time), v.Op, v.Author, v.Size, hash)
	}
	return tw.Flush()
}
