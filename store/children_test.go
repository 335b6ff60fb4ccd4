//go:build unix

package store

// Tests that need a second process: the test binary re-executes itself with
// childEnv set (see TestMain) to hold the lock or to fill the disk.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kotadb/kotadb/errs"
)

func init() {
	childModes["lockholder"] = childHoldLock
	childModes["fulldisk"] = childFillDisk
}

// startChild runs the test binary in mode with the database path; it returns
// the command, its stdin (closing it ends a lock holder) and its stdout.
func startChild(t *testing.T, mode, db string, extraEnv ...string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "KOTADB_DB="+db)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	return cmd, stdin, bufio.NewScanner(stdout)
}

// childHoldLock opens db for writing, says READY and holds it until stdin
// closes.
func childHoldLock(db string) error {
	s, err := Open(db, nil)
	if err != nil {
		return err
	}
	fmt.Println("READY")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return s.Close()
}

func TestLockNamesHolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kotadb.db")
	cmd, stdin, out := startChild(t, "lockholder", db)
	if !out.Scan() || out.Text() != "READY" {
		t.Fatalf("lock holder did not start: %q %v", out.Text(), out.Err())
	}
	for _, ro := range []bool{false, true} {
		_, err := Open(db, &Options{ReadOnly: ro, Timeout: 100 * time.Millisecond})
		var le *LockedError
		if !errors.Is(err, errs.ErrLocked) || !errors.As(err, &le) {
			t.Fatalf("Open(ReadOnly=%v) while held = %v, want a *LockedError", ro, err)
		}
		want := fmt.Sprintf("database %s is opened for writing by pid %d (", db, cmd.Process.Pid)
		if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), ") since ") || le.PID != cmd.Process.Pid {
			t.Fatalf("lock error = %q, want it to start %q and say since when", err, want)
		}
	}
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("lock holder: %v", err)
	}
	if _, err := os.Stat(lockPath(db)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file after the holder closed: %v, want it removed", err)
	}
	s, err := Open(db, &Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after the holder exited: %v", err)
	}
	closeChecked(t, s)
}

func TestLockedByReaderHasNoWriter(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kotadb.db")
	s, err := Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	closeChecked(t, s)
	r, err := Open(db, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeChecked(t, r)
	r2, err := Open(db, &Options{ReadOnly: true}) // readers share
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	closeChecked(t, r2)
	_, err = Open(db, &Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, errs.ErrLocked) || !strings.Contains(err.Error(), "no writer is recorded") {
		t.Fatalf("writable Open beside a reader = %v, want ErrLocked without a writer", err)
	}
}

// Full disk: the child writes batches under a small RLIMIT_FSIZE until a
// commit fails with EFBIG, reporting "ACK <batch> <lastseq>" after each
// commit, "FAIL <error>" once, then "CHECK <result>" from an in-process
// Check after the failure.
const fullDiskLimit = 3 << 20

func childFillDisk(db string) error {
	lim := syscall.Rlimit{Cur: fullDiskLimit, Max: fullDiskLimit}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return err
	}
	signal.Ignore(syscall.SIGXFSZ) // get EFBIG instead of being killed
	s, err := Open(db, nil)
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		vs, err := s.Apply("fill", fullDiskBatch(i))
		if err != nil {
			fmt.Printf("FAIL %v\n", err)
			break
		}
		fmt.Printf("ACK %d %d\n", i, vs[len(vs)-1].Seq)
	}
	if err := s.Check(); err != nil {
		fmt.Printf("CHECK %v\n", err)
	} else {
		fmt.Println("CHECK ok")
	}
	return s.Close()
}

// fullDiskBatch is batch i: 12 new keys of incompressible data, rewrites of
// the previous batch's keys and deletes of every other key of batch i-2.
func fullDiskBatch(i int) []Write {
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	value := func() []byte {
		b := make([]byte, 2048+rng.IntN(6144))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		return b
	}
	var ws []Write
	for j := range 12 {
		ws = append(ws, Write{Op: OpPut, Key: fmt.Sprintf("c/%d-%d", i, j), Value: value()})
		if i >= 1 {
			ws = append(ws, Write{Op: OpPut, Key: fmt.Sprintf("c/%d-%d", i-1, j), Value: value()})
		}
		if i >= 2 && j%2 == 0 {
			ws = append(ws, Write{Op: OpDelete, Key: fmt.Sprintf("c/%d-%d", i-2, j)})
		}
	}
	return ws
}

func TestFullDiskLeavesStoreAsBefore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kotadb.db")
	cmd, _, out := startChild(t, "fulldisk", db)
	lastBatch, lastSeq := -1, uint64(0)
	var failure, check string
	for out.Scan() {
		f := strings.SplitN(out.Text(), " ", 2)
		switch f[0] {
		case "ACK":
			var b int
			var seq uint64
			if _, err := fmt.Sscan(f[1], &b, &seq); err != nil || b != lastBatch+1 {
				t.Fatalf("bad ACK line %q", out.Text())
			}
			lastBatch, lastSeq = b, seq
		case "FAIL":
			failure = f[1]
		case "CHECK":
			check = f[1]
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if !strings.Contains(failure, "file too large") || lastBatch < 3 {
		t.Fatalf("child acknowledged %d batches, then failure %q; want several, then EFBIG", lastBatch+1, failure)
	}
	if check != "ok" {
		t.Fatalf("in-process Check after the failed commit: %s", check)
	}
	t.Logf("%d batches acknowledged (last seq %d) before: %s", lastBatch+1, lastSeq, failure)

	// Replay the acknowledged batches into a map: the store must hold
	// exactly that, and nothing of the failed batch.
	want := map[string][]byte{}
	for i := 0; i <= lastBatch; i++ {
		for _, w := range fullDiskBatch(i) {
			if w.Op == OpDelete {
				delete(want, w.Key)
			} else {
				want[w.Key] = w.Value
			}
		}
	}
	s, err := Open(db, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeChecked(t, s)
	if err := s.Check(); err != nil {
		t.Fatalf("Check after reopen: %v", err)
	}
	if s.LastSeq() != lastSeq {
		t.Fatalf("LastSeq = %d, want the last acknowledged %d", s.LastSeq(), lastSeq)
	}
	live := 0
	err = s.Scan("", func(v Version) error {
		live++
		e, err := s.Get(v.Key)
		if err != nil {
			return err
		}
		if w, ok := want[v.Key]; !ok || string(w) != string(e.Value) {
			return fmt.Errorf("%s: %d bytes, want %d (present %v)", v.Key, len(e.Value), len(w), ok)
		}
		return nil
	})
	if err != nil || live != len(want) {
		t.Fatalf("after reopen: %d live keys, want %d: %v", live, len(want), err)
	}
	if _, err := s.Get("c/" + strconv.Itoa(lastBatch+1) + "-0"); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("a key of the failed batch is there: %v", err)
	}
}
