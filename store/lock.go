package store

// The lock file "<db>.lock" is informational only: bbolt's flock on the
// database file is the lock. A writable Open starts writing the file once it
// holds the flock, on a goroutine of its own (creating a file is tens of
// microseconds, a tenth of the time to open a store and answer a first
// query), and Close waits for that write, then removes the file before
// releasing the flock. So whoever reads the file after waiting for the lock
// learns who holds it: a waiter gives up no sooner than its timeout, and
// one in the same process waits for the write first (lockedError). A crash
// leaves the file behind; the next writable Open simply overwrites it. Its
// content is JSON: {"pid": 1234, "command": "kotadb index ~/vault",
// "started": RFC 3339}.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kotadb/kotadb/errs"
)

// lockHolder is the content of the lock file.
type lockHolder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Started time.Time `json:"started"`
}

func lockPath(dbPath string) string { return dbPath + ".lock" }

// lockNote is the writing of a Store's lock file, started by Open.
type lockNote struct {
	path string
	done chan struct{}
	err  error // set before done is closed
}

// pendingNotes holds the lock notes of this process being written, by
// database path, so that a wait for the lock in the same process that
// times out reads the note after it is written.
var pendingNotes sync.Map // string → *lockNote

// startLockNote writes the lock file of dbPath in the background.
func startLockNote(dbPath string, now time.Time) *lockNote {
	n := &lockNote{path: dbPath, done: make(chan struct{})}
	pendingNotes.Store(dbPath, n)
	go func() {
		n.err = writeLockFile(dbPath, now)
		pendingNotes.CompareAndDelete(dbPath, n)
		close(n.done)
	}()
	return n
}

// wait waits for the lock file to be written and returns the error.
func (n *lockNote) wait() error {
	<-n.done
	return n.err
}

// remove waits for the lock file to be written, then removes it: even when
// the write failed, as the file may be a crashed writer's. The error is the
// write's or the removal's.
func (n *lockNote) remove() error {
	werr := n.wait()
	if err := os.Remove(lockPath(n.path)); err != nil && !errors.Is(err, fs.ErrNotExist) && werr == nil {
		werr = fmt.Errorf("remove lock file: %w", err)
	}
	return werr
}

// writeLockFile records this process as the writer of dbPath. It writes a
// temporary file and renames it so a waiting process never reads half a
// file.
func writeLockFile(dbPath string, now time.Time) error {
	b, err := json.Marshal(lockHolder{PID: os.Getpid(), Command: commandLine(), Started: now})
	if err != nil {
		return fmt.Errorf("encode lock file: %w", err)
	}
	tmp := lockPath(dbPath) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	if err := os.Rename(tmp, lockPath(dbPath)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write lock file: %w", err)
	}
	return nil
}

func readLockFile(dbPath string) (lockHolder, error) {
	var h lockHolder
	b, err := os.ReadFile(lockPath(dbPath))
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("lock file %s: %w", lockPath(dbPath), err)
	}
	return h, nil
}

// commandLine is this process's command line as a user would recognise it:
// the program's base name and the arguments, home directory shortened to ~.
func commandLine() string {
	if len(os.Args) == 0 {
		return ""
	}
	home, _ := os.UserHomeDir()
	parts := []string{filepath.Base(os.Args[0])}
	for _, a := range os.Args[1:] {
		if home != "" && home != "/" && strings.HasPrefix(a, home) {
			a = "~" + a[len(home):]
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// LockedError says that another process holds the database, and which one
// when the lock file names it. errors.Is(err, errs.ErrLocked) is true.
type LockedError struct {
	Path    string
	PID     int // 0 when no writer is recorded
	Command string
	Since   time.Time
}

func (e *LockedError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("database %s is locked by another process (no writer is recorded, so probably a read-only user)", e.Path)
	}
	since := e.Since.Local()
	layout := "15:04:05"
	if y, m, d := since.Date(); y != time.Now().Year() || m != time.Now().Month() || d != time.Now().Day() {
		layout = "2006-01-02 15:04:05"
	}
	return fmt.Sprintf("database %s is opened for writing by pid %d (%s) since %s", e.Path, e.PID, e.Command, since.Format(layout))
}

func (e *LockedError) Unwrap() error { return errs.ErrLocked }

// lockedError builds the error for a lock wait that timed out.
func lockedError(dbPath string) error {
	e := &LockedError{Path: dbPath}
	if n, ok := pendingNotes.Load(dbPath); ok {
		_ = n.(*lockNote).wait() // a failed note names no writer, as a missing one
	}
	if h, err := readLockFile(dbPath); err == nil && h.PID > 0 {
		e.PID, e.Command, e.Since = h.PID, h.Command, h.Started
	}
	return e
}
