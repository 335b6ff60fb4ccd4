package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
)

// statsCommand is `kotadb stats`.
type statsCommand struct{ g *globals }

func (c *statsCommand) flags() *flag.FlagSet { return c.g.newFlagSet("stats") }

func (c *statsCommand) Run(_ context.Context, args []string) (err error) {
	args, err = c.g.parse("stats", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("stats", args, 0, 0); err != nil {
		return err
	}
	db, err := c.g.openDB(true)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	st, err := db.Stats()
	if err != nil {
		return err
	}
	if c.g.json {
		return writeJSON(c.g.stdout, st)
	}

	tw := tabwriter.NewWriter(c.g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "database\t%s (%s, %s in use)\n", st.Path, formatBytes(st.FileSize), formatBytes(st.UsedBytes))
	fmt.Fprintf(tw, "documents\t%d\n", st.Documents)
	fmt.Fprintf(tw, "versions\t%d (%d deletes, last seq %d)\n", st.Versions, st.Deletes, st.LastSeq)
	fmt.Fprintf(tw, "raw bytes\t%s (content and metadata of every version; live documents: %s)\n",
		formatBytes(st.BlobBytes), formatBytes(st.RawBytes))
	fmt.Fprintf(tw, "stored bytes\t%s (compression ratio %.2fx)\n", formatBytes(st.StoredBytes), st.Ratio)
	fmt.Fprintf(tw, "tags\t%d distinct\n", st.Tags)
	fmt.Fprintf(tw, "links\t%d\n", st.Links)
	fmt.Fprintf(tw, "warnings\t%d\n", st.Warnings)
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(st.Collections) > 0 {
		fmt.Fprintln(c.g.stdout)
		tw = tabwriter.NewWriter(c.g.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "COLLECTION\tDOCS\tVERSIONS\tRAW\tSTORED\tRATIO\tTAGS\tLINKS\tWARNINGS\t")
		for _, cs := range st.Collections {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%.2fx\t%d\t%d\t%d\t\n", cs.Name, cs.Documents, cs.Versions,
				formatBytes(cs.RawBytes), formatBytes(cs.StoredBytes), cs.Ratio, cs.Tags, cs.Links, cs.Warnings)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if len(st.ParseWarnings) > 0 {
		fmt.Fprintf(c.g.stdout, "\nparse warnings:\n")
		for _, w := range st.ParseWarnings {
			fmt.Fprintf(c.g.stdout, "  %s\n", w.Warning)
		}
	}
	return nil
}
