package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/kotadb/kotadb"
)

// Exit codes of verify, documented in `kotadb help verify`.
const (
	exitDrift   = 3
	exitCorrupt = 4
)

// verifyCommand is `kotadb verify`.
type verifyCommand struct{ g *globals }

func (c *verifyCommand) flags() *flag.FlagSet { return c.g.newFlagSet("verify") }

func (c *verifyCommand) Run(ctx context.Context, args []string) (err error) {
	args, err = c.g.parse("verify", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("verify", args, 0, 0); err != nil {
		return err
	}
	db, err := c.g.openDB(true)
	if errors.Is(err, kotadb.ErrCorrupt) {
		// Too damaged to open is the worst verdict there is.
		return &exitCodeError{code: exitCorrupt, err: err}
	}
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	r, err := db.Verify(ctx)
	if err != nil {
		return err
	}
	if c.g.json {
		err = writeJSON(c.g.stdout, r)
	} else {
		err = c.print(r)
	}
	if err != nil {
		return err
	}
	switch r.Verdict {
	case kotadb.VerdictCorrupt:
		return &exitCodeError{code: exitCorrupt, err: fmt.Errorf("%s is damaged: %d problems found", r.Path, len(r.Problems))}
	case kotadb.VerdictDrift:
		return &exitCodeError{code: exitDrift, err: fmt.Errorf("files changed on disk since the last index: run `kotadb index DIR` on the folders above")}
	}
	return nil
}

func (c *verifyCommand) print(r kotadb.VerifyReport) error {
	w := c.g.stdout
	ch := r.Checked
	fmt.Fprintf(w, "store %s: %d versions, %d keys (%d live), %d blobs (%s), %d file states: ",
		r.Path, ch.Versions, ch.Keys, ch.LiveKeys, ch.Blobs, formatBytes(ch.BlobBytes), ch.Files)
	if len(r.Problems) == 0 {
		fmt.Fprintln(w, "ok")
	} else {
		fmt.Fprintf(w, "%d problems\n", len(r.Problems))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  corrupt: %s\n", p)
	}
	for _, s := range r.Sources {
		fmt.Fprintf(w, "source %s (%s): ", s.Name, s.Path)
		switch {
		case s.Error != "":
			fmt.Fprintf(w, "cannot compare: %s\n", s.Error)
		case !s.Drifted():
			fmt.Fprintln(w, "in sync")
		default:
			fmt.Fprintf(w, "%d added, %d changed, %d deleted, %d unreadable\n", len(s.Added), len(s.Changed), len(s.Deleted), len(s.Unreadable))
		}
		for _, k := range s.Added {
			fmt.Fprintf(w, "  added: %s\n", k)
		}
		for _, k := range s.Changed {
			fmt.Fprintf(w, "  changed: %s\n", k)
		}
		for _, k := range s.Deleted {
			fmt.Fprintf(w, "  deleted: %s\n", k)
		}
		for _, k := range s.Unreadable {
			fmt.Fprintf(w, "  unreadable: %s\n", k)
		}
	}
	if len(r.ParseWarnings) > 0 {
		fmt.Fprintf(w, "parse warnings: %d (documents indexed without what could not be parsed; not damage)\n", len(r.ParseWarnings))
		for _, pw := range r.ParseWarnings {
			fmt.Fprintf(w, "  warning: %s\n", pw.Warning)
		}
	}
	_, err := fmt.Fprintf(w, "verdict: %s\n", r.Verdict)
	return err
}
