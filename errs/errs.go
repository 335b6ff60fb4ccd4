// Package errs holds kotadb's sentinel errors and error classes in one place,
// so every package (and callers) can test for them with errors.Is / errors.As.
//
// The root package re-exports them; import this package only from code that
// cannot import the root package (the store, parsers and indices).
package errs

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound: the key, version, collection or blob does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalidKey: a key is empty, has no collection part, contains a NUL
	// byte, is not valid UTF-8 or is longer than the store allows.
	ErrInvalidKey = errors.New("invalid key")
	// ErrClosed: the database or index was used after Close.
	ErrClosed = errors.New("database is closed")
	// ErrLocked: another process holds the database open for writing.
	// The wrapping error names that process when it can.
	ErrLocked = errors.New("database is locked by another process")
	// ErrReadOnly: a write was attempted on a handle opened read-only.
	ErrReadOnly = errors.New("database is opened read-only")
	// ErrTooLarge: a file or value exceeds the configured size limit.
	ErrTooLarge = errors.New("too large")
	// ErrBinary: a file is binary and is not indexed as a document.
	ErrBinary = errors.New("binary file")
	// ErrFormatVersion: a file was written by a newer kotadb whose format
	// this build cannot read.
	ErrFormatVersion = errors.New("unsupported format version")
	// ErrCorrupt is the sentinel every CorruptionError matches with errors.Is.
	ErrCorrupt = errors.New("corrupt data")
)

// CorruptionError is its own error class (as in pebble): stored data failed a
// checksum or structural check. It never means bad user input. Callers should
// point the user at `kotadb verify`.
type CorruptionError struct {
	Path   string // file that holds the damaged data
	Where  string // bucket/key, segment section, offset…
	Detail string
	Err    error // underlying cause, if any
}

func (e *CorruptionError) Error() string {
	s := fmt.Sprintf("corrupt data in %s", e.Path)
	if e.Where != "" {
		s += " at " + e.Where
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s + " (run `kotadb verify` for a full report)"
}

func (e *CorruptionError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCorrupt) true for every CorruptionError.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

// Corruptf builds a CorruptionError.
func Corruptf(path, where, format string, args ...any) error {
	return &CorruptionError{Path: path, Where: where, Detail: fmt.Sprintf(format, args...)}
}

// Position is a place in a source file, 1-based; Column counts bytes.
type Position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

func (p Position) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}
