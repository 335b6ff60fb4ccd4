package store

// bbolt trusts its file: a damaged branch page that points at one of its
// ancestors sends its cursors into endless recursion (a fatal stack
// overflow, which no recover catches), and tx.Check runs in a goroutine of
// its own where a memory fault cannot be turned into an error. So before
// bbolt walks a tree, pageWalker walks it from the file with read(2),
// checking every page id, type, overflow count and element bound, and that
// no page is reached twice.
//
// bbolt page layout (go.etcd.io/bbolt/internal/common, native byte order):
//
//	header    id u64 | flags u16 | count u16 | overflow u32      (16 bytes)
//	branch    count × (pos u32 | ksize u32 | child pgid u64)     (16 bytes each)
//	leaf      count × (flags u32 | pos u32 | ksize u32 | vsize u32)
//	          pos is relative to the element; the value follows the key.
//	A leaf element with flag 1 is a bucket: its value is root pgid u64 |
//	sequence u64, followed by an inline page when the root is 0.

import (
	"encoding/binary"
	"fmt"
	"io"
)

const (
	pageHeaderSize  = 16
	pageElementSize = 16
	pageBranch      = 0x01
	pageLeaf        = 0x02
	leafIsBucket    = 0x01
	maxTreeDepth    = 64 // far beyond any real tree: 2^64 pages would not fit
)

var native = binary.NativeEndian

// pageWalker checks the page trees of a bbolt file without bbolt.
type pageWalker struct {
	r        io.ReaderAt
	pageSize uint64
	hwm      uint64 // pages in use: every reachable id must be below
	// full reads every leaf and checks its elements; otherwise only the
	// leaves of the root bucket (which hold the bucket entries) are read
	// whole, and other leaves only by their header.
	full bool
	// only, when set, names the buckets of the root bucket whose trees are
	// walked; the others are skipped.
	only   map[string]bool
	seen   map[uint64]bool
	report func(where, detail string)
}

func newPageWalker(r io.ReaderAt, pageSize int, hwm uint64, full bool, report func(where, detail string)) *pageWalker {
	return &pageWalker{r: r, pageSize: uint64(pageSize), hwm: hwm, full: full, seen: map[uint64]bool{}, report: report}
}

// walk checks the tree rooted at page id of the bucket named where.
func (w *pageWalker) walk(where string, id uint64, holdsBuckets bool, depth int) {
	loc := fmt.Sprintf("%s page %d", where, id)
	if depth > maxTreeDepth {
		w.report(loc, "tree deeper than any real one: a cycle")
		return
	}
	if id < 2 || id >= w.hwm {
		w.report(loc, fmt.Sprintf("page id out of range [2, %d)", w.hwm))
		return
	}
	if w.seen[id] {
		w.report(loc, "page reached twice (a cycle or a shared page)")
		return
	}
	hdr := make([]byte, pageHeaderSize)
	if _, err := w.r.ReadAt(hdr, int64(id*w.pageSize)); err != nil {
		w.report(loc, fmt.Sprintf("read page header: %v", err))
		return
	}
	hid, flags := native.Uint64(hdr), native.Uint16(hdr[8:])
	count, overflow := native.Uint16(hdr[10:]), uint64(native.Uint32(hdr[12:]))
	if hid != id {
		w.report(loc, fmt.Sprintf("page header says page %d", hid))
		return
	}
	if id+overflow >= w.hwm {
		w.report(loc, fmt.Sprintf("%d overflow pages run past the last page %d", overflow, w.hwm-1))
		return
	}
	for i := id; i <= id+overflow; i++ {
		if w.seen[i] {
			w.report(loc, fmt.Sprintf("overflow page %d is also used elsewhere", i))
			return
		}
		w.seen[i] = true
	}
	switch flags {
	case pageBranch:
		if count == 0 {
			w.report(loc, "empty branch page")
			return
		}
		p := w.read(loc, id, overflow)
		if p == nil {
			return
		}
		for i := 0; i < int(count); i++ {
			e, ok := w.element(loc, p, i, false)
			if !ok {
				return
			}
			w.walk(where, native.Uint64(e[8:]), holdsBuckets, depth+1)
		}
	case pageLeaf:
		if !w.full && !holdsBuckets {
			return
		}
		if p := w.read(loc, id, overflow); p != nil {
			w.leaf(where, loc, p, count, holdsBuckets, depth)
		}
	default:
		w.report(loc, fmt.Sprintf("page type %#x, want branch or leaf", flags))
	}
}

// leaf checks the elements of leaf page p and walks the buckets it holds.
// Only the root bucket holds buckets: the store nests none, so a bucket
// entry elsewhere is damage (and following such entries, which may overlap,
// could take exponential time).
func (w *pageWalker) leaf(where, loc string, p []byte, count uint16, holdsBuckets bool, depth int) {
	for i := 0; i < int(count); i++ {
		e, ok := w.element(loc, p, i, true)
		if !ok {
			return
		}
		if native.Uint32(e)&leafIsBucket == 0 {
			continue
		}
		if !holdsBuckets {
			w.report(loc, fmt.Sprintf("element %d is a nested bucket, which the store never makes", i))
			continue
		}
		kv := e[native.Uint32(e[4:]):]
		name, value := kv[:native.Uint32(e[8:])], kv[native.Uint32(e[8:]):][:native.Uint32(e[12:])]
		if w.only != nil && !w.only[string(name)] {
			continue
		}
		child := fmt.Sprintf("bucket %q", name)
		if len(value) < 16 {
			w.report(loc, fmt.Sprintf("bucket %q: header of %d bytes, want 16", name, len(value)))
			continue
		}
		if root := native.Uint64(value); root != 0 {
			w.walk(child, root, false, depth+1)
			continue
		}
		// An inline bucket: a whole page inside the value.
		inline := value[16:]
		if len(inline) < pageHeaderSize {
			w.report(child, "inline page shorter than its header")
			continue
		}
		if flags := native.Uint16(inline[8:]); flags != pageLeaf {
			w.report(child, fmt.Sprintf("inline page type %#x, want leaf", flags))
			continue
		}
		w.leaf(child, child+" (inline)", inline, native.Uint16(inline[10:]), false, depth+1)
	}
}

// read returns the page and its overflow pages.
func (w *pageWalker) read(loc string, id, overflow uint64) []byte {
	p := make([]byte, (1+overflow)*w.pageSize)
	if _, err := w.r.ReadAt(p, int64(id*w.pageSize)); err != nil {
		w.report(loc, fmt.Sprintf("read page: %v", err))
		return nil
	}
	return p
}

// element returns element i of page p from its start to the end of p,
// after checking that it and its key (and value, for a leaf) lie inside p.
func (w *pageWalker) element(loc string, p []byte, i int, leaf bool) ([]byte, bool) {
	off := pageHeaderSize + i*pageElementSize
	if off+pageElementSize > len(p) {
		w.report(loc, fmt.Sprintf("element %d lies past the page end", i))
		return nil, false
	}
	e := p[off:]
	end := uint64(0)
	if leaf {
		end = uint64(native.Uint32(e[4:])) + uint64(native.Uint32(e[8:])) + uint64(native.Uint32(e[12:]))
	} else {
		end = uint64(native.Uint32(e)) + uint64(native.Uint32(e[4:]))
	}
	if end > uint64(len(e)) {
		w.report(loc, fmt.Sprintf("element %d: key or value runs %d bytes past the page end", i, end-uint64(len(e))))
		return nil, false
	}
	return e, true
}
