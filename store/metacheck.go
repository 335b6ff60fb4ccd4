package store

// preflight checks an existing file's bbolt meta pages and freelist page
// before bbolt maps it. bbolt reads pages it trusts through its mmap; on a
// truncated file that is a memory fault inside bolt.Open, and although the
// fault is recovered, the mapping it leaves behind keeps the file (and so
// its flock) open until the process exits. Checking first turns the common
// damage (truncation, torn or overwritten meta pages) into a plain error.
//
// bbolt meta page (go.etcd.io/bbolt/internal/common/meta.go), after the
// 16-byte page header, native byte order:
//
//	magic u32 | version u32 | pageSize u32 | flags u32 | root pgid u64 |
//	root sequence u64 | freelist pgid u64 | pgid (high water mark) u64 |
//	txid u64 | checksum u64 (FNV-1a 64 of the 56 bytes before it)
//
// bbolt uses the valid meta with the larger txid. A freelist page holds
// count page ids (u64); a count of 0xFFFF means the real count is the first
// u64 and the ids follow it.

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	boltNoFreelist     = 1<<64 - 1
	pageFreelist       = 0x10
	metaSize           = 64
	defaultMetaPageLen = 4096
)

type boltMeta struct {
	pageSize             uint32
	root, freelist, pgid uint64
	txid                 uint64
}

// readBoltMeta reads and validates the meta page at off.
func readBoltMeta(r io.ReaderAt, off int64) (boltMeta, error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	if _, err := r.ReadAt(buf, off); err != nil {
		return boltMeta{}, fmt.Errorf("read meta page at %d: %w", off, err)
	}
	return parseBoltMeta(buf, off)
}

// parseBoltMeta validates the start of the meta page at off, buf.
func parseBoltMeta(buf []byte, off int64) (boltMeta, error) {
	m := buf[pageHeaderSize : pageHeaderSize+metaSize]
	h := fnv.New64a()
	h.Write(m[:56])
	switch {
	case native.Uint32(m) != boltMagic:
		return boltMeta{}, fmt.Errorf("meta page at %d: not a bbolt meta page (magic %#x)", off, native.Uint32(m))
	case native.Uint32(m[4:]) != boltVersion:
		return boltMeta{}, fmt.Errorf("meta page at %d: bbolt format version %d, want %d", off, native.Uint32(m[4:]), boltVersion)
	case native.Uint64(m[56:]) != h.Sum64():
		return boltMeta{}, fmt.Errorf("meta page at %d: checksum mismatch", off)
	}
	return boltMeta{pageSize: native.Uint32(m[8:]), root: native.Uint64(m[16:]),
		freelist: native.Uint64(m[32:]), pgid: native.Uint64(m[40:]), txid: native.Uint64(m[48:])}, nil
}

// preflight validates the open database file f; an empty file (a new
// store) passes.
func (s *Store) preflight(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store %s: %w", s.path, err)
	}
	if fi.Size() == 0 {
		return nil
	}
	// One read holds both meta pages when the pages have the usual size:
	// a system call costs more than the 4 KB it reads between them.
	head := make([]byte, defaultMetaPageLen+pageHeaderSize+metaSize)
	n, _ := f.ReadAt(head, 0) // what it could not read is read again below
	metaAt := func(off int64) (boltMeta, error) {
		if end := off + pageHeaderSize + metaSize; end <= int64(n) {
			return parseBoltMeta(head[off:end], off)
		}
		return readBoltMeta(f, off)
	}
	m0, err0 := metaAt(0)
	off1 := int64(defaultMetaPageLen)
	if err0 == nil {
		off1 = int64(m0.pageSize)
	}
	m1, err1 := metaAt(off1)
	var m boltMeta
	switch {
	case err0 == nil && (err1 != nil || m0.txid >= m1.txid):
		m = m0
	case err1 == nil:
		m = m1
	default:
		return s.corrupt("bbolt meta pages", nil, "neither meta page is valid: %v; %v", err0, err1)
	}
	ps := uint64(m.pageSize)
	switch {
	case ps < 512 || ps > 1<<20 || ps&(ps-1) != 0:
		return s.corrupt("bbolt meta page", nil, "page size %d", ps)
	case m.pgid < 3 || m.pgid > 1<<62/ps:
		return s.corrupt("bbolt meta page", nil, "high water mark %d", m.pgid)
	case uint64(fi.Size()) < m.pgid*ps:
		return s.corrupt("file", nil, "file is %d bytes but its pages need %d: truncated", fi.Size(), m.pgid*ps)
	case m.root < 2 || m.root >= m.pgid:
		return s.corrupt("bbolt meta page", nil, "root page %d outside [2, %d)", m.root, m.pgid)
	}
	if m.freelist == boltNoFreelist {
		return nil
	}
	if m.freelist < 2 || m.freelist >= m.pgid {
		return s.corrupt("bbolt meta page", nil, "freelist page %d outside [2, %d)", m.freelist, m.pgid)
	}
	return s.checkFreelist(f, m)
}

// checkFreelist checks that the freelist page's ids lie inside the page and
// name pages below the high water mark: bbolt reuses them for writes, and a
// wild id would make it write far outside the file.
func (s *Store) checkFreelist(f *os.File, m boltMeta) error {
	ps := uint64(m.pageSize)
	// The first page in one read: it holds the ids of most freelists.
	var page [defaultMetaPageLen]byte
	hdr := page[:min(ps, defaultMetaPageLen)]
	n, err := f.ReadAt(hdr, int64(m.freelist*ps))
	if n < pageHeaderSize+8 {
		return s.corrupt("bbolt freelist", err, "unreadable")
	}
	hdr = hdr[:n]
	flags, count, overflow := native.Uint16(hdr[8:]), uint64(native.Uint16(hdr[10:])), uint64(native.Uint32(hdr[12:]))
	if flags != pageFreelist {
		return s.corrupt("bbolt freelist", nil, "page %d has type %#x", m.freelist, flags)
	}
	if m.freelist+overflow >= m.pgid {
		return s.corrupt("bbolt freelist", nil, "%d overflow pages run past the last page", overflow)
	}
	skip := uint64(0)
	if count == 0xFFFF {
		count, skip = native.Uint64(hdr[pageHeaderSize:]), 1
	}
	if count > m.pgid || (count+skip)*8 > (1+overflow)*ps-pageHeaderSize {
		return s.corrupt("bbolt freelist", nil, "%d free page ids do not fit its %d pages", count, 1+overflow)
	}
	ids := hdr[min(pageHeaderSize+skip*8, uint64(n)):]
	if uint64(len(ids)) < count*8 {
		ids = make([]byte, count*8)
		if _, err := f.ReadAt(ids, int64(m.freelist*ps+pageHeaderSize+skip*8)); err != nil {
			return s.corrupt("bbolt freelist", err, "unreadable")
		}
	}
	for i := uint64(0); i < count; i++ {
		if id := native.Uint64(ids[i*8:]); id < 2 || id >= m.pgid {
			return s.corrupt("bbolt freelist", nil, "free page id %d outside [2, %d)", id, m.pgid)
		}
	}
	return nil
}
