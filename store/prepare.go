package store

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// PreparedWrite is a Write already validated, hashed and packed: its value
// and metadata compressed into blob records with the collection's current
// dictionary. That is most of the CPU a write costs, and none of it needs
// the write lock, so Prepare does it before the transaction, on as many
// goroutines as the caller runs, and ApplyPrepared's transaction only
// stores bytes. A PreparedWrite belongs to the Store that made it.
type PreparedWrite struct {
	w              Write
	hash, metaHash Hash
	// valueRec and metaRec are the blob records to store; nil when there is
	// no such blob or it was already stored when prepared (blobs are never
	// removed, so it still is at commit time).
	valueRec, metaRec []byte
	s                 *Store
}

// Key returns the key the prepared write is for.
func (p *PreparedWrite) Key() string { return p.w.Key }

// Prepare validates w, hashes its value and metadata and compresses the
// blobs the store does not hold yet. Safe for concurrent use; the result is
// for ApplyPrepared on the same store. Blobs compressed before a dictionary
// is trained keep the codec they were packed with, which is always
// readable.
func (s *Store) Prepare(w Write) (PreparedWrite, error) {
	ps, err := s.prepareAll([]Write{w}, 1)
	if err != nil {
		return PreparedWrite{}, err
	}
	return ps[0], nil
}

// PrepareAll prepares writes like Prepare, on all cores, compressing a
// value that several writes share once. Errors name the write by its
// position, like Apply's.
func (s *Store) PrepareAll(writes []Write) ([]PreparedWrite, error) {
	return s.prepareAll(writes, runtime.GOMAXPROCS(0))
}

// parallelMinBytes is the least data worth fanning out over goroutines.
const parallelMinBytes = 64 << 10

func (s *Store) prepareAll(writes []Write, workers int) ([]PreparedWrite, error) {
	out := make([]PreparedWrite, len(writes))
	total := 0
	for i, w := range writes {
		if err := validateWrite(w); err != nil {
			return nil, fmt.Errorf("write %d of %d: %w", i+1, len(writes), err)
		}
		out[i] = PreparedWrite{w: w, s: s}
		total += len(w.Value) + len(w.Meta)
	}
	if total < parallelMinBytes {
		workers = 1
	}
	forEach(len(out), workers, func(i int) error {
		p := &out[i]
		if p.w.Op == OpPut || (p.w.Op == OpMove && p.w.Value != nil) {
			p.hash = sha256.Sum256(p.w.Value)
		}
		if len(p.w.Meta) > 0 {
			p.metaHash = sha256.Sum256(p.w.Meta)
		}
		return nil
	})
	if s.readOnly {
		return out, nil // ApplyPrepared refuses them: nothing to compress
	}
	todo, err := s.missingBlobs(out)
	if err != nil {
		return nil, err
	}
	err = forEach(len(todo), workers, func(i int) error {
		t := todo[i]
		data := t.p.w.Value
		if t.meta {
			data = t.p.w.Meta
		}
		rec, err := s.codec.encode(data, s.dictFor(Collection(t.p.w.Key)))
		if err != nil {
			return fmt.Errorf("compress %q: %w", t.p.w.Key, err)
		}
		t.set(rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range todo {
		for _, dup := range t.dups {
			dup.set(t.rec())
		}
	}
	return out, nil
}

// blobTodo is a blob Prepare must compress: the value or the metadata of
// one write, and the writes of the batch carrying the same bytes.
type blobTodo struct {
	p    *PreparedWrite
	meta bool
	dups []blobTodo
}

func (t blobTodo) set(rec []byte) {
	if t.meta {
		t.p.metaRec = rec
	} else {
		t.p.valueRec = rec
	}
}

func (t blobTodo) rec() []byte {
	if t.meta {
		return t.p.metaRec
	}
	return t.p.valueRec
}

// missingBlobs lists the blobs of ps that the store does not hold, each
// distinct hash once, in one read transaction.
func (s *Store) missingBlobs(ps []PreparedWrite) ([]blobTodo, error) {
	var todo []blobTodo
	seen := map[Hash]int{} // hash -> index in todo
	err := s.view("prepare", func(tx *bolt.Tx) error {
		blobs := tx.Bucket(bucketBlobs)
		for i := range ps {
			p := &ps[i]
			for _, meta := range []bool{false, true} {
				h := p.hash
				if meta {
					h = p.metaHash
				}
				if h == (Hash{}) {
					continue
				}
				t := blobTodo{p: p, meta: meta}
				if j, ok := seen[h]; ok {
					todo[j].dups = append(todo[j].dups, t)
					continue
				}
				if blobs.Get(h[:]) != nil {
					continue
				}
				seen[h] = len(todo)
				todo = append(todo, t)
			}
		}
		return nil
	})
	return todo, err
}

// forEach calls fn(0..n-1) on up to workers goroutines and returns the
// first error; after an error the remaining calls are skipped.
func forEach(n, workers int, fn func(i int) error) error {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(n)) // stop handing out work
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// ApplyPrepared commits prepared writes as ONE transaction, exactly like
// Apply commits the writes they were prepared from.
func (s *Store) ApplyPrepared(author string, writes []PreparedWrite) ([]Version, error) {
	for i := range writes {
		if writes[i].s != s {
			return nil, fmt.Errorf("write %d of %d: %w", i+1, len(writes), errForeignPrepared)
		}
	}
	return s.apply(author, writes)
}

var errForeignPrepared = errors.New("not prepared by this store (use its Prepare)")
