package store

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kotadb/kotadb/errs"
)

// TestLockNoteIsJSON: the lock file is a lockHolder in JSON, and reads
// back as one.
func TestLockNoteIsJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kotadb.db")
	now := time.Date(2026, 11, 21, 16, 40, 4, 123456789, time.FixedZone("X", 3600))
	if err := writeLockFile(db, now); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(lockPath(db))
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(lockHolder{PID: os.Getpid(), Command: commandLine(), Started: now})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("lock file %s, want %s", got, want)
	}
	h, err := readLockFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if h.PID != os.Getpid() || h.Command != commandLine() || !h.Started.Equal(now) {
		t.Fatalf("read back %+v", h)
	}
	if _, err := os.Stat(lockPath(db) + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temporary lock file: %v, want none", err)
	}
}

// TestLockNamesHolderInProcess: the lock file is written in the
// background, but a wait for the lock in the same process that times out
// still reads it, however soon after the writer's Open.
func TestLockNamesHolderInProcess(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kotadb.db")
	for range 20 {
		s, err := Open(db, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Open(db, &Options{Timeout: time.Nanosecond})
		var le *LockedError
		if !errors.Is(err, errs.ErrLocked) || !errors.As(err, &le) || le.PID != os.Getpid() || le.Command != commandLine() {
			t.Fatalf("Open while held = %v, want a *LockedError naming this process", err)
		}
		closeChecked(t, s)
		if _, err := os.Stat(lockPath(db)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("lock file after Close: %v, want it removed", err)
		}
	}
}
