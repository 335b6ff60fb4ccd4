package main

import (
	"context"
	"flag"
	"fmt"
)

// rmCommand is `kotadb rm KEY`.
type rmCommand struct{ g *globals }

func (c *rmCommand) flags() *flag.FlagSet { return c.g.newFlagSet("rm") }

func (c *rmCommand) Run(_ context.Context, args []string) (err error) {
	args, err = c.g.parse("rm", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("rm", args, 1, 1); err != nil {
		return err
	}
	db, err := c.g.openDB(false)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	v, err := db.Delete(args[0], "cli")
	if err != nil {
		return err
	}
	if c.g.json {
		return writeJSON(c.g.stdout, newVersionJSON(v))
	}
	_, err = fmt.Fprintf(c.g.stderr, "deleted %s at seq %d\n", v.Key, v.Seq)
	return err
}
