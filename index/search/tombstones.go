package search

// Tombstone generation file format, version 1.
//
// A segment never changes, so the documents of a segment that stop being
// live (deleted or superseded) are recorded beside it, Lucene .del style:
// each flush that kills documents of a segment writes that segment's whole
// tombstone set as a new generation file "<segment id>-<generation>.del"
// and the manifest names the current generation. Layout:
//
//	magic    "KDEL" (4 bytes)
//	uint32   format version
//	uvarint  segment id
//	uvarint  length, then the dead doc ids as a serialized roaring bitmap
//	uvarint  count, then per dead doc in increasing order: uvarint the store
//	         seq at which it stopped being live
//	uint32   CRC-32C of everything before it
//
// The end seqs are what a later "as of" search will filter on: a doc is
// live at seq S when its start seq <= S and (it is not dead or its end seq
// > S).

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/internal/vfs"
)

const (
	tombstoneMagic   = "KDEL"
	tombstoneVersion = 1
)

// tombstones is a segment's persisted dead set with the end seqs.
type tombstones struct {
	docs *roaring.Bitmap
	ends []uint64 // in doc order
}

func encodeTombstones(segID uint64, dead *deadSet, ends map[uint32]uint64) ([]byte, error) {
	bm := roaring.New()
	dead.each(func(doc uint32) { bm.Add(doc) })
	bm.RunOptimize()
	var rb bytes.Buffer
	if _, err := bm.WriteTo(&rb); err != nil {
		return nil, err
	}
	out := []byte(tombstoneMagic)
	out = binary.LittleEndian.AppendUint32(out, tombstoneVersion)
	out = binary.AppendUvarint(out, segID)
	out = binary.AppendUvarint(out, uint64(rb.Len()))
	out = append(out, rb.Bytes()...)
	out = binary.AppendUvarint(out, uint64(dead.count))
	var missing error
	dead.each(func(doc uint32) {
		end, ok := ends[doc]
		if !ok && missing == nil {
			missing = fmt.Errorf("dead doc %d of segment %d has no end seq", doc, segID)
		}
		out = binary.AppendUvarint(out, end)
	})
	if missing != nil {
		return nil, missing
	}
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli)), nil
}

func decodeTombstones(path string, segID uint64, numDocs uint32, data []byte) (t *tombstones, err error) {
	corrupt := func(format string, args ...any) error {
		return errs.Corruptf(path, "tombstones", format, args...)
	}
	if len(data) < len(tombstoneMagic)+8 || string(data[:4]) != tombstoneMagic {
		return nil, corrupt("bad magic or truncated file (%d bytes)", len(data))
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.Checksum(body, castagnoli); got != sum {
		return nil, corrupt("checksum %08x, want %08x", got, sum)
	}
	if v := binary.LittleEndian.Uint32(body[4:]); v != tombstoneVersion {
		if v > tombstoneVersion {
			return nil, fmt.Errorf("tombstones %s have format version %d: %w", path, v, errs.ErrFormatVersion)
		}
		return nil, corrupt("unknown format version %d", v)
	}
	r := byteReader{b: body, off: 8}
	if id := r.uvarint(); id != segID || r.err {
		return nil, corrupt("written for segment %d, not %d", id, segID)
	}
	raw := r.bytes()
	if r.err {
		return nil, corrupt("truncated bitmap")
	}
	bm := roaring.New()
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = corrupt("malformed bitmap: %v", p)
			}
		}()
		if _, rerr := bm.ReadFrom(bytes.NewReader(raw)); rerr != nil {
			err = corrupt("malformed bitmap: %v", rerr)
		}
	}()
	if err != nil {
		return nil, err
	}
	n := r.uvarint()
	if r.err || n != bm.GetCardinality() {
		return nil, corrupt("%d end seqs for %d dead docs", n, bm.GetCardinality())
	}
	if !bm.IsEmpty() && bm.Maximum() >= numDocs {
		return nil, corrupt("dead doc %d beyond the segment's %d docs", bm.Maximum(), numDocs)
	}
	t = &tombstones{docs: bm, ends: make([]uint64, 0, n)}
	for range n {
		t.ends = append(t.ends, r.uvarint())
	}
	if r.err || r.off != len(body) {
		return nil, corrupt("malformed end seqs")
	}
	return t, nil
}

func readTombstones(fs vfs.FS, path string, segID uint64, numDocs uint32) (*tombstones, error) {
	f, err := fs.OpenReadOnly(path)
	if err != nil {
		return nil, fmt.Errorf("open tombstones: %w", err)
	}
	defer f.Close()
	data, release, err := vfs.ReadFile(f)
	if err != nil {
		return nil, fmt.Errorf("read tombstones %s: %w", path, err)
	}
	defer release()
	return decodeTombstones(path, segID, numDocs, data)
}

// writeFileSync writes data to a new file and syncs it.
func writeFileSync(fs vfs.FS, path string, data []byte) (err error) {
	f, err := fs.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Sync()
}
