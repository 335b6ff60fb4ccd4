package ingest

import (
	"io"
	"math/rand/v2"
	"os"

	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// Dictionary sampling. Below minTrainBytes or minTrainSamples a dictionary
// learns too little to pay for itself, so small folders are stored without
// one.
//
// sampleBudget: the files' starts up to 512 KiB. Measured on the test
// corpora (blob bytes of contents and metadata against the raw files), 2
// MiB gives 0.465 (dwarves-brain) and 0.375 (opentelemetry-docs), 512 KiB
// 0.468 and 0.380, at a quarter of the training time and of the files
// read twice.
//
// metaEvery: one sample in 8 also contributes its metadata (the Document
// JSON the file is stored with). Metadata is a quarter of the blob bytes
// and, compressed with a dictionary learnt from contents alone, the worst
// compressed part: the JSON keys and shapes are in no document. These few
// samples take it from 0.43 to 0.31 of its size on dwarves-brain (0.36 to
// 0.30 on opentelemetry-docs) and cost the contents almost nothing.
const (
	sampleBudget    = 512 << 10
	sampleMaxLen    = 32 << 10
	metaEvery       = 8
	minTrainBytes   = 64 << 10
	minTrainSamples = 16
)

// trainDictionary reads samples spread over the whole folder (in a
// pseudo-random order with a fixed seed, so runs are reproducible and the
// samples are not all from the first directories) and trains the
// collection's dictionary. It returns nil, nil when there is too little to
// train on.
func trainDictionary(st *store.Store, collection string, files []fileEntry, maxSize int64) (*store.DictInfo, error) {
	rng := rand.New(rand.NewPCG(0x6b6f7461, uint64(len(files))))
	var samples [][]byte
	total, read := 0, 0
	for _, i := range rng.Perm(len(files)) {
		if total >= sampleBudget {
			break
		}
		s, ok := readSample(files[i], maxSize, read%metaEvery == 0)
		if !ok {
			continue
		}
		read++
		samples = append(samples, s.data)
		total += len(s.data)
		if s.meta != nil {
			samples = append(samples, s.meta)
			total += len(s.meta)
		}
	}
	if total < minTrainBytes || len(samples) < minTrainSamples {
		return nil, nil
	}
	info, err := st.TrainDictionary(collection, samples)
	if err != nil {
		return nil, err
	}
	return &info, nil
}

// sample is the start of a file and, when asked for, its metadata.
type sample struct {
	data, meta []byte
}

// readSample returns the start of a text file no larger than maxSize, and
// with withMeta the metadata Index stores for it (parsed from that start:
// close enough for a dictionary).
func readSample(e fileEntry, maxSize int64, withMeta bool) (sample, bool) {
	f, err := os.Open(e.abs)
	if err != nil {
		return sample{}, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxSize || fi.Size() == 0 {
		return sample{}, false
	}
	buf := make([]byte, min(fi.Size(), sampleMaxLen))
	n, err := io.ReadFull(f, buf)
	if err != nil && n == 0 {
		return sample{}, false
	}
	buf = buf[:n]
	if bin, _ := parse.IsBinary(buf); bin {
		return sample{}, false
	}
	s := sample{data: buf}
	if withMeta {
		if doc, err := parse.Parse(parse.FileInfo{Path: e.rel, ModTime: fi.ModTime()}, buf); err == nil {
			s.meta, _ = encodeMeta(doc, e.rel)
		}
	}
	return s, true
}
