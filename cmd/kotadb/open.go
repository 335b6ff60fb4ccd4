package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/kotadb/kotadb"
)

// lockWait is how long a command waits for another process's write lock
// before giving up with a message naming that process.
const lockWait = time.Second

// path resolves --db, then the default location.
func (g *globals) path() (string, error) {
	if g.dbPath != "" {
		return g.dbPath, nil
	}
	return kotadb.DefaultPath()
}

// openDB opens the database. Read-only commands never create one: a
// missing file is an error that says how to make one.
func (g *globals) openDB(readOnly bool) (*kotadb.DB, error) {
	if readOnly {
		return g.openExisting(true)
	}
	path, err := g.path()
	if err != nil {
		return nil, err
	}
	return kotadb.Open(path, &kotadb.Options{Timeout: lockWait})
}

// openForSearch opens an existing database for writing: searching brings
// the indices up to date with the store first, and only the writer may
// write them.
func (g *globals) openForSearch() (*kotadb.DB, error) { return g.openExisting(false) }

// openExisting opens the database without ever creating it: a missing
// file is an error that says how to make one.
func (g *globals) openExisting(readOnly bool) (*kotadb.DB, error) {
	path, err := g.path()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s: create one with `kotadb index DIR` (or choose another with --db or $KOTADB_DB)", path)
	}
	return kotadb.Open(path, &kotadb.Options{ReadOnly: readOnly, Timeout: lockWait})
}

// closeDB closes db when a command ends, and reports a failed close as
// the command's error unless it already has one.
func closeDB(db *kotadb.DB, err *error) {
	if cerr := db.Close(); *err == nil {
		*err = cerr
	}
}

// explain adds what the user can do about the errors kotadb can name.
func explain(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, kotadb.ErrLocked):
		return msg + " (wait for it to finish, or stop that process)"
	case errors.Is(err, kotadb.ErrCorrupt) && !strings.Contains(msg, "kotadb verify"):
		return msg + " (run `kotadb verify` for a full report)"
	case errors.Is(err, kotadb.ErrFormatVersion):
		return msg + " (the database was written by a newer kotadb; upgrade kotadb to read it)"
	}
	return msg
}
