package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/errs"
)

// iterBatch is how many records Scan, Changes and FileStates read per read
// transaction. Callbacks run between transactions, so they may call any
// method of the store (writes included) and a slow consumer does not pin
// old pages, which would make the file grow.
const iterBatch = 256

func unixTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// Get returns the latest version of key with its value and metadata.
// errs.ErrNotFound if the key never existed or its latest version is a delete.
func (s *Store) Get(key string) (Entry, error) {
	if err := ValidateKey(key); err != nil {
		return Entry{}, err
	}
	var e Entry
	err := s.view("get", func(tx *bolt.Tx) error {
		head, ok, err := s.head(tx, key)
		if err != nil {
			return err
		}
		if !ok || head.Op == OpDelete {
			return fmt.Errorf("get %q: %w", key, errs.ErrNotFound)
		}
		e, err = s.entry(tx, head)
		return err
	})
	return e, err
}

// GetAt returns the version of key that was live at time t: the latest with
// Time <= t. errs.ErrNotFound if there is none or it is a delete.
func (s *Store) GetAt(key string, t time.Time) (Entry, error) {
	// Commit times never decrease along the log, so walking back from the
	// head the first version not after t is the answer.
	return s.getAt(key, "at "+t.Format(time.RFC3339Nano), func(v Version) bool { return !v.Time.After(t) })
}

// GetAtSeq returns the version of key live at sequence number seq: the
// latest with Seq <= seq. errs.ErrNotFound if there is none or it is a delete.
func (s *Store) GetAtSeq(key string, seq uint64) (Entry, error) {
	return s.getAt(key, fmt.Sprintf("at seq %d", seq), func(v Version) bool { return v.Seq <= seq })
}

// getAt loads the newest version of key that satisfies found.
func (s *Store) getAt(key, what string, found func(Version) bool) (Entry, error) {
	if err := ValidateKey(key); err != nil {
		return Entry{}, err
	}
	var e Entry
	err := s.view("get", func(tx *bolt.Tx) error {
		var v Version
		ok := false
		err := s.walkBack(tx, key, func(cur Version) bool {
			v, ok = cur, found(cur)
			return ok
		})
		switch {
		case err != nil:
			return err
		case !ok:
			return fmt.Errorf("get %q %s: %w", key, what, errs.ErrNotFound)
		case v.Op == OpDelete:
			return fmt.Errorf("get %q %s: deleted at seq %d: %w", key, what, v.Seq, errs.ErrNotFound)
		}
		e, err = s.entry(tx, v)
		return err
	})
	return e, err
}

// walkBack calls fn with the versions of key from the newest back along the
// Prev links until fn returns true or the chain ends. Each link must point
// to an older version of the same key, so a damaged chain cannot loop.
func (s *Store) walkBack(tx *bolt.Tx, key string, fn func(Version) bool) error {
	v, ok, err := s.head(tx, key)
	if err != nil || !ok {
		return err
	}
	log := tx.Bucket(bucketLog)
	for !fn(v) && v.Prev != 0 {
		if v.Prev >= v.Seq {
			return s.corrupt(fmt.Sprintf("log/%d", v.Seq), nil, "prev %d is not older", v.Prev)
		}
		prev, err := s.logVersion(log, v.Prev)
		if err != nil {
			return err
		}
		if prev.Key != key {
			return s.corrupt(fmt.Sprintf("log/%d", v.Seq), nil, "prev %d is a version of %q, not %q", v.Prev, prev.Key, key)
		}
		v = prev
	}
	return nil
}

// History returns every version of key, oldest first, deletes included.
// errs.ErrNotFound if the key never existed.
func (s *Store) History(key string) ([]Version, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	var out []Version
	err := s.view("history", func(tx *bolt.Tx) error {
		out = out[:0]
		err := s.walkBack(tx, key, func(v Version) bool { out = append(out, v); return false })
		if err == nil && len(out) == 0 {
			err = fmt.Errorf("history of %q: %w", key, errs.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(out)
	return out, nil
}

// Scan calls fn with the head version of every live key starting with
// prefix, in key order. fn runs outside any transaction (see iterBatch), so
// it sees a live view, not a snapshot: keys written behind the scan position
// are missed, keys ahead of it are seen in their newest state. An error from
// fn stops the scan and is returned.
func (s *Store) Scan(prefix string, fn func(Version) error) error {
	return iterate(s, "scan", bucketHeads, []byte(prefix), func(tx *bolt.Tx, k, v []byte) (Version, bool, error) {
		if h, err := decodeHead(v); err == nil && h.op == OpDelete {
			return Version{}, false, nil // deleted: no need to read the log
		}
		ver, err := s.headVersion(tx, k, v)
		return ver, err == nil, err
	}, func(_ []byte, v Version) error { return fn(v) })
}

// Changes calls fn with every version whose Seq is greater than since, in
// Seq order: the change log that indices replay. Versions committed while it
// runs are included. An error from fn stops it and is returned.
func (s *Store) Changes(since uint64, fn func(Version) error) error {
	if since == math.MaxUint64 {
		return nil
	}
	return iterateFrom(s, "changes", bucketLog, be64(since+1), nil, func(_ *bolt.Tx, k, v []byte) (Version, bool, error) {
		ver, err := decodeVersion(v)
		if err == nil && (len(k) != 8 || binary.BigEndian.Uint64(k) != ver.Seq) {
			err = fmt.Errorf("record seq %d stored under key %x", ver.Seq, k)
		}
		if err != nil {
			return ver, false, s.corrupt(fmt.Sprintf("log/%x", k), err, "")
		}
		return ver, true, nil
	}, func(_ []byte, v Version) error { return fn(v) })
}

// Blob returns the uncompressed bytes stored under h, after checking their
// SHA-256. errs.ErrNotFound if there is no such blob.
func (s *Store) Blob(h Hash) ([]byte, error) {
	var out []byte
	err := s.view("blob", func(tx *bolt.Tx) error {
		var err error
		out, err = s.blob(tx, h)
		return err
	})
	return out, err
}

// FileStates calls fn with the file state of every key of collection, in
// key order (keys are full "collection/path" keys).
func (s *Store) FileStates(collection string, fn func(key string, st FileState) error) error {
	if err := ValidateCollection(collection); err != nil {
		return err
	}
	return iterate(s, "file states", bucketFiles, []byte(collection+"/"), func(_ *bolt.Tx, k, v []byte) (FileState, bool, error) {
		st, err := decodeFileState(v)
		if err != nil {
			return st, false, s.corrupt("files/"+string(k), err, "")
		}
		return st, true, nil
	}, func(k []byte, st FileState) error { return fn(string(k), st) })
}

// iterate walks the keys of bucket that start with prefix.
func iterate[T any](s *Store, where string, bucket, prefix []byte, decode func(tx *bolt.Tx, k, v []byte) (T, bool, error), fn func(k []byte, t T) error) error {
	return iterateFrom(s, where, bucket, prefix, prefix, decode, fn)
}

// iterateFrom walks bucket from key start while keys have prefix, reading
// iterBatch records per transaction and calling fn between transactions.
// decode turns a record into a T and says whether to keep it.
func iterateFrom[T any](s *Store, where string, bucket, start, prefix []byte, decode func(tx *bolt.Tx, k, v []byte) (T, bool, error), fn func(k []byte, t T) error) error {
	type item struct {
		k []byte
		t T
	}
	items := make([]item, 0, iterBatch)
	var last []byte // last key read: keys must only grow, or a damaged page could loop us forever
	for start != nil {
		items = items[:0]
		err := s.view(where, func(tx *bolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			k, v := c.Seek(start)
			start = nil
			for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				if last != nil && bytes.Compare(k, last) <= 0 {
					return s.corrupt(fmt.Sprintf("%s/%x", bucket, k), nil, "keys out of order after %x", last)
				}
				if len(items) == iterBatch {
					// Resume here; copy, as k points into the transaction.
					start = append([]byte(nil), k...)
					return nil
				}
				last = append(last[:0], k...)
				t, keep, err := decode(tx, k, v)
				if err != nil {
					return err
				}
				if keep {
					items = append(items, item{append([]byte(nil), k...), t})
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it.k, it.t); err != nil {
				return err
			}
		}
	}
	return nil
}

// head returns the decoded head of key and whether there is one.
func (s *Store) head(tx *bolt.Tx, key string) (Version, bool, error) {
	raw := tx.Bucket(bucketHeads).Get([]byte(key))
	if raw == nil {
		return Version{}, false, nil
	}
	v, err := s.headVersion(tx, []byte(key), raw)
	return v, err == nil, err
}

// headVersion reads the version a head record points at.
func (s *Store) headVersion(tx *bolt.Tx, key, raw []byte) (Version, error) {
	h, err := decodeHead(raw)
	if err != nil {
		return Version{}, s.corrupt(fmt.Sprintf("heads/%q", key), err, "")
	}
	v, err := s.logVersion(tx.Bucket(bucketLog), h.seq)
	if err != nil {
		return Version{}, err
	}
	if v.Key != string(key) || v.Op != h.op {
		return Version{}, s.corrupt(fmt.Sprintf("heads/%q", key), nil, "head names seq %d (%s), which is a %s of %q", h.seq, h.op, v.Op, v.Key)
	}
	return v, nil
}

// logVersion reads version seq from the log.
func (s *Store) logVersion(log *bolt.Bucket, seq uint64) (Version, error) {
	where := fmt.Sprintf("log/%d", seq)
	raw := log.Get(be64(seq))
	if raw == nil {
		return Version{}, s.corrupt(where, nil, "version is referenced but missing from the log")
	}
	v, err := decodeVersion(raw)
	if err != nil {
		return Version{}, s.corrupt(where, err, "")
	}
	if v.Seq != seq {
		return Version{}, s.corrupt(where, nil, "record says seq %d", v.Seq)
	}
	return v, nil
}

// entry loads the value and metadata of v.
func (s *Store) entry(tx *bolt.Tx, v Version) (Entry, error) {
	e := Entry{Version: v}
	var err error
	if v.Op != OpDelete {
		if e.Value, err = s.blob(tx, v.Hash); err != nil {
			return Entry{}, s.blobErr(v, "content", err)
		}
	}
	if v.Meta != (Hash{}) {
		if e.Meta, err = s.blob(tx, v.Meta); err != nil {
			return Entry{}, s.blobErr(v, "metadata", err)
		}
	}
	return e, nil
}

// blobErr reports a blob that a version references but cannot be read: the
// store never removes blobs, so even a missing one is damage.
func (s *Store) blobErr(v Version, what string, err error) error {
	if ce, ok := err.(*errs.CorruptionError); ok {
		return ce
	}
	return s.corrupt(fmt.Sprintf("blobs (%s of %q seq %d)", what, v.Key, v.Seq), err, "")
}

// blobRecord returns the stored record of the blob under h (pointing into
// the transaction's memory), or nil if there is none.
func (s *Store) blobRecord(tx *bolt.Tx, h Hash) ([]byte, error) {
	raw := tx.Bucket(bucketBlobs).Get(h[:])
	if raw == nil {
		return nil, nil
	}
	where := fmt.Sprintf("blobs/%x", h[:])
	loc, err := decodeBlobLoc(raw)
	if err != nil {
		return nil, s.corrupt(where, err, "")
	}
	return s.packRead(tx, loc, where)
}

// blob reads, decompresses and checks the blob stored under h.
func (s *Store) blob(tx *bolt.Tx, h Hash) ([]byte, error) {
	rec, err := s.blobRecord(tx, h)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, fmt.Errorf("blob %x: %w", h[:], errs.ErrNotFound)
	}
	where := fmt.Sprintf("blobs/%x", h[:])
	data, err := s.codec.decode(rec)
	if err != nil {
		return nil, s.corrupt(where, err, "")
	}
	if sha256.Sum256(data) != h {
		return nil, s.corrupt(where, nil, "SHA-256 of the content does not match the key")
	}
	return data, nil
}
