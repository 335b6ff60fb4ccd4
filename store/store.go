package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/internal/vfs"
)

// initialMmapSize is how much of the address space bbolt maps up front.
// Each time a file outgrows its mapping bbolt copies every node the open
// transaction touched to the heap and maps again (and waits for readers):
// a cold load of a 10 MB store did that about ten times. Only address
// space is reserved, except on Windows, where the file would grow to
// the mapping's size, and on 32-bit systems, where address space is short.
const initialMmapSize = 256 << 20

func mmapSizeFor(goos string, ptrBits int) int {
	if goos == "windows" || ptrBits < 64 {
		return 0
	}
	return initialMmapSize
}

// Bounds of how much bbolt grows the file beyond a commit's need (see
// newBatch). bbolt's default, 16 MiB, would make a small vault's database
// several times its corpus.
const (
	minAllocSize = 64 << 10
	maxAllocSize = 16 << 20
)

// Options configure Open. The zero value (or nil) is a writable store that
// syncs every commit and waits one second for the file lock.
type Options struct {
	// ReadOnly opens with a shared lock; writes return errs.ErrReadOnly.
	ReadOnly bool
	// Timeout is how long to wait for the file lock; 0 means 1s. When it
	// runs out Open returns a *LockedError (errs.ErrLocked) naming the
	// writer that holds the lock.
	Timeout time.Duration
	// NoSync skips fsync on commit: for tests and benchmarks only, a crash
	// can then lose or damage the database.
	NoSync bool
	// Now is the clock used for version times; nil means time.Now.
	Now func() time.Time
}

// Store is a durable, versioned document store in one bbolt file. It is safe
// for concurrent use; see the package documentation for the contracts.
type Store struct {
	path     string
	readOnly bool
	now      func() time.Time
	codec    *codec

	mu sync.RWMutex // guards db: read-locked by every operation, locked by Close
	db *bolt.DB     // nil once closed

	lastSeq   atomic.Uint64 // mirror of meta "seq", updated after each commit
	pieceSize uint64        // meta "piecesize", see pack.go

	trainMu    sync.Mutex        // serializes TrainDictionary
	dictMu     sync.RWMutex      // guards dictOfColl
	dictOfColl map[string]uint32 // collection -> dictionary new blobs use
	lockNote   *lockNote         // the lock file this writer keeps, see lock.go

	shapeOnce sync.Once // the full page-shape check, see shapeChecked
	shapeErr  error
	// file is bbolt's descriptor of the database (the page-shape check
	// reads through it with pread); bbolt closes it.
	file *os.File
}

// Open opens the store at path, creating it (and its parent directories)
// unless opts.ReadOnly. A damaged file gives an error wrapping errs.ErrCorrupt
// that tells the user to run `kotadb verify`; a file written by a newer
// format gives errs.ErrFormatVersion.
func Open(path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{path: abs, readOnly: o.ReadOnly, now: o.Now, codec: newCodec(), dictOfColl: map[string]uint32{}}
	if o.ReadOnly {
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("open store %s read-only: %w", abs, err)
		}
	} else if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	db, file, err := s.openBolt(o)
	if err != nil {
		return nil, err
	}
	s.db, s.file = db, file
	if !o.ReadOnly {
		s.lockNote = startLockNote(abs, time.Now())
	}
	if err := s.init(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// openBolt opens the bbolt file, turning lock timeouts into *LockedError and
// damage (errors or panics inside bbolt) into a CorruptionError. The
// preflight checks of a file with content run on bbolt's own descriptor
// as soon as it is open, before bbolt reads a page: one open of the file
// instead of two.
func (s *Store) openBolt(o Options) (db *bolt.DB, file *os.File, err error) {
	var preErr error // the preflight's verdict, returned as it is
	bo := &bolt.Options{
		Timeout:         o.Timeout,
		ReadOnly:        o.ReadOnly,
		NoSync:          o.NoSync,
		PreLoadFreelist: true, // a damaged freelist then fails here, guarded
		FreelistType:    bolt.FreelistMapType,
		InitialMmapSize: mmapSizeFor(runtime.GOOS, strconv.IntSize),
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			f, err := vfs.OpenFile(name, flag, mode)
			if err != nil {
				return nil, err
			}
			if preErr = s.preflight(f); preErr != nil {
				_ = f.Close()
				return nil, preErr
			}
			file = f
			return f, nil
		},
	}
	err = s.guard("open", func() error {
		var err error
		db, err = bolt.Open(s.path, 0o644, bo)
		return err
	})
	var ce *errs.CorruptionError
	switch {
	case preErr != nil:
		return nil, nil, preErr
	case err == nil:
		db.AllocSize = minAllocSize
		return db, file, nil
	case errors.As(err, &ce):
		// bbolt panicked half way and still holds the descriptor and flock.
		if file != nil {
			_ = file.Close()
		}
		return nil, nil, err
	case errors.Is(err, berrors.ErrTimeout):
		return nil, nil, lockedError(s.path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF):
		return nil, nil, &errs.CorruptionError{Path: s.path, Where: "bbolt meta pages", Detail: "cannot open", Err: err}
	}
	var pe *fs.PathError
	var errno syscall.Errno
	if fi, statErr := os.Stat(s.path); statErr == nil && fi.Size() > 0 && !errors.As(err, &pe) && !errors.As(err, &errno) {
		// Not a system error on a file with content: bbolt rejected the
		// content itself ("file size too small" and the like).
		return nil, nil, &errs.CorruptionError{Path: s.path, Where: "bbolt", Detail: "cannot open", Err: err}
	}
	return nil, nil, fmt.Errorf("open store %s: %w", s.path, err)
}

// init creates the buckets of a new store, or checks an existing one: file
// not shorter than its pages, page trees of what it reads, format version,
// buckets present, and loads the sequence counter and dictionaries. The
// checks come first, in the one read transaction, before bbolt reads a
// page they vouch for.
func (s *Store) init() error {
	created := false
	// Not s.view: that would run the full page check, which Open leaves
	// to the first transaction.
	err := s.guard("open", func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			if err := s.checkFileSize(tx); err != nil {
				return err
			}
			if err := s.checkPageShapeIn(tx, openBuckets); err != nil {
				return err
			}
			if tx.Bucket(bucketMeta) != nil {
				return s.load(tx)
			}
			if k, _ := tx.Cursor().First(); s.readOnly || k != nil {
				return s.corrupt("meta", nil, "no meta bucket: not a kotadb store")
			}
			created = true
			return nil
		})
	})
	if err != nil || !created {
		return err
	}
	// A new file: the only write Open makes (an existing store is opened
	// without writing, so damage cannot be made worse before Verify).
	return s.update("create", s.create)
}

// load checks an existing store (format version, buckets) and reads the
// sequence counter, piece size and dictionaries.
func (s *Store) load(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if err := s.checkFormat(meta); err != nil {
		return err
	}
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			return s.corrupt(string(name), nil, "bucket is missing")
		}
	}
	seq, err := s.readSeq(tx)
	if err != nil {
		return err
	}
	s.lastSeq.Store(seq)
	if s.pieceSize, err = readPieceSize(meta); err != nil {
		return s.corrupt("meta/piecesize", err, "")
	}
	return s.loadDicts(tx)
}

func (s *Store) create(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if err := meta.Put(metaFormat, binary.AppendUvarint(nil, FormatVersion)); err != nil {
		return fmt.Errorf("write format version: %w", err)
	}
	s.pieceSize = pieceSizeFor(tx.DB().Info().PageSize)
	if err := meta.Put(metaPieceSize, binary.AppendUvarint(nil, s.pieceSize)); err != nil {
		return fmt.Errorf("write piece size: %w", err)
	}
	return meta.Put(metaSeq, be64(0))
}

func (s *Store) checkFormat(meta *bolt.Bucket) error {
	raw := meta.Get(metaFormat)
	d := decoder{buf: raw}
	v := d.uvarint("format")
	if err := d.end(); err != nil {
		return s.corrupt("meta/format", err, "unreadable format version")
	}
	if v > FormatVersion {
		return fmt.Errorf("store %s has format version %d, this build reads up to %d: %w", s.path, v, FormatVersion, errs.ErrFormatVersion)
	}
	if v < 1 {
		return s.corrupt("meta/format", nil, "format version %d", v)
	}
	return nil
}

// checkFileSize fails when the file is shorter than the pages its meta page
// claims: a truncated file, whose missing pages would fault when mapped.
func (s *Store) checkFileSize(tx *bolt.Tx) error {
	fi, err := s.file.Stat()
	if err != nil {
		return fmt.Errorf("stat store %s: %w", s.path, err)
	}
	if size := tx.Size(); fi.Size() < size {
		return s.corrupt("file", nil, "file is %d bytes but its pages need %d: truncated", fi.Size(), size)
	}
	return nil
}

// checkPageShape walks the page trees from the file (branch pages and
// headers only) so that a page cycle, which would crash bbolt beyond any
// recover, is an error instead. Open walks only what it reads itself: the
// root bucket's tree and the buckets named in openBuckets. The rest, one
// read per page and most of Open's time on a large store, waits for the
// first transaction (see shapeChecked), which a search that finds its
// indices up to date never makes. See pagecheck.go.
func (s *Store) checkPageShape(only map[string]bool) error {
	return s.guard("open", func() error {
		return s.db.View(func(tx *bolt.Tx) error { return s.checkPageShapeIn(tx, only) })
	})
}

// checkPageShapeIn is checkPageShape for the pages of tx. It reads them
// with pread, not through tx.
func (s *Store) checkPageShapeIn(tx *bolt.Tx, only map[string]bool) error {
	root := uint64(tx.Cursor().Bucket().Root())
	pageSize := tx.DB().Info().PageSize
	hwm := uint64(tx.Size()) / uint64(pageSize)
	var first error
	w := newPageWalker(s.file, pageSize, hwm, false, func(where, detail string) {
		if first == nil {
			first = s.corrupt(where, nil, "%s", detail)
		}
	})
	w.only = only
	w.walk("root", root, true, 0)
	return first
}

// openBuckets are the buckets Open reads (load): their trees are checked
// before it does.
var openBuckets = map[string]bool{string(bucketMeta): true, string(bucketDicts): true}

// shapeChecked runs the full page-shape check once, before the first
// transaction after Open; its verdict, damage included, stands for the
// life of the Store.
func (s *Store) shapeChecked() error {
	s.shapeOnce.Do(func() { s.shapeErr = s.checkPageShape(nil) })
	return s.shapeErr
}

func (s *Store) readSeq(tx *bolt.Tx) (uint64, error) {
	seq, err := decodeBE64(tx.Bucket(bucketMeta).Get(metaSeq), "sequence counter")
	if err != nil {
		return 0, s.corrupt("meta/seq", err, "")
	}
	return seq, nil
}

// Close releases the database. Later calls return errs.ErrClosed; calling it
// twice is harmless.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	var lockErr error
	if s.lockNote != nil {
		// Remove the lock file before the flock goes, so it never names a
		// process that no longer holds the lock.
		lockErr = s.lockNote.remove()
	}
	err := s.db.Close()
	s.db = nil
	s.codec.close()
	if err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return lockErr
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// LastSeq returns the sequence number of the newest version (0 if none).
func (s *Store) LastSeq() uint64 { return s.lastSeq.Load() }

// guard runs fn turning a panic or memory fault inside bbolt (which trusts
// its file) into a CorruptionError. SetPanicOnFault is per goroutine, so
// only faults of this call are caught.
func (s *Store) guard(where string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = &errs.CorruptionError{Path: s.path, Where: where, Detail: fmt.Sprintf("database failed while reading: %v", r)}
		}
	}()
	return fn()
}

// view runs fn in a read transaction, guarded, on an open store.
func (s *Store) view(where string, fn func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return errs.ErrClosed
	}
	if err := s.shapeChecked(); err != nil {
		return err
	}
	return s.guard(where, func() error { return s.db.View(fn) })
}

// update runs fn in a write transaction, guarded, on a writable open store.
func (s *Store) update(where string, fn func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return errs.ErrClosed
	}
	if s.readOnly {
		return fmt.Errorf("%s: %w", where, errs.ErrReadOnly)
	}
	if err := s.shapeChecked(); err != nil {
		return err
	}
	return s.guard(where, func() error { return s.db.Update(fn) })
}

// corrupt builds a CorruptionError for this store.
func (s *Store) corrupt(where string, err error, format string, args ...any) error {
	return &errs.CorruptionError{Path: s.path, Where: where, Detail: fmt.Sprintf(format, args...), Err: err}
}
