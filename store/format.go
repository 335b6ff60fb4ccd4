package store

// On-disk layout of a kotadb store (format version 2; what changed from
// format 1 is marked "format 2").
//
// The store is ONE bbolt file. bbolt provides pages, B+trees, copy-on-write
// transactions and the file lock; everything below is what kotadb keeps in
// it. All integers called BE64/BE32 are big-endian fixed width (so byte order
// is numeric order); uvarint/varint are encoding/binary varints.
//
// Top-level buckets:
//
//	meta      "format"    -> uvarint FormatVersion, written on creation; a
//	                         format-1 file becomes format 2 with the first
//	                         commit of a version record using format 2's
//	                         flags (4, 8, 16), which format 1 readers reject
//	          "seq"       -> BE64 last sequence number handed out (0 = none)
//	          "time"      -> varint unix ns of the last commit; commit times
//	                         never decrease, so GetAt can stop at the first match
//	          "dictseq"   -> BE32 last dictionary id handed out
//	          "piecesize" -> uvarint size of a pack piece, fixed at creation
//	log       BE64 seq -> version record (below); the change log, append-only
//	heads     key -> uvarint seq | byte op of the key's latest version,
//	          including a delete (a deleted key keeps its head so Prev links
//	          continue); the op lets Scan skip deleted keys without the log.
//	          A key's history is the chain of Prev links from its head, one
//	          log read per version: there is no per-key version index (a
//	          "key 0x00 seq" bucket cost 4% of the file on the test vault,
//	          against reads that follow a chain of a few versions)
//	blobs     SHA-256 of the uncompressed bytes (32) -> blob location:
//	          uvarint offset | uvarint length in the pack; contents and
//	          metadata values are stored once per hash and never removed.
//	          Format 2 stores no metadata blob for files and JSON values:
//	          their document derives from the content (see the flags)
//	pack      BE64 piece index -> piece of the pack, the stream of all blob
//	          records (below) back to back, cut into pieces of "piecesize"
//	          bytes; only the last piece is shorter (see pack.go for why)
//	files     key -> file state record (below)
//	sources   collection name -> Source as JSON
//	dicts     'd' BE32 id -> zstd dictionary (zstd dictionary format); kept
//	          forever because blobs name the dictionary they were packed with
//	          'c' collection -> BE32 id of the dictionary new blobs of that
//	          collection are compressed with
//	stats     collection -> counters record (below), updated in the same
//	          transaction as the versions and blobs they count
//
// Version record (log values):
//
//	uvarint seq | varint time (unix ns, UTC) | byte op |
//	uvarint len + key | uvarint len + from |
//	byte flags (1 = content hash follows, 2 = meta hash follows,
//	  format 2: 4 = a file, its modification time follows; 8 = a JSON
//	  value; 16 = with 4, the file's birth time follows) |
//	[32 content hash] | [32 meta hash] |
//	[file time: modification] | [file time: birth] |
//	uvarint size | uvarint len + author | uvarint prev seq
//
// A version has either a meta hash or one of the flags 4 and 8, not both:
// its document is stored, or derived from the content (4: parse the file's
// bytes with its times; 8: a JSON value), which on small notes halves what
// a version costs. Both times of a file carry the modification time's UTC
// offset, as the parser saw them.
//
// File time (format 2): varint unix seconds | uvarint nanoseconds (< 1e9) |
// varint UTC offset in seconds (modification time only; the birth time
// shares it).
//
// Blob record:
//
//	byte codec: 0 raw, 1 zstd, 2 zstd with a dictionary |
//	codec 2: uvarint dictionary id |
//	codec 1, 2: uvarint uncompressed length |
//	payload (raw bytes or one zstd frame without checksum: the SHA-256 key
//	already covers the content)
//
// File state record: uvarint size | varint mtime (unix ns) | 32 content hash.
//
// Counters record: seven uvarints: docs, versions, deletes, blobs, raw
// bytes, blob raw bytes, stored bytes (see CollectionStats).

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"
)

// FormatVersion is the on-disk format this build writes and the newest it
// reads. Opening a file with a larger number fails with errs.ErrFormatVersion.
const FormatVersion = 2

// formatDocInfo is the first format whose version records may carry a
// DocInfo (flags 4, 8 and 16).
const formatDocInfo = 2

// Bucket names and meta keys; see the layout above.
var (
	bucketMeta    = []byte("meta")
	bucketLog     = []byte("log")
	bucketHeads   = []byte("heads")
	bucketBlobs   = []byte("blobs")
	bucketPack    = []byte("pack")
	bucketFiles   = []byte("files")
	bucketSources = []byte("sources")
	bucketDicts   = []byte("dicts")
	bucketStats   = []byte("stats")

	allBuckets = [][]byte{bucketMeta, bucketLog, bucketHeads,
		bucketBlobs, bucketPack, bucketFiles, bucketSources, bucketDicts, bucketStats}

	metaFormat    = []byte("format")
	metaSeq       = []byte("seq")
	metaTime      = []byte("time")
	metaDictSeq   = []byte("dictseq")
	metaPieceSize = []byte("piecesize")
)

const (
	flagHash  = 1 << iota
	flagMeta  // a metadata blob's hash follows
	flagFile  // DocFile: the modification time follows (format 2)
	flagJSON  // DocJSON (format 2)
	flagBirth // with flagFile: the birth time follows (format 2)

	flagsKnown = flagHash | flagMeta | flagFile | flagJSON | flagBirth
)

// Blob codecs (first byte of a blob record).
const (
	codecRaw      = 0
	codecZstd     = 1
	codecZstdDict = 2
)

// Prefixes of the two key spaces of the dicts bucket.
const (
	dictByID         = 'd'
	dictOfCollection = 'c'
)

func be64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// appendVersion appends the version record of v to b.
func appendVersion(b []byte, v *Version) []byte {
	b = binary.AppendUvarint(b, v.Seq)
	b = binary.AppendVarint(b, v.Time.UnixNano())
	b = append(b, byte(v.Op))
	b = appendString(b, v.Key)
	b = appendString(b, v.From)
	var flags byte
	if v.Hash != (Hash{}) {
		flags |= flagHash
	}
	if v.Meta != (Hash{}) {
		flags |= flagMeta
	}
	switch v.Doc.Kind {
	case DocFile:
		flags |= flagFile
		if !v.Doc.Birth.IsZero() {
			flags |= flagBirth
		}
	case DocJSON:
		flags |= flagJSON
	}
	b = append(b, flags)
	if flags&flagHash != 0 {
		b = append(b, v.Hash[:]...)
	}
	if flags&flagMeta != 0 {
		b = append(b, v.Meta[:]...)
	}
	if flags&flagFile != 0 {
		_, offset := v.Doc.ModTime.Zone()
		b = appendFileTime(b, v.Doc.ModTime)
		b = binary.AppendVarint(b, int64(offset))
	}
	if flags&flagBirth != 0 {
		b = appendFileTime(b, v.Doc.Birth)
	}
	b = binary.AppendUvarint(b, uint64(v.Size))
	b = appendString(b, v.Author)
	return binary.AppendUvarint(b, v.Prev)
}

func appendFileTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// zoneOf returns the location of a time with UTC offset seconds: UTC for 0
// (so a round trip is stable), else an unnamed fixed zone (a document's JSON
// shows only the offset).
func zoneOf(offset int64) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	return time.FixedZone("", int(offset))
}

// normalDocInfo returns d as a version record stores and returns it: times
// in UTC or a fixed zone of their offset, nothing but the kind otherwise.
func normalDocInfo(d DocInfo) DocInfo {
	if d.Kind != DocFile {
		return DocInfo{Kind: d.Kind}
	}
	_, offset := d.ModTime.Zone()
	zone := zoneOf(int64(offset))
	out := DocInfo{Kind: DocFile, ModTime: time.Unix(d.ModTime.Unix(), int64(d.ModTime.Nanosecond())).In(zone)}
	if !d.Birth.IsZero() {
		out.Birth = time.Unix(d.Birth.Unix(), int64(d.Birth.Nanosecond())).In(zone)
	}
	return out
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads a record field by field; the first failure sticks and names
// the field and byte offset, so callers check err once at the end.
type decoder struct {
	buf []byte
	off int
	err error
}

func (d *decoder) fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s at byte %d: %s", field, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	n, w := binary.Uvarint(d.buf[d.off:])
	if w <= 0 {
		d.fail(field, "bad uvarint")
		return 0
	}
	d.off += w
	return n
}

func (d *decoder) varint(field string) int64 {
	if d.err != nil {
		return 0
	}
	n, w := binary.Varint(d.buf[d.off:])
	if w <= 0 {
		d.fail(field, "bad varint")
		return 0
	}
	d.off += w
	return n
}

func (d *decoder) bytes(field string, n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.buf)-d.off) {
		d.fail(field, "needs %d bytes, %d left", n, len(d.buf)-d.off)
		return nil
	}
	b := d.buf[d.off : d.off+int(n)]
	d.off += int(n)
	return b
}

func (d *decoder) byte1(field string) byte {
	b := d.bytes(field, 1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *decoder) str(field string) string {
	return string(d.bytes(field, d.uvarint(field+" length")))
}

func (d *decoder) hash(field string) (h Hash) {
	copy(h[:], d.bytes(field, 32))
	return h
}

func (d *decoder) size(field string) int64 {
	n := d.uvarint(field)
	if n > math.MaxInt64 {
		d.fail(field, "%d overflows int64", n)
	}
	return int64(n)
}

// fileTime reads a file time's seconds and nanoseconds.
func (d *decoder) fileTime(field string) (sec, nsec int64) {
	sec = d.varint(field)
	ns := d.uvarint(field + " nanoseconds")
	if d.err == nil && ns >= 1e9 {
		d.fail(field, "%d nanoseconds", ns)
	}
	return sec, int64(ns)
}

func (d *decoder) end() error {
	if d.err == nil && d.off != len(d.buf) {
		d.fail("end", "%d trailing bytes", len(d.buf)-d.off)
	}
	return d.err
}

// decodeVersion parses a version record. It never panics on bad input; the
// error says which field is bad and where.
func decodeVersion(b []byte) (Version, error) {
	d := decoder{buf: b}
	var v Version
	v.Seq = d.uvarint("seq")
	v.Time = time.Unix(0, d.varint("time")).UTC()
	v.Op = Op(d.byte1("op"))
	if d.err == nil && (v.Op < OpPut || v.Op > OpMove) {
		d.fail("op", "unknown op %d", v.Op)
	}
	v.Key = d.str("key")
	v.From = d.str("from")
	flags := d.byte1("flags")
	switch {
	case d.err != nil:
	case flags&^flagsKnown != 0:
		d.fail("flags", "unknown bits %#x", flags)
	case bits.OnesCount8(flags&(flagMeta|flagFile|flagJSON)) > 1:
		d.fail("flags", "%#x: more than one of meta hash, file and JSON", flags)
	case flags&flagBirth != 0 && flags&flagFile == 0:
		d.fail("flags", "%#x: a birth time without a file", flags)
	}
	if flags&flagHash != 0 {
		v.Hash = d.hash("hash")
	}
	if flags&flagMeta != 0 {
		v.Meta = d.hash("meta hash")
	}
	if flags&flagJSON != 0 {
		v.Doc.Kind = DocJSON
	}
	if flags&flagFile != 0 {
		v.Doc.Kind = DocFile
		sec, nsec := d.fileTime("modification time")
		zone := zoneOf(d.varint("UTC offset"))
		v.Doc.ModTime = time.Unix(sec, nsec).In(zone)
		if flags&flagBirth != 0 {
			sec, nsec := d.fileTime("birth time")
			v.Doc.Birth = time.Unix(sec, nsec).In(zone)
			if d.err == nil && v.Doc.Birth.IsZero() {
				d.fail("birth time", "zero, which is written as no birth time")
			}
		}
	}
	v.Size = d.size("size")
	v.Author = d.str("author")
	v.Prev = d.uvarint("prev")
	if err := d.end(); err != nil {
		return Version{}, fmt.Errorf("version record: %w", err)
	}
	return v, nil
}

// head is the value of the heads bucket.
type head struct {
	seq uint64
	op  Op
}

func appendHead(b []byte, h head) []byte {
	return append(binary.AppendUvarint(b, h.seq), byte(h.op))
}

func decodeHead(b []byte) (head, error) {
	d := decoder{buf: b}
	h := head{seq: d.uvarint("seq"), op: Op(d.byte1("op"))}
	if d.err == nil && (h.op < OpPut || h.op > OpMove || h.seq == 0) {
		d.fail("head", "seq %d op %d", h.seq, h.op)
	}
	if err := d.end(); err != nil {
		return head{}, fmt.Errorf("head record: %w", err)
	}
	return h, nil
}

// blobLoc is where a blob record lives: a byte range of the pack.
type blobLoc struct {
	off, len uint64
}

func appendBlobLoc(b []byte, l blobLoc) []byte {
	b = binary.AppendUvarint(b, l.off)
	return binary.AppendUvarint(b, l.len)
}

func sortLocs(locs []blobLoc) {
	slices.SortFunc(locs, func(a, b blobLoc) int { return cmp.Compare(a.off, b.off) })
}

func decodeBlobLoc(b []byte) (blobLoc, error) {
	d := decoder{buf: b}
	l := blobLoc{off: d.uvarint("offset"), len: d.uvarint("length")}
	if d.err == nil && (l.len == 0 || l.len > MaxValueSize+32 || l.off > 1<<62) {
		d.fail("location", "offset %d length %d", l.off, l.len)
	}
	if err := d.end(); err != nil {
		return blobLoc{}, fmt.Errorf("blob location: %w", err)
	}
	return l, nil
}

func appendFileState(b []byte, st FileState) []byte {
	b = binary.AppendUvarint(b, uint64(max(st.Size, 0)))
	b = binary.AppendVarint(b, st.ModTime)
	return append(b, st.Hash[:]...)
}

func decodeFileState(b []byte) (FileState, error) {
	d := decoder{buf: b}
	st := FileState{Size: d.size("size"), ModTime: d.varint("mtime"), Hash: d.hash("hash")}
	if err := d.end(); err != nil {
		return FileState{}, fmt.Errorf("file state record: %w", err)
	}
	return st, nil
}

// counters are the per-collection figures kept in the stats bucket.
type counters struct {
	docs, versions, deletes, blobs, rawBytes, blobRawBytes, storedBytes int64
}

func (c *counters) fields() []*int64 {
	return []*int64{&c.docs, &c.versions, &c.deletes, &c.blobs, &c.rawBytes, &c.blobRawBytes, &c.storedBytes}
}

func appendCounters(b []byte, c counters) []byte {
	for _, f := range c.fields() {
		b = binary.AppendUvarint(b, uint64(max(*f, 0)))
	}
	return b
}

func decodeCounters(b []byte) (counters, error) {
	d := decoder{buf: b}
	var c counters
	for _, f := range c.fields() {
		*f = d.size("counter")
	}
	if err := d.end(); err != nil {
		return counters{}, fmt.Errorf("counters record: %w", err)
	}
	return c, nil
}

func decodeBE64(b []byte, what string) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%s: %d bytes, want 8", what, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}
