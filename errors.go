package kotadb

import "github.com/kotadb/kotadb/errs"

// The sentinel errors of package errs, re-exported so callers need only this
// package. Test for them with errors.Is; the errors kotadb returns wrap them
// with context (the key, the path, the process holding a lock).
var (
	// ErrNotFound: the key, version, collection or database does not exist.
	ErrNotFound = errs.ErrNotFound
	// ErrInvalidKey: a key is empty, has no collection part, contains a NUL
	// byte, is not valid UTF-8 or is too long.
	ErrInvalidKey = errs.ErrInvalidKey
	// ErrClosed: the database was used after Close.
	ErrClosed = errs.ErrClosed
	// ErrLocked: another process holds the database open for writing.
	ErrLocked = errs.ErrLocked
	// ErrReadOnly: a write was attempted on a database opened read-only.
	ErrReadOnly = errs.ErrReadOnly
	// ErrTooLarge: a file or value exceeds the configured size limit.
	ErrTooLarge = errs.ErrTooLarge
	// ErrBinary: a file is binary and is not indexed as a document.
	ErrBinary = errs.ErrBinary
	// ErrFormatVersion: the database was written by a newer kotadb.
	ErrFormatVersion = errs.ErrFormatVersion
	// ErrCorrupt matches every *CorruptionError.
	ErrCorrupt = errs.ErrCorrupt
)

// CorruptionError reports stored data that failed a checksum or structural
// check. It never means bad user input; `kotadb verify` gives a full report.
type CorruptionError = errs.CorruptionError

// Position is a place in a source file (1-based line, byte column).
type Position = errs.Position
