package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Exit codes. verify adds exitDrift and exitCorrupt (see verify.go).
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// command is one subcommand. flags returns a fresh flag set bound to the
// command's fields, global flags included, so `kotadb help CMD` can print
// the same flags that Run parses.
type command interface {
	flags() *flag.FlagSet
	Run(ctx context.Context, args []string) error
}

// commandInfo describes a subcommand for dispatch and help.
type commandInfo struct {
	name    string
	summary string // one line for `kotadb help`
	usage   string // arguments after the command name
	help    string // paragraphs for `kotadb help CMD`
	new     func(g *globals) command
}

// commands lists the subcommands in the order `kotadb help` shows them.
// Help texts live in help.go.
var commands []commandInfo

func lookupCommand(name string) (commandInfo, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return commandInfo{}, false
}

// globals are the flags every command accepts, before the command name or
// among its own flags: --db PATH and --json.
type globals struct {
	env
	dbPath string
	json   bool
}

// newFlagSet returns a flag set for command name with the global flags
// registered, defaulting to whatever was given before the command name.
func (g *globals) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("kotadb "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, help by helpCommand
	fs.StringVar(&g.dbPath, "db", g.dbPath, "database `path` (default: $KOTADB_DB, else $XDG_DATA_HOME/kotadb/kotadb.db, else ~/.local/share/kotadb/kotadb.db)")
	fs.BoolVar(&g.json, "json", g.json, "machine-readable JSON on stdout")
	return fs
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct {
	cmd string // "" for the top level
	msg string
}

func (e *usageError) Error() string { return e.msg }

func usagef(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// exitCodeError ends the program with a specific code. err, when set, is
// printed like any error; verify uses it to report drift or corruption
// after it has printed its report.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitCodeError) Unwrap() error { return e.err }

// run executes one kotadb command line and returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	g := &globals{env: e}
	top := g.newFlagSet("")
	top.Usage = func() {}
	if err := top.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeOverview(g.stdout)
			return exitOK
		}
		return g.report(usagef("", "%v", err))
	}
	rest := top.Args()
	if len(rest) == 0 {
		writeOverview(g.stderr)
		return exitUsage
	}
	info, ok := lookupCommand(rest[0])
	if !ok {
		return g.report(usagef("", "unknown command %q", rest[0]))
	}
	return g.report(info.new(g).Run(ctx, rest[1:]))
}

// report prints err the way every command does and picks the exit code.
func (g *globals) report(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK // the command printed its help
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(g.stderr, "kotadb: %s\n", ue.msg)
		if ue.cmd == "" {
			fmt.Fprintln(g.stderr, "Run `kotadb help` for the list of commands.")
		} else {
			fmt.Fprintf(g.stderr, "Run `kotadb help %s` for its usage.\n", ue.cmd)
		}
		return exitUsage
	}
	var ce *exitCodeError
	if errors.As(err, &ce) {
		if ce.err != nil {
			fmt.Fprintf(g.stderr, "kotadb: %s\n", explain(ce.err))
		}
		return ce.code
	}
	fmt.Fprintf(g.stderr, "kotadb: %s\n", explain(err))
	return exitError
}

// parse parses fs from args and returns the positional arguments. Unlike
// fs.Parse it accepts flags after positional arguments (`kotadb get KEY
// --meta`); everything after "--" is positional. -h prints the command's
// help on stdout and returns flag.ErrHelp, which exits 0.
func (g *globals) parse(cmd string, fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				writeCommandHelp(g.stdout, cmd)
				return nil, err
			}
			return nil, usagef(cmd, "%v", err)
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, args []string, min, max int) error {
	switch {
	case len(args) < min:
		info, _ := lookupCommand(cmd)
		return usagef(cmd, "missing arguments: usage: kotadb %s %s", cmd, info.usage)
	case max >= 0 && len(args) > max:
		return usagef(cmd, "unexpected argument %q", args[max])
	}
	return nil
}
