package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func testEnv() (env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, now: time.Now}, &stdout, &stderr
}

// TestParseInterspersed checks that flags may follow positional arguments
// and that "--" ends flag parsing, for a command with the global flags.
func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args     []string
		wantPos  []string
		wantMeta bool
		wantAt   string
		wantDB   string
		wantJSON bool
		wantErr  string
	}{
		{args: []string{"a/b"}, wantPos: []string{"a/b"}},
		{args: []string{"a/b", "--meta"}, wantPos: []string{"a/b"}, wantMeta: true},
		{args: []string{"--meta", "a/b", "--json"}, wantPos: []string{"a/b"}, wantMeta: true, wantJSON: true},
		{args: []string{"a/b", "--at", "-2h"}, wantPos: []string{"a/b"}, wantAt: "-2h"},
		{args: []string{"a/b", "-at=-2h", "c/d"}, wantPos: []string{"a/b", "c/d"}, wantAt: "-2h"},
		{args: []string{"--db", "/x.db", "a/b"}, wantPos: []string{"a/b"}, wantDB: "/x.db"},
		{args: []string{"a/b", "--", "--meta"}, wantPos: []string{"a/b", "--meta"}},
		{args: []string{"-", "--meta"}, wantPos: []string{"-"}, wantMeta: true},
		{args: []string{"a/b", "--nope"}, wantErr: "flag provided but not defined: -nope"},
		{args: []string{"a/b", "--at"}, wantErr: "flag needs an argument: -at"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			e, _, _ := testEnv()
			g := &globals{env: e}
			c := &getCommand{g: g}
			pos, err := g.parse("get", c.flags(), tt.args)
			if tt.wantErr != "" {
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(ue.msg, tt.wantErr) {
					t.Fatalf("parse(%q) = %v; want usage error %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tt.wantPos) || c.meta != tt.wantMeta || c.at != tt.wantAt || g.dbPath != tt.wantDB || g.json != tt.wantJSON {
				t.Errorf("parse(%q) = %q meta=%v at=%q db=%q json=%v", tt.args, pos, c.meta, c.at, g.dbPath, g.json)
			}
		})
	}
}

// TestRunExitCodes covers dispatch without a database.
func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{args: nil, wantCode: exitUsage, wantStderr: "Usage: kotadb"},
		{args: []string{"help"}, wantCode: exitOK, wantStdout: "Commands:"},
		{args: []string{"-h"}, wantCode: exitOK, wantStdout: "Commands:"},
		{args: []string{"help", "put"}, wantCode: exitOK, wantStdout: "Usage: kotadb put COLLECTION/KEY JSON|@FILE|-"},
		{args: []string{"rm", "-h"}, wantCode: exitOK, wantStdout: "Usage: kotadb rm KEY"},
		{args: []string{"nope"}, wantCode: exitUsage, wantStderr: `kotadb: unknown command "nope"`},
		{args: []string{"history"}, wantCode: exitUsage, wantStderr: "missing arguments: usage: kotadb history KEY"},
		{args: []string{"stats", "extra"}, wantCode: exitUsage, wantStderr: `unexpected argument "extra"`},
		{args: []string{"--json", "version"}, wantCode: exitOK, wantStdout: `"format_version": `},
		{args: []string{"version", "--json"}, wantCode: exitOK, wantStdout: `"format_version": `},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			e, stdout, stderr := testEnv()
			code := run(context.Background(), tt.args, e)
			if code != tt.wantCode || !strings.Contains(stdout.String(), tt.wantStdout) || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("run(%q) = %d\nstdout: %s\nstderr: %s\nwant %d, stdout with %q, stderr with %q",
					tt.args, code, stdout, stderr, tt.wantCode, tt.wantStdout, tt.wantStderr)
			}
		})
	}
}

// TestHelpCoversEveryCommand: every command has help text and its flag set
// builds without a database.
func TestHelpCoversEveryCommand(t *testing.T) {
	for _, c := range commands {
		var b bytes.Buffer
		writeCommandHelp(&b, c.name)
		if c.summary == "" || c.help == "" || !strings.Contains(b.String(), "-json") {
			t.Errorf("help for %s is incomplete:\n%s", c.name, b.String())
		}
		fs := c.new(&globals{}).flags()
		if fs.Lookup("db") == nil || fs.Lookup("json") == nil {
			t.Errorf("%s does not accept the global flags", c.name)
		}
	}
}
