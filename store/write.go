package store

import (
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/errs"
)

// Apply commits writes as ONE transaction: all of them or none. It returns
// the versions made, in order; a put that changes neither content nor
// metadata makes no version (but still stores its file state), and a move
// makes two (the delete of From, then the move version of Key). The values
// are hashed and compressed before the transaction, on all cores (see
// PrepareAll).
func (s *Store) Apply(author string, writes []Write) ([]Version, error) {
	if len(writes) == 0 {
		return nil, nil
	}
	prepared, err := s.PrepareAll(writes)
	if err != nil {
		return nil, err
	}
	return s.apply(author, prepared)
}

func (s *Store) apply(author string, writes []PreparedWrite) ([]Version, error) {
	if len(writes) == 0 {
		return nil, nil
	}
	var made []Version
	err := s.update("apply", func(tx *bolt.Tx) error {
		b, err := s.newBatch(tx, author)
		if err != nil {
			return err
		}
		for i := range writes {
			if err := b.apply(&writes[i]); err != nil {
				return fmt.Errorf("write %d of %d: %w", i+1, len(writes), err)
			}
		}
		made = b.made
		return b.finish()
	})
	if err != nil {
		return nil, err
	}
	if len(made) > 0 {
		s.lastSeq.Store(made[len(made)-1].Seq)
	}
	return made, nil
}

// Put stores value (and optional metadata) under key. When neither changes
// it makes no version and returns the current head.
func (s *Store) Put(key string, value, meta []byte, author string) (Version, error) {
	return s.put(Write{Op: OpPut, Key: key, Value: value, Meta: meta}, author)
}

// PutDoc stores value under key with the DocInfo its document derives
// from, like Put otherwise.
func (s *Store) PutDoc(key string, value []byte, doc DocInfo, author string) (Version, error) {
	return s.put(Write{Op: OpPut, Key: key, Value: value, Doc: doc}, author)
}

func (s *Store) put(w Write, author string) (Version, error) {
	key := w.Key
	made, err := s.Apply(author, []Write{w})
	if err != nil || len(made) > 0 {
		return firstOf(made), err
	}
	var head Version
	err = s.view("put", func(tx *bolt.Tx) error {
		var ok bool
		head, ok, err = s.head(tx, key)
		if err == nil && !ok {
			err = s.corrupt("heads/"+key, nil, "head vanished after an unchanged put")
		}
		return err
	})
	return head, err
}

// Delete removes key (a delete version). errs.ErrNotFound if it is not live.
func (s *Store) Delete(key, author string) (Version, error) {
	made, err := s.Apply(author, []Write{{Op: OpDelete, Key: key}})
	return firstOf(made), err
}

func firstOf(vs []Version) Version {
	if len(vs) == 0 {
		return Version{}
	}
	return vs[0]
}

func validateWrite(w Write) error {
	if err := ValidateKey(w.Key); err != nil {
		return err
	}
	if len(w.Value) > MaxValueSize || len(w.Meta) > MaxValueSize {
		return fmt.Errorf("%q: value of %d bytes, metadata of %d: limit %d: %w", w.Key, len(w.Value), len(w.Meta), MaxValueSize, errs.ErrTooLarge)
	}
	if w.Doc.Kind > DocJSON {
		return fmt.Errorf("%q: unknown document kind %d", w.Key, w.Doc.Kind)
	}
	if w.Doc.Kind != DocNone && (w.Meta != nil || (w.Op != OpPut && w.Op != OpMove)) {
		return fmt.Errorf("%q: a document kind is for a put or move without a metadata blob", w.Key)
	}
	if w.Doc.Kind != DocFile && !(w.Doc.ModTime.IsZero() && w.Doc.Birth.IsZero()) {
		return fmt.Errorf("%q: file times given for a version that is not a file", w.Key)
	}
	switch w.Op {
	case 0:
		if w.File == nil {
			return fmt.Errorf("%q: a write with Op 0 only updates the file state, but File is nil", w.Key)
		}
	case OpPut, OpDelete:
	case OpMove:
		if err := ValidateKey(w.From); err != nil {
			return fmt.Errorf("move source: %w", err)
		}
		if w.From == w.Key {
			return fmt.Errorf("move %q onto itself: %w", w.Key, errs.ErrInvalidKey)
		}
	default:
		return fmt.Errorf("%q: unknown op %d", w.Key, w.Op)
	}
	return nil
}

// batch is the state of one Apply transaction.
type batch struct {
	s        *Store
	tx       *bolt.Tx
	author   string
	seq      uint64
	time     int64 // unix ns shared by every version of the batch
	made     []Version
	counters map[string]*counters // touched collections, written back by finish
	newBlobs int64                // blobs stored by the batch

	log, heads, blobs, files, stats *bolt.Bucket
	pack                            packWriter
}

// Fill percents of the buckets. The append-only ones, and those keyed by
// document key (mostly written in key order: a scan walks a folder in
// order), pack their pages full. The blob index is keyed by hash, so every
// insert lands at a random place; for that bbolt's default splits best
// (about 0.6 full, measured, against 0.55 when packing full), except in
// a batch that makes most of the index (at least twice the blobs it had,
// see finish): a bulk load, whose fresh leaves are best packed full. That
// took a cold ingest of the test vault (one batch) from 0.70 to 0.67 of
// its bytes (the blob index was half empty), while loads in batches of 256
// stay as small as with the default.
const (
	fillFull   = 1.0
	fillHashed = 0.5
)

func (s *Store) newBatch(tx *bolt.Tx, author string) (*batch, error) {
	b := &batch{s: s, tx: tx, author: author, counters: map[string]*counters{},
		log: tx.Bucket(bucketLog), heads: tx.Bucket(bucketHeads),
		blobs: tx.Bucket(bucketBlobs), files: tx.Bucket(bucketFiles), stats: tx.Bucket(bucketStats),
		pack: packWriter{s: s, b: tx.Bucket(bucketPack), pieceSize: s.pieceSize}}
	for _, r := range []*bolt.Bucket{b.log, b.pack.b, b.heads, b.files, b.stats} {
		r.FillPercent = fillFull
	}
	b.blobs.FillPercent = fillHashed
	// bbolt grows the file by AllocSize beyond what a commit needs. A
	// fixed step is either slow for big files or most of a small one;
	// 1/32 of the file keeps the slack proportional.
	tx.DB().AllocSize = min(max(int(tx.Size()/32), minAllocSize), maxAllocSize)
	var err error
	if b.seq, err = s.readSeq(tx); err != nil {
		return nil, err
	}
	// Commit times never go backwards, even when the clock does, so that
	// "the version live at time t" is well defined along the log.
	b.time = s.now().UTC().UnixNano()
	if raw := tx.Bucket(bucketMeta).Get(metaTime); raw != nil {
		last, n := binary.Varint(raw)
		if n <= 0 {
			return nil, s.corrupt("meta/time", nil, "bad varint")
		}
		b.time = max(b.time, last)
	}
	return b, nil
}

func (b *batch) apply(p *PreparedWrite) error {
	w := &p.w
	switch w.Op {
	case 0:
		return b.putFile(w.Key, w.File)
	case OpPut:
		return b.put(p)
	case OpDelete:
		if _, err := b.delete(w.Key); err != nil {
			return err
		}
		return b.files.Delete([]byte(w.Key))
	case OpMove:
		return b.move(p)
	}
	return fmt.Errorf("%q: unknown op %d", w.Key, w.Op)
}

func (b *batch) put(p *PreparedWrite) error {
	w := &p.w
	head, exists, err := b.s.head(b.tx, w.Key)
	if err != nil {
		return err
	}
	live := exists && head.Op != OpDelete
	doc := normalDocInfo(w.Doc)
	if !live || head.Hash != p.hash || head.Meta != p.metaHash || !head.Doc.Equal(doc) {
		col := Collection(w.Key)
		if err := b.putBlob(col, p.hash, w.Value, p.valueRec); err != nil {
			return err
		}
		if err := b.putBlob(col, p.metaHash, w.Meta, p.metaRec); err != nil {
			return err
		}
		v := Version{Op: OpPut, Key: w.Key, Hash: p.hash, Size: int64(len(w.Value)), Meta: p.metaHash, Doc: doc}
		if err := b.addVersion(&v, head, exists); err != nil {
			return err
		}
	}
	return b.putFile(w.Key, w.File)
}

// delete makes a delete version of a live key and returns its last live
// version.
func (b *batch) delete(key string) (Version, error) {
	head, exists, err := b.s.head(b.tx, key)
	if err != nil {
		return Version{}, err
	}
	if !exists || head.Op == OpDelete {
		return Version{}, fmt.Errorf("delete %q: %w", key, errs.ErrNotFound)
	}
	v := Version{Op: OpDelete, Key: key}
	return head, b.addVersion(&v, head, true)
}

func (b *batch) move(p *PreparedWrite) error {
	w := &p.w
	src, err := b.delete(w.From)
	if err != nil {
		return fmt.Errorf("move %q to %q: %w", w.From, w.Key, err)
	}
	if err := b.files.Delete([]byte(w.From)); err != nil {
		return fmt.Errorf("move %q: drop file state: %w", w.From, err)
	}
	// Without a new value, metadata or document kind the moved version
	// keeps its source's; any of them replaces the metadata as a whole.
	v := Version{Op: OpMove, Key: w.Key, From: w.From, Hash: src.Hash, Size: src.Size, Meta: src.Meta, Doc: src.Doc}
	col := Collection(w.Key)
	if w.Value != nil {
		v.Hash, v.Size = p.hash, int64(len(w.Value))
		if err := b.putBlob(col, p.hash, w.Value, p.valueRec); err != nil {
			return err
		}
	}
	if w.Value != nil || w.Meta != nil || w.Doc.Kind != DocNone {
		v.Meta, v.Doc = p.metaHash, normalDocInfo(w.Doc)
		if err := b.putBlob(col, p.metaHash, w.Meta, p.metaRec); err != nil {
			return err
		}
	}
	head, exists, err := b.s.head(b.tx, w.Key)
	if err != nil {
		return err
	}
	if err := b.addVersion(&v, head, exists); err != nil {
		return err
	}
	return b.putFile(w.Key, w.File)
}

// addVersion numbers v, links it to the key's previous version and writes it
// to the log and the key's head, counting it.
func (b *batch) addVersion(v *Version, prev Version, hasPrev bool) error {
	b.seq++
	v.Seq, v.Author = b.seq, b.author
	v.Time = unixTime(b.time)
	if hasPrev {
		v.Prev = prev.Seq
	}
	rec := appendVersion(nil, v)
	if err := b.log.Put(be64(v.Seq), rec); err != nil {
		return fmt.Errorf("log version %d: %w", v.Seq, err)
	}
	if err := b.heads.Put([]byte(v.Key), appendHead(nil, head{v.Seq, v.Op})); err != nil {
		return fmt.Errorf("head of %q: %w", v.Key, err)
	}
	c, err := b.counter(Collection(v.Key))
	if err != nil {
		return err
	}
	c.versions++
	wasLive := hasPrev && prev.Op != OpDelete
	if wasLive {
		c.docs--
		c.rawBytes -= prev.Size
	}
	if v.Op == OpDelete {
		c.deletes++
	} else {
		c.docs++
		c.rawBytes += v.Size
	}
	b.made = append(b.made, *v)
	return nil
}

// putBlob stores data under its hash unless present; the zero hash means
// "no data" (no metadata) and stores nothing. rec is the blob record
// Prepare packed; when it is nil (Prepare found the blob stored, so this
// cannot happen short of a bug) the record is packed here.
func (b *batch) putBlob(col string, h Hash, data, rec []byte) error {
	if h == (Hash{}) || b.blobs.Get(h[:]) != nil {
		return nil
	}
	if rec == nil {
		var err error
		if rec, err = b.s.codec.encode(data, b.s.dictFor(col)); err != nil {
			return fmt.Errorf("compress blob %x: %w", h[:8], err)
		}
	}
	loc, err := b.pack.append(rec)
	if err != nil {
		return err
	}
	if err := b.blobs.Put(append([]byte(nil), h[:]...), appendBlobLoc(nil, loc)); err != nil {
		return fmt.Errorf("store blob %x: %w", h[:8], err)
	}
	c, err := b.counter(col)
	if err != nil {
		return err
	}
	c.blobs++
	b.newBlobs++
	c.blobRawBytes += int64(len(data))
	c.storedBytes += int64(len(rec))
	return nil
}

func (b *batch) putFile(key string, st *FileState) error {
	if st == nil {
		return nil
	}
	if err := b.files.Put([]byte(key), appendFileState(nil, *st)); err != nil {
		return fmt.Errorf("file state of %q: %w", key, err)
	}
	return nil
}

func (b *batch) counter(col string) (*counters, error) {
	if c := b.counters[col]; c != nil {
		return c, nil
	}
	var c counters
	if raw := b.stats.Get([]byte(col)); raw != nil {
		var err error
		if c, err = decodeCounters(raw); err != nil {
			return nil, b.s.corrupt("stats/"+col, err, "")
		}
	}
	b.counters[col] = &c
	return &c, nil
}

// finish writes the open pack piece, the sequence counter, commit time and
// touched counters.
func (b *batch) finish() error {
	if err := b.pack.flush(); err != nil {
		return err
	}
	meta := b.tx.Bucket(bucketMeta)
	if err := meta.Put(metaSeq, be64(b.seq)); err != nil {
		return fmt.Errorf("write sequence counter: %w", err)
	}
	if len(b.made) > 0 {
		if err := meta.Put(metaTime, binary.AppendVarint(nil, b.time)); err != nil {
			return fmt.Errorf("write commit time: %w", err)
		}
	}
	if err := b.upgradeFormat(meta); err != nil {
		return err
	}
	if b.newBlobs >= 2*b.storedBlobs() {
		b.blobs.FillPercent = fillFull // read when the transaction commits
	}
	for col, c := range b.counters {
		if err := b.stats.Put([]byte(col), appendCounters(nil, *c)); err != nil {
			return fmt.Errorf("write counters of %q: %w", col, err)
		}
	}
	return nil
}

// storedBlobs returns how many blobs the store held before the batch,
// from the counters (one small record per collection). Only the blob
// index's page layout depends on it: a damaged record counts as none.
func (b *batch) storedBlobs() int64 {
	var n int64
	_ = b.stats.ForEach(func(_, v []byte) error {
		if c, err := decodeCounters(v); err == nil {
			n += c.blobs
		}
		return nil
	})
	return n
}

// upgradeFormat marks a format-1 file as format 2 when the batch wrote a
// version record only format 2 reads (one with a DocInfo), so that an
// older build refuses the file (errs.ErrFormatVersion) instead of calling
// the record damaged.
func (b *batch) upgradeFormat(meta *bolt.Bucket) error {
	if !slices.ContainsFunc(b.made, func(v Version) bool { return v.Doc.Kind != DocNone }) {
		return nil
	}
	d := decoder{buf: meta.Get(metaFormat)}
	if v := d.uvarint("format"); d.end() != nil || v >= formatDocInfo {
		return nil // checked at Open; a damaged value is not made worse
	}
	if err := meta.Put(metaFormat, binary.AppendUvarint(nil, formatDocInfo)); err != nil {
		return fmt.Errorf("write format version: %w", err)
	}
	return nil
}
