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
// corpora (blob bytes against the raw files), 2 MiB gives 0.465
// (dwarves-brain) and 0.375 (opentelemetry-docs), 512 KiB 0.468 and 0.380,
// training on a quarter of the bytes and reading a quarter of the files
// twice. Only
// contents are sampled: documents are not stored (they derive from the
// content), so there is no metadata to learn.
const (
	sampleBudget    = 512 << 10
	sampleMaxLen    = 32 << 10
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
	total := 0
	for _, i := range rng.Perm(len(files)) {
		if total >= sampleBudget {
			break
		}
		s, ok := readSample(files[i], maxSize)
		if !ok {
			continue
		}
		samples = append(samples, s)
		total += len(s)
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

// readSample returns the start of a text file no larger than maxSize.
func readSample(e fileEntry, maxSize int64) ([]byte, bool) {
	f, err := os.Open(e.abs)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxSize || fi.Size() == 0 {
		return nil, false
	}
	buf := make([]byte, min(fi.Size(), sampleMaxLen))
	n, err := io.ReadFull(f, buf)
	if err != nil && n == 0 {
		return nil, false
	}
	buf = buf[:n]
	if bin, _ := parse.IsBinary(buf); bin {
		return nil, false
	}
	return buf, true
}
