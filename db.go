package kotadb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kotadb/kotadb/ingest"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// Public types, aliased so callers need only this package.
type (
	// Document is a file's parsed metadata; its JSON is a version's meta.
	Document = parse.Document
	// Version is one entry of the change log.
	Version = store.Version
	// Entry is a version with its value and metadata bytes.
	Entry = store.Entry
	// Source is a folder registered as a collection.
	Source = store.Source
	// IndexOptions configure DB.Index (collection name, size limit…).
	IndexOptions = ingest.Options
	// IndexSummary counts what DB.Index did.
	IndexSummary = ingest.Summary
)

// Options configure Open. The zero value (or nil) opens read-write, waits
// a second for another process's lock and syncs every commit.
type Options struct {
	// ReadOnly opens without taking the write lock; writes fail with
	// ErrReadOnly. The file must exist.
	ReadOnly bool
	// Timeout bounds the wait for another process's lock; then Open fails
	// with ErrLocked naming that process. Zero means one second.
	Timeout time.Duration
	// NoSync skips fsync on commit: faster, and a crash may lose or damage
	// recent commits. For tests and benchmarks only.
	NoSync bool
}

// DB is an open kotadb database. It is safe for concurrent use.
type DB struct {
	st       *store.Store
	readOnly bool

	idxMu   sync.Mutex // guards idx
	idx     *indices   // nil until first used; see indices.go
	catchMu sync.Mutex // one catch-up with the store at a time
	// parsed holds the documents Index parsed for the versions it
	// committed, until the catch-up takes them (see parsedDocs).
	parsed parsedDocs
}

// Open opens the database at path, creating it (and its folder) unless
// opts.ReadOnly is set.
func Open(path string, opts *Options) (*DB, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open %s: no database: %w", path, ErrNotFound)
		}
	}
	st, err := store.Open(path, &store.Options{ReadOnly: o.ReadOnly, Timeout: o.Timeout, NoSync: o.NoSync})
	if err != nil {
		return nil, err
	}
	return &DB{st: st, readOnly: o.ReadOnly}, nil
}

// DefaultPath is where the database lives when no path is given:
// $KOTADB_DB, else $XDG_DATA_HOME/kotadb/kotadb.db, else
// ~/.local/share/kotadb/kotadb.db: outside any vault, since kotadb never
// writes into a folder it indexes (Index refuses a database inside it).
func DefaultPath() (string, error) {
	if p := os.Getenv("KOTADB_DB"); p != "" {
		return p, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "kotadb", "kotadb.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no database path: set $KOTADB_DB or use --db (%w)", err)
	}
	return filepath.Join(home, ".local", "share", "kotadb", "kotadb.db"), nil
}

// Close flushes the indices and releases the database and its lock.
func (db *DB) Close() error {
	db.idxMu.Lock()
	ix := db.idx
	db.idx = nil
	db.idxMu.Unlock()
	var err error
	if ix != nil {
		err = ix.close()
	}
	if serr := db.st.Close(); serr != nil && err == nil {
		err = serr
	}
	return err
}

// Path is the database file.
func (db *DB) Path() string { return db.st.Path() }

// Store gives access to the underlying versioned store.
func (db *DB) Store() *store.Store { return db.st }

// Index scans dir into the collection opts.Name (default: the folder's
// name) and records every added, changed and deleted file as a version.
// The database file must not be inside dir.
//
// Every write to the store goes through Index, Put or Delete. Right after
// the write commits, the derived indices apply the store's changes since
// their last applied Seq (store.Changes), so a query never sees an index
// older than the store. Index builds the indices if they do not exist yet,
// so the first search does not pay for it.
func (db *DB) Index(ctx context.Context, dir string, opts IndexOptions) (IndexSummary, error) {
	if err := CheckIndexDir(db.Path(), dir); err != nil {
		return IndexSummary{}, err
	}
	stop := db.followCommits(&opts)
	sum, err := ingest.Index(ctx, db.st, dir, opts)
	// The compressors' state (about 2 MiB) would otherwise stay on the heap
	// through the indices' final flush, where a build peaks.
	db.st.ReleaseCompressors()
	stop()
	// Batches committed before an error are versions like any other:
	// index them too.
	_, ierr := db.openIndices(true)
	// What the catch-ups did not take (an index that failed, or skipped
	// versions it had) is not needed again.
	db.parsed.reset()
	if err != nil {
		if ierr != nil {
			err = errors.Join(err, ierr)
		}
		return sum, err
	}
	return sum, ierr
}

// followCommits makes the indices follow the batches ingestion commits:
// each commit wakes a catch-up that runs while ingestion reads and parses
// the next files, so that a bulk build keeps every core busy. The
// documents ingestion parsed for the versions it committed are handed to
// the catch-up (parsedDocs), which would otherwise read and parse them
// again. A catch-up that fails here is left to the one after ingestion,
// which reports it. The returned func waits for the last catch-up to end.
func (db *DB) followCommits(opts *IndexOptions) (stop func()) {
	wake := make(chan struct{}, 1)
	done := make(chan struct{})
	user := opts.OnBatch
	userParsed := opts.OnParsed
	opts.OnParsed = func(ps []ingest.Parsed) {
		if userParsed != nil {
			userParsed(ps)
		}
		db.parsed.add(ps)
	}
	opts.OnBatch = func(vs []store.Version) {
		if user != nil {
			user(vs)
		}
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(done)
		for range wake {
			// An error is met again, and reported, by the catch-up
			// after ingestion.
			_, _ = db.openIndices(true)
		}
	}()
	return func() {
		close(wake)
		<-done
	}
}

// CheckIndexDir reports why dir cannot be indexed into the database at
// dbPath: it does not exist, is not a folder, or holds the database
// (kotadb never writes into an indexed folder). Call it before Open to
// avoid creating a database for a command that will fail.
func CheckIndexDir(dbPath, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("index %s: %w", dir, err)
	}
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("index %s: no such folder", dir)
	case err != nil:
		return fmt.Errorf("index %s: %w", dir, err)
	case !info.IsDir():
		return fmt.Errorf("index %s: not a folder", dir)
	}
	if inside(dbPath, abs) {
		return fmt.Errorf("index %s: the database %s is inside that folder; kotadb never writes into an indexed folder, so keep the database elsewhere (--db or $KOTADB_DB)", dir, dbPath)
	}
	return nil
}

// inside reports whether path is in folder dir (or is dir).
func inside(path, dir string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(real, filepath.Base(abs))
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	rel, err := filepath.Rel(dir, abs)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Get returns the latest live version of key with its value and metadata.
func (db *DB) Get(key string) (Entry, error) { return db.st.Get(key) }

// GetAt returns the version of key that was current at t.
func (db *DB) GetAt(key string, t time.Time) (Entry, error) { return db.st.GetAt(key, t) }

// GetAtSeq returns the version of key that was current at sequence seq.
func (db *DB) GetAtSeq(key string, seq uint64) (Entry, error) { return db.st.GetAtSeq(key, seq) }

// History returns every version of key, oldest first, deletes included.
func (db *DB) History(key string) ([]Version, error) { return db.st.History(key) }

// Ls calls fn for the latest version of every live key starting with
// prefix, in key order. An error from fn stops the walk and is returned.
func (db *DB) Ls(prefix string, fn func(Version) error) error { return db.st.Scan(prefix, fn) }

// Delete records the deletion of key. Keys of a collection that indexes a
// folder cannot be deleted this way: the folder is their source of truth.
func (db *DB) Delete(key, author string) (Version, error) {
	if err := db.checkWritable(key); err != nil {
		return Version{}, fmt.Errorf("delete %s: %w", key, err)
	}
	v, err := db.st.Delete(key, author)
	if errors.Is(err, ErrNotFound) {
		return Version{}, fmt.Errorf("delete %s: no such key: %w", key, ErrNotFound)
	}
	if err != nil {
		return Version{}, err
	}
	if err := db.refreshIndices(); err != nil {
		return v, fmt.Errorf("delete %s: update indices: %w", key, err)
	}
	return v, nil
}

// checkWritable refuses direct writes to a collection that mirrors a folder:
// the next index would silently undo them.
func (db *DB) checkWritable(key string) error {
	if err := store.ValidateKey(key); err != nil {
		return err
	}
	collection := store.Collection(key)
	src, err := db.st.Source(collection)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	return fmt.Errorf("collection %q indexes the folder %s: change the file there and run `kotadb index` instead", collection, src.Path)
}
