package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// outcome is what processing found out about one file.
type outcome uint8

const (
	outUnchanged     outcome = iota // same size and mtime: not even read
	outTouched                      // stat changed, content did not
	outAdded                        // no state in the store
	outChanged                      // content changed
	outSkipped                      // not indexed (reason says why)
	outVanished                     // removed between listing and stat
	outUnreadableDir                // not a file: a directory the walker could not read
)

// result is one processed file, handed from a worker to the committer.
type result struct {
	key     string
	rel     string
	outcome outcome
	reason  string // outSkipped
	err     error  // outSkipped: the underlying error, if any
	state   store.FileState
	value   []byte // outAdded / outChanged (nil in drift mode)
	doc     store.DocInfo
	read    bool // the file's content was read
	walked  bool // an entry the walker skipped itself, not a processed file
	warns   []parse.Warning
	// prepared is the put of value and doc, already hashed and compressed
	// by the worker (nil when the dictionary was still being trained: the
	// committer prepares it then).
	prepared *store.PreparedWrite
	// parsed is the document parsed from value with doc's times, kept for
	// Options.OnParsed (nil when nobody asked for it).
	parsed *parse.Document
}

// processor classifies files against the file states loaded from the store.
// It is shared by the workers and only reads its fields.
type processor struct {
	collection string
	prior      map[string]store.FileState
	maxSize    int64
	// racyFrom is the mtime (unix ns) from which a file could still change
	// without its mtime changing (timestamps are coarse): such a file's
	// state is stored with mtime 0 so the next run hashes it again.
	racyFrom int64
	// parse is false for Drift, which needs the classification only.
	parse bool
	// keepParsed keeps each parsed document in its result (OnParsed).
	keepParsed bool
	// st, when set, prepares (hashes and compresses) the puts of parsed
	// files once ready reports that the collection's dictionary is
	// settled, so that this work is spread over the workers instead of
	// done in the committer's transaction.
	st    *store.Store
	ready func() bool
}

func (p *processor) process(e fileEntry) result {
	r := result{key: p.collection + "/" + e.rel, rel: e.rel}
	if err := store.ValidateKey(r.key); err != nil {
		return p.skip(r, SkipInvalidName, err)
	}
	fi, err := os.Stat(e.abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			r.outcome = outVanished
			return r
		}
		return p.skip(r, SkipUnreadable, err)
	}
	if !fi.Mode().IsRegular() {
		return p.skip(r, SkipNotRegular, nil)
	}
	r.state = store.FileState{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	prior, known := p.prior[r.key]
	if known && prior.Size == r.state.Size && prior.ModTime == r.state.ModTime && prior.ModTime != 0 {
		r.outcome, r.state = outUnchanged, prior
		return r
	}
	if r.state.Size > p.maxSize {
		return p.skip(r, SkipTooLarge, fmt.Errorf("%d bytes, limit %d: %w", r.state.Size, p.maxSize, errs.ErrTooLarge))
	}
	content, err := readLimited(e.abs, r.state.Size, p.maxSize)
	r.read = true
	if err != nil {
		if errors.Is(err, errs.ErrTooLarge) {
			return p.skip(r, SkipTooLarge, err)
		}
		return p.skip(r, SkipUnreadable, err)
	}
	if r.state.ModTime >= p.racyFrom {
		r.state.ModTime = 0
	}
	r.outcome = outAdded
	if known {
		// Hash first: a touched file needs no parsing.
		r.state.Hash = sha256.Sum256(content)
		if prior.Hash == r.state.Hash {
			r.outcome = outTouched
			return r
		}
		r.outcome = outChanged
	}
	if !p.parse {
		if bin, why := parse.IsBinary(content); bin {
			return p.skip(r, SkipBinary, fmt.Errorf("%w (%s)", errs.ErrBinary, why))
		}
		return r
	}
	// The times are those the version will record (storedTime), so that the
	// document is exactly what parsing the stored version gives.
	info := parse.FileInfo{Path: e.rel, ModTime: storedTime(fi.ModTime())}
	doc, err := parse.Parse(info, content)
	if err != nil {
		if errors.Is(err, errs.ErrBinary) {
			return p.skip(r, SkipBinary, err)
		}
		return p.skip(r, SkipParseFailure, err)
	}
	if !known {
		// Parse hashed the content already (SHA-256, hex).
		if n, err := hex.Decode(r.state.Hash[:], []byte(doc.Hash)); err != nil || n != len(r.state.Hash) {
			r.state.Hash = sha256.Sum256(content)
		}
	}
	for i := range doc.Warnings {
		if doc.Warnings[i].File == "" {
			doc.Warnings[i].File = e.rel
		}
	}
	// The document is not stored: it derives from the content and the
	// times it was parsed with, which the version records (kotadb's
	// DB.Document parses it again).
	r.value, r.warns = content, doc.Warnings
	r.doc = store.DocInfo{Kind: store.DocFile, ModTime: info.ModTime, Birth: info.Birth}
	if p.keepParsed {
		r.parsed = doc
	}
	if p.st != nil && p.ready() {
		// An error here (a closed store) comes back from the committer's
		// own attempt, which it makes for every unprepared put.
		if pw, err := p.st.Prepare(r.put()); err == nil {
			r.prepared = &pw
		}
	}
	return r
}

// storedTime is t as a version records it (store.DocInfo): its instant,
// without a monotonic reading, in UTC when its offset is zero and otherwise
// in an unnamed zone of its offset. A document parsed with these times is
// the one DB.Document derives from the stored version.
func storedTime(t time.Time) time.Time {
	_, offset := t.Zone()
	loc := time.UTC
	if offset != 0 {
		loc = time.FixedZone("", offset)
	}
	return time.Unix(t.Unix(), int64(t.Nanosecond())).In(loc)
}

// put is the write that stores a read file.
func (r *result) put() store.Write {
	state := r.state
	return store.Write{Op: store.OpPut, Key: r.key, Value: r.value, Doc: r.doc, File: &state}
}

func (p *processor) skip(r result, reason string, err error) result {
	r.outcome, r.reason, r.err = outSkipped, reason, err
	return r
}

// readLimited reads a file expected to hold size bytes, failing with
// errs.ErrTooLarge if it has grown past limit since it was stat'ed.
func readLimited(path string, size, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One byte more than expected lets a single read see EOF.
	buf := make([]byte, 0, min(size, limit)+1)
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, fmt.Errorf("grew past %d bytes while being read: %w", limit, errs.ErrTooLarge)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}
