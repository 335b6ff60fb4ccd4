package store

// The pack is one byte stream holding every blob record back to back, cut
// into pieces of pieceSize bytes stored under their index in the pack
// bucket; only the last piece may be shorter. A blob's location is its
// offset and length in the stream, and a record may span pieces.
//
// Why: a bbolt value per blob wastes the tail of a page for every couple of
// blobs, and blob keys in hash order make each batch rewrite most leaves.
// Appending to a stream touches only the last leaf, and the piece size is
// chosen so bbolt's pages hold pieces exactly: bbolt splits a leaf of
// values this big into nodes of two elements, 16 (page header) + 2 × (16
// element header + 8 key + piece) bytes, which is 2 pages when a piece is
// pageSize − 32 bytes. Three or four elements, the most the last leaf holds
// before it splits, fit 3 and 4 pages. That last leaf is all a batch
// rewrites of the pack: at most 16 KiB with 4 KiB pages.

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

func pieceSizeFor(pageSize int) uint64 { return uint64(pageSize - 32) }

// packWriter appends blob records to the pack within one write transaction.
type packWriter struct {
	s         *Store
	b         *bolt.Bucket
	pieceSize uint64
	loaded    bool
	index     uint64 // index of the open (last, partial) piece
	buf       []byte // its bytes
	dirty     bool   // buf has bytes not yet Put
}

func (w *packWriter) load() error {
	w.loaded = true
	k, v := w.b.Cursor().Last()
	if k == nil {
		return nil
	}
	idx, err := decodeBE64(k, "piece index")
	if err != nil {
		return w.s.corrupt(fmt.Sprintf("pack/%x", k), err, "")
	}
	switch {
	case uint64(len(v)) > w.pieceSize:
		return w.s.corrupt(fmt.Sprintf("pack/%d", idx), nil, "piece of %d bytes, more than %d", len(v), w.pieceSize)
	case uint64(len(v)) == w.pieceSize:
		w.index = idx + 1
	default:
		w.index, w.buf = idx, append(make([]byte, 0, w.pieceSize), v...)
	}
	return nil
}

// append adds rec at the end of the stream and returns its location.
func (w *packWriter) append(rec []byte) (blobLoc, error) {
	if !w.loaded {
		if err := w.load(); err != nil {
			return blobLoc{}, err
		}
	}
	loc := blobLoc{off: w.index*w.pieceSize + uint64(len(w.buf)), len: uint64(len(rec))}
	for len(rec) > 0 {
		n := min(uint64(len(rec)), w.pieceSize-uint64(len(w.buf)))
		w.buf = append(w.buf, rec[:n]...)
		rec = rec[n:]
		w.dirty = true
		if uint64(len(w.buf)) == w.pieceSize {
			if err := w.flush(); err != nil {
				return blobLoc{}, err
			}
			// bbolt keeps the flushed slice until commit: start a new one.
			w.index, w.buf = w.index+1, make([]byte, 0, w.pieceSize)
		}
	}
	return loc, nil
}

func (w *packWriter) flush() error {
	if !w.dirty {
		return nil
	}
	w.dirty = false
	if err := w.b.Put(be64(w.index), w.buf); err != nil {
		return fmt.Errorf("write pack piece %d: %w", w.index, err)
	}
	return nil
}

// packRead returns the bytes at loc: a slice of the transaction's memory
// when they lie in one piece, a copy when they span pieces.
func (s *Store) packRead(tx *bolt.Tx, loc blobLoc, where string) ([]byte, error) {
	ps := s.pieceSize
	if loc.len == 0 || loc.off > 1<<62 || loc.len > 1<<62 {
		return nil, s.corrupt(where, nil, "location %d+%d", loc.off, loc.len)
	}
	b := tx.Bucket(bucketPack)
	first, last := loc.off/ps, (loc.off+loc.len-1)/ps
	var out []byte
	if first != last {
		out = make([]byte, 0, loc.len)
	}
	for i := first; i <= last; i++ {
		piece := b.Get(be64(i))
		start := uint64(0)
		if i == first {
			start = loc.off % ps
		}
		end := min(ps, loc.off+loc.len-i*ps)
		if piece == nil || uint64(len(piece)) < end || uint64(len(piece)) > ps {
			return nil, s.corrupt(where, nil, "bytes %d+%d need pack piece %d up to byte %d; it has %d", loc.off, loc.len, i, end, len(piece))
		}
		if first == last {
			return piece[start:end], nil
		}
		out = append(out, piece[start:end]...)
	}
	return out, nil
}

// checkPack checks the pieces (numbered from 0, all full but the last) and
// that the blobs' locations cover the stream exactly.
func (v *verifier) checkPack(locs []blobLoc) {
	var length uint64
	want := uint64(0)
	full := true
	_ = v.tx.Bucket(bucketPack).ForEach(func(k, piece []byte) error {
		idx, err := decodeBE64(k, "piece index")
		switch {
		case err != nil:
			v.problem(ProblemBlob, fmt.Sprintf("pack %x", k), "%v", err)
		case idx != want:
			v.problem(ProblemBlob, fmt.Sprintf("pack %d", idx), "piece follows piece %d", int64(want)-1)
		case !full:
			v.problem(ProblemBlob, fmt.Sprintf("pack %d", idx-1), "a piece of %d bytes before the last", length%v.s.pieceSize)
		case len(piece) == 0 || uint64(len(piece)) > v.s.pieceSize:
			v.problem(ProblemBlob, fmt.Sprintf("pack %d", idx), "piece of %d bytes, want 1 to %d", len(piece), v.s.pieceSize)
		}
		want = idx + 1
		full = uint64(len(piece)) == v.s.pieceSize
		length = idx*v.s.pieceSize + uint64(len(piece))
		return nil
	})
	sortLocs(locs)
	next := uint64(0)
	for _, l := range locs {
		if l.off != next {
			v.problem(ProblemBlob, fmt.Sprintf("pack byte %d", next), "next blob starts at %d: the pack has a gap or overlap", l.off)
		}
		next = l.off + l.len
	}
	if next != length {
		v.problem(ProblemBlob, "pack", "blobs end at byte %d, the pack at %d", next, length)
	}
}

func readPieceSize(meta *bolt.Bucket) (uint64, error) {
	raw := meta.Get(metaPieceSize)
	n, w := binary.Uvarint(raw)
	if w <= 0 || w != len(raw) || n < 512 || n > 64<<20 {
		return 0, fmt.Errorf("piece size record %x", raw)
	}
	return n, nil
}
