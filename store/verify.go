package store

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/errs"
)

// Problem kinds, by the part of the store that is damaged.
const (
	ProblemPages   = "pages"   // bbolt page structure (read from the file)
	ProblemBbolt   = "bbolt"   // bbolt's own tx.Check
	ProblemMeta    = "meta"    // format version, counters
	ProblemLog     = "log"     // version records and their chains
	ProblemHeads   = "heads"   // latest version of each key
	ProblemBlob    = "blob"    // stored contents
	ProblemStats   = "stats"   // per-collection counters
	ProblemFiles   = "files"   // file states
	ProblemSources = "sources" // registered sources
	ProblemDicts   = "dicts"   // compression dictionaries
)

// Problem is one inconsistency Verify found.
type Problem struct {
	Kind   string // one of the Problem* constants
	Key    string // the key, seq, hash or page concerned, if any
	Detail string
}

func (p Problem) String() string {
	if p.Key == "" {
		return p.Kind + ": " + p.Detail
	}
	return fmt.Sprintf("%s %s: %s", p.Kind, p.Key, p.Detail)
}

// VerifyResult summarizes a Verify run.
type VerifyResult struct {
	Versions  int   // log records read
	Keys      int   // keys with at least one version
	LiveKeys  int   // keys whose latest version is not a delete
	Blobs     int   // blobs decompressed and hashed
	BlobBytes int64 // their uncompressed size
	Files     int   // file states read
	Problems  int
}

// Verify reads the whole store in one read transaction and reports every
// inconsistency to report (which may be nil): bbolt's page structure and
// tx.Check, every version record and chain (seq order, each Prev link
// naming the key's previous version in the log, heads equal to the latest
// version, referenced blobs present), every blob (decompresses, SHA-256 equals its key), the
// counters, file states, sources and dictionaries. The error is only for
// failing to run (closed store, unreadable file), never for damage found.
func (s *Store) Verify(report func(Problem)) (VerifyResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return VerifyResult{}, errs.ErrClosed
	}
	f, err := os.Open(s.path)
	if err != nil {
		return VerifyResult{}, fmt.Errorf("verify: %w", err)
	}
	defer f.Close()
	v := &verifier{s: s, file: f, report: report, refs: map[Hash]blobRef{},
		last: map[string]Version{}, want: map[string]*counters{}, dicts: map[uint32]bool{}}
	err = s.guard("verify", func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			v.tx = tx
			v.run()
			return nil
		})
	})
	if err != nil {
		v.problem(ProblemBbolt, "", "%v", err)
	}
	return v.res, nil
}

// Check runs Verify and returns the first problem as a CorruptionError (nil
// when there is none). Tests call it after every scenario.
func (s *Store) Check() error {
	var first *Problem
	res, err := s.Verify(func(p Problem) {
		if first == nil {
			first = &p
		}
	})
	if err != nil {
		return err
	}
	if first == nil {
		return nil
	}
	return &errs.CorruptionError{Path: s.path, Where: first.Kind + " " + first.Key,
		Detail: fmt.Sprintf("%s (%d problems in all)", first.Detail, res.Problems)}
}

// blobRef is the first version that referenced a blob: its collection is
// the one whose counters the blob was added to.
type blobRef struct {
	key  string
	seq  uint64
	size int64 // the version's Size when it referenced the blob as content, else -1
}

type verifier struct {
	s      *Store
	tx     *bolt.Tx
	file   *os.File
	report func(Problem)
	res    VerifyResult

	refs  map[Hash]blobRef
	last  map[string]Version   // latest version of each key, from the log
	want  map[string]*counters // counters recomputed from the data
	dicts map[uint32]bool
}

func (v *verifier) problem(kind, key, format string, args ...any) {
	v.res.Problems++
	if v.report != nil {
		v.report(Problem{Kind: kind, Key: key, Detail: fmt.Sprintf(format, args...)})
	}
}

// step runs one check, reporting a panic or fault inside bbolt as a problem
// of that kind instead of aborting the others.
func (v *verifier) step(kind string, fn func()) {
	err := v.s.guard("verify "+kind, func() error { fn(); return nil })
	if err != nil {
		v.problem(kind, "", "%v", err)
	}
}

func (v *verifier) run() {
	before := v.res.Problems
	v.step(ProblemPages, v.pages)
	if v.res.Problems > before {
		v.problem(ProblemPages, "", "page structure is damaged; the other checks were skipped because bbolt cannot be trusted to read it")
		return
	}
	v.step(ProblemBbolt, func() {
		for err := range v.tx.Check() {
			v.problem(ProblemBbolt, "", "%v", err)
		}
	})
	for _, name := range allBuckets {
		if v.tx.Bucket(name) == nil {
			v.problem(ProblemMeta, string(name), "bucket is missing")
			return
		}
	}
	v.step(ProblemDicts, v.checkDicts)
	v.step(ProblemLog, v.checkLog)
	v.step(ProblemMeta, v.checkMeta)
	v.step(ProblemHeads, v.checkHeads)
	v.step(ProblemBlob, v.checkBlobs)
	v.step(ProblemStats, v.checkStats)
	v.step(ProblemFiles, v.checkFiles)
	v.step(ProblemSources, v.checkSources)
}

func (v *verifier) pages() {
	root := uint64(v.tx.Cursor().Bucket().Root())
	pageSize := v.tx.DB().Info().PageSize
	fi, err := v.file.Stat()
	if err != nil {
		v.problem(ProblemPages, "", "stat: %v", err)
		return
	}
	if fi.Size() < v.tx.Size() {
		v.problem(ProblemPages, "", "file is %d bytes but its pages need %d: truncated", fi.Size(), v.tx.Size())
		return
	}
	hwm := uint64(v.tx.Size()) / uint64(pageSize)
	newPageWalker(v.file, pageSize, hwm, true, func(where, detail string) {
		v.problem(ProblemPages, where, "%s", detail)
	}).walk("root", root, true, 0)
}

func (v *verifier) checkMeta() {
	meta := v.tx.Bucket(bucketMeta)
	if err := v.s.checkFormat(meta); err != nil {
		v.problem(ProblemMeta, "format", "%v", err)
	}
	seq, err := decodeBE64(meta.Get(metaSeq), "sequence counter")
	if err != nil {
		v.problem(ProblemMeta, "seq", "%v", err)
	} else if seq != uint64(v.res.Versions) {
		v.problem(ProblemMeta, "seq", "counter is %d but the log holds %d versions", seq, v.res.Versions)
	}
	if raw := meta.Get(metaTime); raw != nil {
		if _, n := binary.Varint(raw); n != len(raw) {
			v.problem(ProblemMeta, "time", "bad varint")
		}
	}
	if ps, err := readPieceSize(meta); err != nil {
		v.problem(ProblemMeta, "piecesize", "%v", err)
	} else if ps != v.s.pieceSize {
		v.problem(ProblemMeta, "piecesize", "%d, but the store was opened with %d", ps, v.s.pieceSize)
	}
}

func (v *verifier) checkDicts() {
	b := v.tx.Bucket(bucketDicts)
	type use struct {
		col string
		id  uint32
	}
	var uses []use
	_ = b.ForEach(func(k, val []byte) error {
		switch {
		case len(k) == 5 && k[0] == dictByID:
			id := binary.BigEndian.Uint32(k[1:])
			v.dicts[id] = true
			if info, err := zstd.InspectDictionary(val); err != nil {
				v.problem(ProblemDicts, fmt.Sprint(id), "%v", err)
			} else if info.ID() != id {
				v.problem(ProblemDicts, fmt.Sprint(id), "dictionary carries id %d", info.ID())
			}
		case len(k) > 1 && k[0] == dictOfCollection && len(val) == 4:
			uses = append(uses, use{string(k[1:]), binary.BigEndian.Uint32(val)})
		default:
			v.problem(ProblemDicts, fmt.Sprintf("%q", k), "unexpected entry of %d bytes", len(val))
		}
		return nil
	})
	for _, u := range uses {
		if !v.dicts[u.id] {
			v.problem(ProblemDicts, u.col, "collection uses dictionary %d, which is missing", u.id)
		}
	}
}

func (v *verifier) counter(col string) *counters {
	c := v.want[col]
	if c == nil {
		c = &counters{}
		v.want[col] = c
	}
	return c
}

func (v *verifier) checkStats() {
	for key, last := range v.last {
		if last.Op != OpDelete {
			c := v.counter(Collection(key))
			c.docs++
			c.rawBytes += last.Size
		}
	}
	stats := v.tx.Bucket(bucketStats)
	_ = stats.ForEach(func(k, val []byte) error {
		if v.want[string(k)] == nil {
			v.problem(ProblemStats, string(k), "counters for a collection without versions or blobs")
		}
		return nil
	})
	for col, want := range v.want {
		raw := stats.Get([]byte(col))
		if raw == nil {
			v.problem(ProblemStats, col, "no counters")
			continue
		}
		got, err := decodeCounters(raw)
		if err != nil {
			v.problem(ProblemStats, col, "%v", err)
		} else if got != *want {
			v.problem(ProblemStats, col, "counters %+v, recomputed %+v", got, *want)
		}
	}
}

func (v *verifier) checkFiles() {
	_ = v.tx.Bucket(bucketFiles).ForEach(func(k, val []byte) error {
		v.res.Files++
		if err := ValidateKey(string(k)); err != nil {
			v.problem(ProblemFiles, fmt.Sprintf("%q", k), "%v", err)
		}
		if _, err := decodeFileState(val); err != nil {
			v.problem(ProblemFiles, string(k), "%v", err)
		}
		return nil
	})
}

func (v *verifier) checkSources() {
	_ = v.tx.Bucket(bucketSources).ForEach(func(k, val []byte) error {
		if err := ValidateCollection(string(k)); err != nil {
			v.problem(ProblemSources, fmt.Sprintf("%q", k), "%v", err)
		}
		if _, err := v.s.decodeSource(string(k), val); err != nil {
			v.problem(ProblemSources, string(k), "%v", err)
		}
		return nil
	})
}

// checkBlobs decompresses and hashes every blob, matches blobs to the
// versions that reference them, checks that the pack is exactly the blobs
// located in it, and adds the blobs to the recomputed counters.
func (v *verifier) checkBlobs() {
	seen := map[Hash]bool{}
	var locs []blobLoc
	_ = v.tx.Bucket(bucketBlobs).ForEach(func(k, raw []byte) error {
		if len(k) != len(Hash{}) {
			v.problem(ProblemBlob, fmt.Sprintf("%x", k), "key of %d bytes, want a 32-byte SHA-256", len(k))
			return nil
		}
		h := Hash(k)
		seen[h] = true
		if loc, err := decodeBlobLoc(raw); err == nil {
			locs = append(locs, loc)
		}
		rec, err := v.s.blobRecord(v.tx, h)
		if err == nil {
			err = v.checkBlob(h, rec)
		}
		if err != nil {
			v.problem(ProblemBlob, fmt.Sprintf("%x", k), "%v", err)
		}
		return nil
	})
	for h, ref := range v.refs {
		if !seen[h] {
			v.problem(ProblemBlob, fmt.Sprintf("%x", h[:]), "missing, referenced by %q seq %d", ref.key, ref.seq)
		}
	}
	v.checkPack(locs)
}

// checkBlob checks one blob record and counts it for its collection.
func (v *verifier) checkBlob(h Hash, rec []byte) error {
	ref, referenced := v.refs[h]
	hdr, err := parseBlobHeader(rec)
	if err != nil {
		return err
	}
	if referenced {
		// Count it as the writer did, even when damaged, so damage is
		// reported once and not again as wrong counters.
		c := v.counter(Collection(ref.key))
		c.blobs++
		c.blobRawBytes += int64(hdr.rawLen)
		c.storedBytes += int64(len(rec))
	}
	if hdr.codec == codecZstdDict && !v.dicts[hdr.dictID] {
		return fmt.Errorf("packed with dictionary %d, which is missing", hdr.dictID)
	}
	data, err := v.s.codec.decode(rec)
	if err != nil {
		return err
	}
	if sha256.Sum256(data) != h {
		return fmt.Errorf("SHA-256 of the content does not match the key")
	}
	v.res.Blobs++
	v.res.BlobBytes += int64(len(data))
	switch {
	case !referenced:
		return fmt.Errorf("no version references it")
	case ref.size >= 0 && ref.size != int64(len(data)):
		return fmt.Errorf("%d bytes, but %q seq %d says %d", len(data), ref.key, ref.seq, ref.size)
	}
	return nil
}

// checkHeads compares every head with the key's latest version in the log.
func (v *verifier) checkHeads() {
	heads := 0
	_ = v.tx.Bucket(bucketHeads).ForEach(func(k, val []byte) error {
		heads++
		last, ok := v.last[string(k)]
		h, err := decodeHead(val)
		switch {
		case err != nil:
			v.problem(ProblemHeads, string(k), "%v", err)
		case !ok:
			v.problem(ProblemHeads, string(k), "head of a key that has no version in the log")
		case h.seq != last.Seq || h.op != last.Op:
			v.problem(ProblemHeads, string(k), "head is seq %d (%s), the latest version is seq %d (%s)", h.seq, h.op, last.Seq, last.Op)
		}
		return nil
	})
	if heads != len(v.last) {
		v.problem(ProblemHeads, "", "%d heads for %d keys in the log", heads, len(v.last))
	}
}
