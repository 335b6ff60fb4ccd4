package store

import (
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// CollectionStats are the counters of one collection (or of all of them).
type CollectionStats struct {
	Docs     int64 // live keys
	Versions int64 // versions ever made, deletes included
	Deletes  int64 // delete versions
	// Blobs, BlobRawBytes and StoredBytes count the blobs (contents and
	// metadata, every version) that the collection stored first: a blob
	// shared with another collection is counted once, where it appeared.
	Blobs        int64
	BlobRawBytes int64 // their uncompressed size
	StoredBytes  int64 // their size as stored (compressed, with headers)
	RawBytes     int64 // sum of the sizes of the live documents
	// Ratio is BlobRawBytes / StoredBytes (0 when nothing is stored).
	Ratio float64
}

// Stats describes the whole store.
type Stats struct {
	CollectionStats                            // all collections together
	Collections     map[string]CollectionStats // by collection name
	LastSeq         uint64
	FileSize        int64 // size of the database file
	UsedBytes       int64 // bytes of the file in pages bbolt uses (not free)
	PageSize        int
}

func (c counters) stats() CollectionStats {
	cs := CollectionStats{Docs: c.docs, Versions: c.versions, Deletes: c.deletes, Blobs: c.blobs,
		BlobRawBytes: c.blobRawBytes, StoredBytes: c.storedBytes, RawBytes: c.rawBytes}
	if c.storedBytes > 0 {
		cs.Ratio = float64(c.blobRawBytes) / float64(c.storedBytes)
	}
	return cs
}

func (c *counters) add(o counters) {
	f, g := c.fields(), o.fields()
	for i := range f {
		*f[i] += *g[i]
	}
}

// Stats reads the counters the store keeps per collection (no scan) and the
// file's figures.
func (s *Store) Stats() (Stats, error) {
	st := Stats{Collections: map[string]CollectionStats{}}
	var total counters
	err := s.view("stats", func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketStats).ForEach(func(k, v []byte) error {
			c, err := decodeCounters(v)
			if err != nil {
				return s.corrupt("stats/"+string(k), err, "")
			}
			st.Collections[string(k)] = c.stats()
			total.add(c)
			return nil
		})
		if err != nil {
			return err
		}
		if st.LastSeq, err = s.readSeq(tx); err != nil {
			return err
		}
		db := tx.DB()
		st.PageSize = db.Info().PageSize
		st.UsedBytes = tx.Size() - int64(db.Stats().FreeAlloc)
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	st.CollectionStats = total.stats()
	fi, err := os.Stat(s.path)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	st.FileSize = fi.Size()
	return st, nil
}
