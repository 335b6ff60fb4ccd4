package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

func init() {
	commands = []commandInfo{
		{name: "index", usage: "DIR [--name NAME] [--max-size 10MB]",
			summary: "index a folder of notes or code (incrementally)",
			help: `Index scans DIR and records every new, changed or deleted file as a new
version. DIR becomes a collection named after the folder (or --name); keys
are NAME/relative/path. Running it again only reads files whose size or
modification time changed. Files matched by DIR/.kotadbignore, binary files
and files over --max-size are skipped and counted. kotadb never writes into
DIR.

A progress bar is shown on stderr when stderr is a terminal. The one-line
summary goes to stderr, or the summary as JSON to stdout with --json.`,
			new: func(g *globals) command { return &indexCommand{g: g} }},
		{name: "search", usage: "QUERY [--limit N] [--offset N] [--exact] [--regex] [--explain]",
			summary: "ranked full-text search with snippets, typo tolerance and substrings",
			help: `Search ranks documents by BM25F over title, headings, tags, path and body,
and prints each hit as KEY:LINE, score and title, with the best passage
(matched words marked **like this**) and the heading it sits under.

QUERY: words are all required; "a phrase" matches in order; a OR b; -word
excludes; pre* matches words starting with pre; sub:text finds a raw
substring and /regex/ a regular expression (both through the trigram
index, case-insensitive); exact:word turns typo tolerance off for one word.
Words of 5+ letters tolerate one typo and of 9+ two (a wrong, missing,
extra or swapped letter, the first one included); exact hits always rank
above corrected ones, and the corrections are printed on stderr. --exact
turns typo tolerance and stemming off. --regex reads the whole QUERY as one
regular expression. --explain prints, per word, its document frequency,
stem, expansions and corrections, and the candidates each step kept.

Filters (tag:, path:, fields, dates, links) are for ` + "`kotadb query`" + `.`,
			new: func(g *globals) command { return &searchCommand{g: g} }},
		{name: "query", usage: "KQL... | -q JSON [--exact]",
			summary: "query by text, tags, paths, fields, dates and links",
			help: `Query plans one query over every index and prints the hits as KEY, score
and the selected values, then aggregate groups, then the count.

KQL, the search-box language (docs/query.md has the grammar):
  rust "error handling"          words (all required) and phrases, ranked
  tag:project/kota -tag:archive  tags; tag:project also matches project/kota
  path:notes/** in:vault         path globs and prefixes; a collection
  status:active priority:>=2     frontmatter fields: =, ranges a..b, > >= < <=
  has:due  lang:go               a field exists; a file's language
  created:>2025-01-01 updated:last-week
  links:[[Roadmap]] backlinks:[[Roadmap]] near:"projects/kota.md" depth:2
  is:orphan is:unresolved        notes with no links; notes with broken links
  sort:-updated limit:20 offset:20 select:title,tags group:tag count:avg(priority)

-q takes the query in its JSON form (inline, @FILE, or - for stdin); a
query argument that is a JSON object is read as the JSON form too, so
` + "`kotadb query --json '{\"version\":1,...}'`" + ` speaks JSON both ways. With
--json the result is printed as JSON. A malformed query is an error with its
column and a hint; a tag or field that does not exist matches nothing, and
` + "`kotadb explain`" + ` says so.`,
			new: func(g *globals) command { return &queryCommand{g: g, name: "query"} }},
		{name: "explain", usage: "KQL... | -q JSON [--exact]",
			summary: "show how a query is planned, with estimated and actual candidates",
			help: `Explain plans and runs the query like ` + "`kotadb query`" + ` and prints the plan:
each step with its estimated and actual candidates, how the hits were ranked
and ordered, and why a step matched nothing (a tag or field that does not
exist). With --json, prints {query, explain, total}.`,
			new: func(g *globals) command { return &queryCommand{g: g, name: "explain", explainOnly: true} }},
		{name: "get", usage: "KEY [--meta] [--at TIME | --seq N]",
			summary: "print a document's content (or metadata, or an old version)",
			help: `Get prints the content of KEY (COLLECTION/PATH) to stdout exactly as stored.
--meta prints the parsed metadata as JSON instead. --at and --seq read the
version that was current at that time or sequence number.

TIME is RFC 3339 (2025-01-31T12:00:00Z), a date (2025-01-31, midnight local
time) or relative to now: -90m, -2h, -3d, -1w.

With --json, prints one object with the version's fields, the content
("value", or "value_base64" when it is not UTF-8 text) and the metadata.`,
			new: func(g *globals) command { return &getCommand{g: g} }},
		{name: "ls", usage: "[PREFIX]",
			summary: "list live keys, optionally under a prefix",
			help: `Ls prints the live keys that start with PREFIX, one per line, in key order.
With --json, prints an array of {key, seq, size, time}.`,
			new: func(g *globals) command { return &lsCommand{g: g} }},
		{name: "put", usage: "COLLECTION/KEY JSON|@FILE|-",
			summary: "store a JSON value under a key",
			help: `Put stores a JSON document under COLLECTION/KEY as a new version. The value
is the argument itself, the contents of FILE for @FILE, or stdin for -. It
must be valid JSON; a syntax error is reported with its line and column.

Collections that index a folder cannot be written with put: edit the file
and run kotadb index instead.`,
			new: func(g *globals) command { return &putCommand{g: g} }},
		{name: "rm", usage: "KEY",
			summary: "delete a key (its history is kept)",
			help: `Rm deletes KEY by recording a delete version; kotadb history KEY still
shows every earlier version and kotadb get --seq reads them. Keys of
collections that index a folder cannot be removed this way: delete the file
and run kotadb index instead.`,
			new: func(g *globals) command { return &rmCommand{g: g} }},
		{name: "history", usage: "KEY",
			summary: "list every version of a key",
			help: `History lists the versions of KEY, oldest first, deletes included: sequence
number, time, operation, author, size in bytes and the first 12 hex digits of
the content hash.`,
			new: func(g *globals) command { return &historyCommand{g: g} }},
		{name: "stats", usage: "",
			summary: "show sizes, compression, tags, links and parse warnings",
			help: `Stats shows, for the whole database and per collection: live documents,
versions, bytes before and after compression and the ratio, distinct tags,
links and parse warnings. Every parse warning is listed with
COLLECTION/PATH:LINE:COLUMN.`,
			new: func(g *globals) command { return &statsCommand{g: g} }},
		{name: "verify", usage: "",
			summary: "check every checksum and compare each folder with the disk",
			help: `Verify reads every blob and checks its checksum, walks every version chain,
and compares each indexed folder with the files on disk (drift: files
added, changed or deleted since the last kotadb index). It also lists the
live documents' parse warnings (bad frontmatter, with file:line:col); they
are not damage and do not change the exit status.

Exit status:
  0  clean: no corruption and no drift
  3  drift only: run kotadb index DIR to catch up
  4  corruption (with or without drift): the report says where`,
			new: func(g *globals) command { return &verifyCommand{g: g} }},
		{name: "version", usage: "",
			summary: "print the kotadb version, format version and Go version",
			help:    `Version prints the kotadb version, the on-disk format version it writes and the Go version it was built with.`,
			new:     func(g *globals) command { return &versionCommand{g: g} }},
		{name: "help", usage: "[COMMAND]",
			summary: "show help for kotadb or one command",
			help:    `Help lists the commands, or shows the usage, description and flags of COMMAND.`,
			new:     func(g *globals) command { return &helpCommand{g: g} }},
	}
}

// writeOverview prints the top-level usage: commands, global flags, exit codes.
func writeOverview(w io.Writer) {
	var b strings.Builder
	b.WriteString("kotadb indexes folders of notes and code into a versioned document store.\n\n")
	b.WriteString("Usage: kotadb [--db PATH] [--json] COMMAND [ARGS]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s  %s\n", c.name, c.summary)
	}
	b.WriteString(`
Global flags (before the command or among its flags):
  --db PATH   database file (default $KOTADB_DB, else
              $XDG_DATA_HOME/kotadb/kotadb.db, else ~/.local/share/kotadb/kotadb.db)
  --json      machine-readable JSON on stdout

Exit status: 0 success, 1 error, 2 usage error; verify: 3 drift, 4 corruption.
Run 'kotadb help COMMAND' for details.
`)
	io.WriteString(w, b.String())
}

// writeCommandHelp prints one command's usage, description and flags.
func writeCommandHelp(w io.Writer, name string) {
	info, ok := lookupCommand(name)
	if !ok {
		return
	}
	usage := strings.TrimSpace("kotadb " + info.name + " " + info.usage)
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", usage, info.help)
	fs := info.new(&globals{}).flags()
	fs.SetOutput(w)
	fs.PrintDefaults()
}

type helpCommand struct{ g *globals }

func (c *helpCommand) flags() *flag.FlagSet { return c.g.newFlagSet("help") }

func (c *helpCommand) Run(_ context.Context, args []string) error {
	args, err := c.g.parse("help", c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("help", args, 0, 1); err != nil {
		return err
	}
	if len(args) == 0 {
		writeOverview(c.g.stdout)
		return nil
	}
	if _, ok := lookupCommand(args[0]); !ok {
		return usagef("help", "unknown command %q", args[0])
	}
	writeCommandHelp(c.g.stdout, args[0])
	return nil
}
