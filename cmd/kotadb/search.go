package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kotadb/kotadb"
	"github.com/kotadb/kotadb/index/search"
)

// searchCommand is `kotadb search QUERY`.
type searchCommand struct {
	g    *globals
	opts kotadb.SearchOptions
}

func (c *searchCommand) flags() *flag.FlagSet {
	fs := c.g.newFlagSet("search")
	fs.IntVar(&c.opts.Limit, "limit", 10, "hits to return")
	fs.IntVar(&c.opts.Offset, "offset", 0, "hits to skip")
	fs.BoolVar(&c.opts.Exact, "exact", false, "no typo tolerance and no stemming")
	fs.BoolVar(&c.opts.Regex, "regex", false, "read QUERY as one regular expression over the raw text")
	fs.BoolVar(&c.opts.Explain, "explain", false, "say, per term, what matched and what each step kept")
	return fs
}

// searchJSON is the --json output.
type searchJSON struct {
	Total       int                 `json:"total"`
	Hits        []hitJSON           `json:"hits"`
	Corrections []search.Correction `json:"corrections,omitempty"`
	Explain     *search.Explain     `json:"explain,omitempty"`
}

type hitJSON struct {
	Key       string              `json:"key"`
	Title     string              `json:"title"`
	Score     float64             `json:"score"`
	Exact     bool                `json:"exact"`
	Line      int                 `json:"line,omitempty"`
	Heading   string              `json:"heading,omitempty"`
	Snippet   string              `json:"snippet,omitempty"`
	Corrected []search.Correction `json:"corrected,omitempty"`
}

func (c *searchCommand) Run(ctx context.Context, args []string) (err error) {
	args, err = c.g.parse("search", c.flags(), args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("search", "search needs a QUERY")
	}
	if c.opts.Limit < 0 || c.opts.Offset < 0 {
		return usagef("search", "--limit and --offset must not be negative")
	}
	db, err := c.g.openForSearch()
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	res, err := db.Search(ctx, strings.Join(args, " "), c.opts)
	if err != nil {
		return err
	}
	if c.g.json {
		out := searchJSON{Total: res.Total, Hits: []hitJSON{}, Corrections: res.Corrections, Explain: res.Explain}
		for _, h := range res.Hits {
			hj := hitJSON{Key: h.Key, Title: h.Title, Score: h.Score, Exact: h.Exact, Corrected: h.Corrected}
			if h.Snippet != nil {
				hj.Line, hj.Heading, hj.Snippet = h.Snippet.Line, h.Snippet.Heading, h.Snippet.Marked("**", "**")
			}
			out.Hits = append(out.Hits, hj)
		}
		return writeJSON(c.g.stdout, out)
	}
	w := bufio.NewWriter(c.g.stdout)
	for _, h := range res.Hits {
		line := 0
		if h.Snippet != nil {
			line = h.Snippet.Line
		}
		fmt.Fprintf(w, "%s:%d\t%.3f\t%s\n", h.Key, line, h.Score, h.Title)
		if h.Snippet != nil {
			if h.Snippet.Heading != "" {
				fmt.Fprintf(w, "\t§ %s\n", h.Snippet.Heading)
			}
			for _, l := range strings.Split(h.Snippet.Marked("**", "**"), "\n") {
				fmt.Fprintf(w, "\t%s\n", l)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, corr := range res.Corrections {
		fmt.Fprintf(c.g.stderr, "corrected %q to %s\n", corr.From, strings.Join(corr.To, ", "))
	}
	fmt.Fprintf(c.g.stderr, "%d of %d hits\n", len(res.Hits), res.Total)
	if res.Explain != nil {
		writeSearchExplain(c.g.stderr, res.Explain)
	}
	return nil
}

// writeSearchExplain prints an Explain for people: how the query was read,
// each word's document frequency and rewrites, and the candidates each step
// kept, so an empty result shows where it became empty.
func writeSearchExplain(w io.Writer, e *search.Explain) {
	fmt.Fprintf(w, "query: %s (over %d documents)\n", e.Query, e.Docs)
	for _, t := range e.Terms {
		field := t.Field
		if field == "" {
			field = "all fields"
		}
		fmt.Fprintf(w, "  term %q in %s: df %d", t.Term, field, t.DF)
		if t.Stem != "" && t.Stem != t.Term {
			fmt.Fprintf(w, ", stem %q", t.Stem)
		}
		if len(t.Expanded) > 0 {
			fmt.Fprintf(w, ", expanded to %d words (%s)", len(t.Expanded), strings.Join(head(t.Expanded, 8), ", "))
			if t.Capped {
				fmt.Fprint(w, ", capped")
			}
		}
		if len(t.Corrected) > 0 {
			fmt.Fprintf(w, ", corrected to %s", strings.Join(head(t.Corrected, 8), ", "))
		}
		fmt.Fprintln(w)
	}
	if e.Corrections {
		fmt.Fprintln(w, "  typo tolerance ran: the exact words matched too few documents")
	}
	for _, s := range e.Steps {
		fmt.Fprintf(w, "  step %-40s %d candidates\n", s.Step, s.Candidates)
	}
}

// head returns at most n elements of s.
func head(s []string, n int) []string { return s[:min(n, len(s))] }
