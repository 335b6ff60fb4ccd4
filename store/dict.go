package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/errs"
)

const (
	// dictSize is the size of the content part of a trained dictionary.
	dictSize = 64 << 10
	// maxSampleBytes bounds the sample data TrainDictionary looks at, which
	// keeps training fast.
	maxSampleBytes = 2 << 20
	// maxSampleLen is how much of one sample is used: the start of a
	// document (front matter, title, first headings) is what documents of a
	// collection share.
	maxSampleLen = 32 << 10
	// minSampleBytes is the least sample data worth a dictionary.
	minSampleBytes = 4 << 10
	// tableSampleBytes and measureSampleBytes bound the samples compressed
	// to build the dictionary's entropy tables and to measure its effect:
	// compressing with a dictionary costs a table reset per document,
	// which would dominate training on all 2 MiB. Tables built from 256
	// KiB compress the test corpora as well as from 512 KiB, in half the
	// time (go test ./store -run '^$' -bench TrainDictionary).
	tableSampleBytes   = 256 << 10
	measureSampleBytes = 64 << 10
)

// DictInfo describes a trained dictionary and what it did to its samples.
type DictInfo struct {
	ID          uint32
	Collection  string
	Size        int   // bytes of the dictionary as stored
	Samples     int   // samples used
	SampleBytes int64 // their total size
	// MeasuredBytes is how much of the samples (up to 64 KiB, spread over
	// them) was packed as blob records with and without the dictionary:
	// StoredWith and StoredWithout bytes. Ratio and RatioWithout are
	// MeasuredBytes divided by them.
	MeasuredBytes             int64
	StoredWith, StoredWithout int64
	Ratio, RatioWithout       float64
}

// ReleaseCompressors lets the compression state that writes built go: a
// bulk write calls it when done, so the memory is not held while the
// derived indices are built or the process serves reads. Later writes
// build the state again (a fraction of a millisecond), so callers that
// write often should not call it after every write.
func (s *Store) ReleaseCompressors() { s.codec.dropEncoders() }

// TrainDictionary builds a zstd dictionary from samples of a collection's
// documents, stores it, and compresses the collection's later blobs with it.
// Blobs already stored keep their dictionary (or none). At most about 2 MiB
// of samples are used, spread over the whole slice.
func (s *Store) TrainDictionary(collection string, samples [][]byte) (DictInfo, error) {
	if err := ValidateCollection(collection); err != nil {
		return DictInfo{}, fmt.Errorf("train dictionary: %w", err)
	}
	if s.readOnly {
		return DictInfo{}, fmt.Errorf("train dictionary: %w", errs.ErrReadOnly)
	}
	picked := pickSamples(samples, maxSampleBytes)
	info := DictInfo{Collection: collection, Samples: len(picked)}
	for _, p := range picked {
		info.SampleBytes += int64(len(p))
	}
	if info.SampleBytes < minSampleBytes {
		return DictInfo{}, fmt.Errorf("train dictionary for %q: %d bytes of samples, need at least %d", collection, info.SampleBytes, minSampleBytes)
	}
	s.trainMu.Lock() // one training at a time: the id is chosen before the commit
	defer s.trainMu.Unlock()

	var id uint32
	err := s.view("train dictionary", func(tx *bolt.Tx) error {
		var err error
		id, err = s.nextDictID(tx)
		return err
	})
	if err != nil {
		return DictInfo{}, err
	}
	dict, err := zstd.BuildDict(zstd.BuildDictOptions{
		ID:       id,
		Contents: pickSamples(picked, tableSampleBytes),
		// The dictionary must leave part of the samples unexplained, or
		// BuildDict finds no literals to build its tables from.
		History: buildHistory(picked, min(dictSize, int(info.SampleBytes/4))),
		Offsets: [3]int{1, 4, 8},
		Level:   levelDict,
	})
	if err != nil {
		return DictInfo{}, fmt.Errorf("train dictionary for %q: %w", collection, err)
	}
	info.ID, info.Size = id, len(dict)
	// Never store a dictionary zstd cannot read: reads of the blobs
	// packed with it would fail.
	if _, err := zstd.InspectDictionary(dict); err != nil {
		return DictInfo{}, fmt.Errorf("train dictionary for %q: the dictionary built is unreadable: %w", collection, err)
	}
	err = s.update("train dictionary", func(tx *bolt.Tx) error {
		if again, err := s.nextDictID(tx); err != nil || again != id {
			return errors.Join(err, fmt.Errorf("dictionary id %d was taken while training", id))
		}
		b := tx.Bucket(bucketDicts)
		if err := b.Put(dictIDKey(id), dict); err != nil {
			return fmt.Errorf("store dictionary: %w", err)
		}
		if err := b.Put(dictCollectionKey(collection), binary.BigEndian.AppendUint32(nil, id)); err != nil {
			return fmt.Errorf("store dictionary: %w", err)
		}
		return tx.Bucket(bucketMeta).Put(metaDictSeq, binary.BigEndian.AppendUint32(nil, id))
	})
	if err != nil {
		return DictInfo{}, err
	}
	s.codec.addDict(id, dict)
	s.dictMu.Lock()
	s.dictOfColl[collection] = id
	s.dictMu.Unlock()
	// Measured with the codec's own encoders, which the collection's blobs
	// use next: their set-up is not paid twice.
	if err := s.measureDict(&info, pickSamples(picked, measureSampleBytes)); err != nil {
		return info, fmt.Errorf("dictionary %d is stored, but: %w", id, err)
	}
	return info, nil
}

// pickSamples takes samples evenly spread over the input, each cut to
// maxSampleLen, until budget bytes.
func pickSamples(samples [][]byte, budget int) [][]byte {
	total := 0
	for _, s := range samples {
		total += min(len(s), maxSampleLen)
	}
	// Take a share of the samples, spread evenly: every one when they fit.
	share := min(1, float64(budget)/float64(max(total, 1)))
	var out [][]byte
	acc := 1.0
	for i := 0; i < len(samples) && budget > 0; i++ {
		acc += share
		if acc < 1 {
			continue
		}
		acc--
		s := samples[i][:min(len(samples[i]), maxSampleLen, budget)]
		if len(s) > 0 {
			out = append(out, s)
			budget -= len(s)
		}
	}
	return out
}

// measureDict fills the size figures of info by packing the samples as blob
// records with and without the new dictionary, which the codec holds.
func (s *Store) measureDict(info *DictInfo, samples [][]byte) error {
	enc, err := s.codec.encoder(info.ID)
	if err != nil {
		return fmt.Errorf("train dictionary: measure: %w", err)
	}
	// A collection with a dictionary compresses nothing without it: the
	// plain encoder is made for the measure and dropped, not kept in the
	// codec with its tables.
	plain, err := newEncoder(nil, 1)
	if err != nil {
		return fmt.Errorf("train dictionary: measure: %w", err)
	}
	defer plain.Close()
	for _, smp := range samples {
		info.MeasuredBytes += int64(len(smp))
		info.StoredWith += int64(len(packBlob(enc, smp, info.ID)))
		info.StoredWithout += int64(len(packBlob(plain, smp, 0)))
	}
	info.Ratio = float64(info.MeasuredBytes) / float64(max(info.StoredWith, 1))
	info.RatioWithout = float64(info.MeasuredBytes) / float64(max(info.StoredWithout, 1))
	return nil
}

func (s *Store) nextDictID(tx *bolt.Tx) (uint32, error) {
	raw := tx.Bucket(bucketMeta).Get(metaDictSeq)
	if raw == nil {
		return 1, nil
	}
	if len(raw) != 4 {
		return 0, s.corrupt("meta/dictseq", nil, "%d bytes, want 4", len(raw))
	}
	last := binary.BigEndian.Uint32(raw)
	if last == 1<<32-1 {
		return 0, fmt.Errorf("train dictionary: all dictionary ids are used")
	}
	return last + 1, nil
}

func dictIDKey(id uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{dictByID}, id)
}

func dictCollectionKey(col string) []byte {
	return append([]byte{dictOfCollection}, col...)
}

// loadDicts registers every stored dictionary with the codec and reads which
// collection uses which.
func (s *Store) loadDicts(tx *bolt.Tx) error {
	b := tx.Bucket(bucketDicts)
	err := b.ForEach(func(k, v []byte) error {
		switch {
		case len(k) == 5 && k[0] == dictByID:
			// Not parsed here (zstd.InspectDictionary): that builds the
			// dictionary's entropy tables, most of Open's time and
			// allocations, which a search of up-to-date indices never
			// needs. The codec's decoder or encoder parses it on first
			// use, where a damaged one fails the blob read as corrupt,
			// and Verify checks every dictionary.
			id := binary.BigEndian.Uint32(k[1:])
			s.codec.addDict(id, append([]byte(nil), v...))
		case len(k) > 1 && k[0] == dictOfCollection:
			if len(v) != 4 {
				return s.corrupt("dicts/"+string(k[1:]), nil, "dictionary id of %d bytes", len(v))
			}
			s.dictOfColl[string(k[1:])] = binary.BigEndian.Uint32(v)
		default:
			return s.corrupt(fmt.Sprintf("dicts/%q", k), nil, "unexpected key")
		}
		return nil
	})
	if err != nil {
		return err
	}
	for col, id := range s.dictOfColl {
		if b.Get(dictIDKey(id)) == nil {
			return s.corrupt("dicts/"+col, nil, "collection uses dictionary %d, which is missing", id)
		}
	}
	return nil
}

// dictFor returns the dictionary new blobs of collection are packed with.
func (s *Store) dictFor(collection string) uint32 {
	s.dictMu.RLock()
	defer s.dictMu.RUnlock()
	return s.dictOfColl[collection]
}
