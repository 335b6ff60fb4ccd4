package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kotadb/kotadb/query"
)

// queryCommand is `kotadb query 'KQL'`, `kotadb query --json-query '{...}'`
// and, with explainOnly, `kotadb explain ...`.
type queryCommand struct {
	g           *globals
	name        string
	explainOnly bool
	jsonQuery   string
	exact       bool
}

func (c *queryCommand) flags() *flag.FlagSet {
	fs := c.g.newFlagSet(c.name)
	fs.StringVar(&c.jsonQuery, "q", "", "the query in its JSON form (`JSON`, @FILE or - for stdin) instead of KQL")
	fs.BoolVar(&c.exact, "exact", false, "no typo tolerance and no stemming for any word")
	return fs
}

func (c *queryCommand) Run(ctx context.Context, args []string) (err error) {
	args, err = c.g.parse(c.name, c.flags(), args)
	if err != nil {
		return err
	}
	q, err := c.readQuery(args)
	if err != nil {
		return err
	}
	db, err := c.g.openForSearch()
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	res, err := db.Query(ctx, q, nil)
	if err != nil {
		return err
	}
	if c.explainOnly {
		if c.g.json {
			return writeJSON(c.g.stdout, map[string]any{"query": q, "explain": res.Explain, "total": res.Total})
		}
		_, err := io.WriteString(c.g.stdout, res.Explain)
		return err
	}
	if c.g.json {
		return writeJSON(c.g.stdout, res.Result)
	}
	return writeQueryResult(c.g.stdout, q, res.Result)
}

// readQuery builds the query from KQL arguments or the --q JSON form.
func (c *queryCommand) readQuery(args []string) (*query.Query, error) {
	if c.jsonQuery != "" {
		if len(args) > 0 {
			return nil, usagef(c.name, "give the query either as KQL arguments or with -q, not both")
		}
		data, _, err := readInput(c.name, c.jsonQuery, c.g.stdin)
		if err != nil {
			return nil, err
		}
		q, err := query.DecodeJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		return q, nil
	}
	if len(args) == 0 {
		return nil, usagef(c.name, "%s needs a query: KQL arguments, or -q JSON", c.name)
	}
	src := strings.Join(args, " ")
	if strings.HasPrefix(strings.TrimSpace(src), "{") {
		// A JSON object is the query's JSON form (no KQL starts with '{'):
		// `kotadb query --json '{...}'` reads and answers in JSON.
		q, err := query.DecodeJSON([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		return q, nil
	}
	if c.exact {
		src += " --exact"
	}
	q, err := query.ParseKQL(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	return q, nil
}

// writeQueryResult prints hits as KEY, score and the selected values, then
// the aggregate groups, then the count on the last line.
func writeQueryResult(out io.Writer, q *query.Query, r *query.Result) error {
	w := bufio.NewWriter(out)
	for _, h := range r.Hits {
		fmt.Fprintf(w, "%s\t%.3f", h.Key, h.Score)
		names := make([]string, 0, len(h.Fields))
		for k := range h.Fields {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(w, "\t%s=%v", k, h.Fields[k])
		}
		fmt.Fprintln(w)
	}
	for _, g := range r.Groups {
		key := g.Key
		if g.Missing {
			key = "(none)"
		}
		fmt.Fprintf(w, "%s\t%d", key, g.Count)
		for _, m := range g.Metrics {
			fmt.Fprintf(w, "\t%s=%v", m.Metric, m.Value)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "# %d of %d matching\n", len(r.Hits), r.Total)
	return w.Flush()
}
