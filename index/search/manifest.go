package search

// Manifest file format, version 1.
//
// The manifest ("MANIFEST" in the index directory) is the root of the
// index: the live segments, each with its current tombstone generation, and
// the highest store seq whose changes they hold. It is replaced atomically:
// written to "MANIFEST.tmp", synced, renamed over "MANIFEST", and the
// directory synced. Files the manifest does not name are leftovers of a
// crash; they are removed before the first file a session writes (a flush
// or a merge) or at Close, so a read-only session never lists the folder.
// Layout:
//
//	magic    "KMAN" (4 bytes)
//	uint32   format version
//	uvarint  seq: every change with a store seq <= seq is in the segments
//	uvarint  next file number
//	uvarint  segment count, then per segment, oldest first:
//	           uvarint id, uvarint tombstone generation (0: none),
//	           uvarint docs, uvarint min seq, uvarint max seq
//	uint32   CRC-32C of everything before it

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"path"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/internal/vfs"
)

const (
	manifestName    = "MANIFEST"
	manifestTmp     = "MANIFEST.tmp"
	manifestMagic   = "KMAN"
	manifestVersion = 1
)

type manifest struct {
	seq      uint64
	nextFile uint64
	segments []manifestSegment
}

type manifestSegment struct {
	id      uint64
	delGen  uint64
	numDocs uint32
	minSeq  uint64
	maxSeq  uint64
}

func segmentFile(id uint64) string { return fmt.Sprintf("%06d.seg", id) }

func tombstoneFile(id, gen uint64) string { return fmt.Sprintf("%06d-%d.del", id, gen) }

func (m *manifest) encode() []byte {
	out := []byte(manifestMagic)
	out = binary.LittleEndian.AppendUint32(out, manifestVersion)
	out = binary.AppendUvarint(out, m.seq)
	out = binary.AppendUvarint(out, m.nextFile)
	out = binary.AppendUvarint(out, uint64(len(m.segments)))
	for _, s := range m.segments {
		out = binary.AppendUvarint(out, s.id)
		out = binary.AppendUvarint(out, s.delGen)
		out = binary.AppendUvarint(out, uint64(s.numDocs))
		out = binary.AppendUvarint(out, s.minSeq)
		out = binary.AppendUvarint(out, s.maxSeq)
	}
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
}

func decodeManifest(p string, data []byte) (*manifest, error) {
	corrupt := func(format string, args ...any) error { return errs.Corruptf(p, "manifest", format, args...) }
	if len(data) < 12 || string(data[:4]) != manifestMagic {
		return nil, corrupt("bad magic or truncated file (%d bytes)", len(data))
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.Checksum(body, castagnoli); got != sum {
		return nil, corrupt("checksum %08x, want %08x", got, sum)
	}
	if v := binary.LittleEndian.Uint32(body[4:]); v != manifestVersion {
		if v > manifestVersion {
			return nil, fmt.Errorf("manifest %s has format version %d: %w", p, v, errs.ErrFormatVersion)
		}
		return nil, corrupt("unknown format version %d", v)
	}
	r := byteReader{b: body, off: 8}
	m := &manifest{seq: r.uvarint(), nextFile: r.uvarint()}
	n := r.uvarint()
	if n > uint64(len(body)) {
		return nil, corrupt("%d segments in %d bytes", n, len(body))
	}
	for range n {
		s := manifestSegment{id: r.uvarint(), delGen: r.uvarint()}
		docs := r.uvarint()
		s.minSeq, s.maxSeq = r.uvarint(), r.uvarint()
		if docs >= noDoc || s.id >= m.nextFile {
			return nil, corrupt("segment %d with %d docs (next file %d)", s.id, docs, m.nextFile)
		}
		s.numDocs = uint32(docs)
		m.segments = append(m.segments, s)
	}
	if r.err || r.off != len(body) {
		return nil, corrupt("malformed segment list")
	}
	return m, nil
}

// readManifest returns the manifest, or an empty one when there is none.
func readManifest(fsys vfs.FS, dir string) (*manifest, error) {
	p := path.Join(dir, manifestName)
	f, err := fsys.OpenReadOnly(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &manifest{nextFile: 1}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open manifest: %w", err)
	}
	defer f.Close()
	// Read, not mapped as vfs.ReadFile would: the file is a few dozen
	// bytes, and mapping and unmapping it cost more than the read.
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", p, err)
	}
	data := make([]byte, st.Size())
	if n, err := f.ReadAt(data, 0); err != nil && !(errors.Is(err, io.EOF) && n == len(data)) {
		return nil, fmt.Errorf("read manifest %s: %w", p, err)
	}
	return decodeManifest(p, data)
}

// writeManifest replaces the manifest atomically and durably.
func writeManifest(fsys vfs.FS, dir string, m *manifest) error {
	tmp := path.Join(dir, manifestTmp)
	if err := writeFileSync(fsys, tmp, m.encode()); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := fsys.Rename(tmp, path.Join(dir, manifestName)); err != nil {
		return fmt.Errorf("install manifest: %w", err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("sync index directory: %w", err)
	}
	return nil
}
