package main

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kotadb/kotadb/store"
)

var update = flag.Bool("update", false, "rewrite the testscript files' expected output (cmp golden sections)")

// TestMain lets the scripts run the real kotadb binary: testscript re-execs
// this test binary as "kotadb", which runs main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"kotadb": main})
}

// TestScripts runs the end-to-end CLI tests in testdata/script. Each script
// starts with a copy of examples/vault in $WORK/vault and KOTADB_DB set to
// a database under $WORK, so nothing outside the work directory is touched.
func TestScripts(t *testing.T) {
	vault, err := filepath.Abs("../../examples/vault")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("KOTADB_DB", filepath.Join(env.WorkDir, "db", "kotadb.db"))
			env.Setenv("TZ", "UTC")
			return copyTree(vault, filepath.Join(env.WorkDir, "vault"))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"holdlock": cmdHoldLock,
			"garble":   cmdGarble,
			"clobber":  cmdClobber,
			"touch":    cmdTouch,
			"exitcode": cmdExitCode,
		},
	})
}

// cmdHoldLock opens the database for writing in the test process (another
// process than the kotadb it runs) and keeps it open until the script ends.
//
//	holdlock DBPATH
func cmdHoldLock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: holdlock DBPATH")
	}
	st, err := store.Open(ts.MkAbs(args[0]), nil)
	ts.Check(err)
	ts.Defer(func() { ts.Check(st.Close()) })
}

// cmdGarble damages every occurrence of a marker string in a file by
// inverting its bytes: a way to corrupt one stored value (bbolt's
// copy-on-write can leave stale copies in free pages, hence every one).
//
//	garble FILE MARKER
func cmdGarble(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: garble FILE MARKER")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	marker := []byte(args[1])
	n := 0
	for i := bytes.Index(data, marker); i >= 0; i = bytes.Index(data, marker) {
		for j := i; j < i+len(marker); j++ {
			data[j] = ^data[j]
		}
		n++
	}
	if n == 0 {
		ts.Fatalf("garble: %q not found in %s", args[1], args[0])
	}
	ts.Check(os.WriteFile(path, data, 0o644))
}

// cmdClobber overwrites the first 16 KiB of a file (bbolt's two meta pages
// and more, whatever the page size) with a repeating pattern.
//
//	clobber FILE
func cmdClobber(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: clobber FILE")
	}
	f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_WRONLY, 0)
	ts.Check(err)
	_, err = f.WriteAt(bytes.Repeat([]byte("kotadb!"), 16<<10/7), 0)
	ts.Check(err)
	ts.Check(f.Close())
}

// cmdTouch moves a file's modification time one hour ahead without
// changing its content.
//
//	touch FILE
func cmdTouch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: touch FILE")
	}
	path := ts.MkAbs(args[0])
	info, err := os.Stat(path)
	ts.Check(err)
	later := info.ModTime().Add(time.Hour)
	ts.Check(os.Chtimes(path, later, later))
}

// cmdExitCode runs a program like exec and checks its exit code, so scripts
// can tell a usage error (2) from drift (3) or corruption (4).
//
//	exitcode N PROG [ARGS...]
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// copyTree copies the regular files under src to dst, dated an hour ago
// like files of a real vault: indexing re-reads files modified in the last
// moments (their mtime cannot be trusted yet), and the scripts check that
// an unchanged vault is not read at all.
func copyTree(src, dst string) error {
	anHourAgo := time.Now().Add(-time.Hour)
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if strings.HasPrefix(d.Name(), ".") && d.Name() != ".kotadbignore" {
			return nil // editor droppings, never part of the example vault
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		return os.Chtimes(target, anHourAgo, anHourAgo)
	})
}
