package graph

// Snapshot file format, version 1 (SnapshotVersion). The file is
// <dir>/graph.snap; all integers are little-endian, "uvarint" is
// encoding/binary's unsigned varint and a "string" is a uvarint byte length
// followed by that many bytes of UTF-8.
//
//	magic    8 bytes  "KOTAGRPH"
//	version  uint32   SnapshotVersion
//	seq      uint64   Seq() when the snapshot was written
//	count    uvarint  number of notes, then count times:
//	  key        string  store key "collection/path"
//	  collection string
//	  path       string
//	  aliases    uvarint, then that many strings (as written)
//	  links      uvarint, then that many:
//	    kind     uint8   one Kind bit
//	    target   string  as written
//	    heading  string
//	    line     uvarint
//	crc      uint32   CRC-32C (Castagnoli) of every byte before it
//
// Only the links as written are stored; where they resolve is recomputed on
// Open, which keeps the file small and can never disagree with the notes.
// The file is replaced atomically: written to graph.snap.tmp, fsynced,
// renamed over graph.snap, and the directory fsynced.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kotadb/kotadb/errs"
)

// SnapshotVersion is the version of the snapshot format this build writes
// and the newest it reads.
const SnapshotVersion = 1

const (
	snapshotName  = "graph.snap"
	snapshotMagic = "KOTAGRPH"
	headerSize    = 8 + 4 + 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Open loads the graph persisted in dir (creating dir if needed); a missing
// snapshot means an empty graph at Seq 0. A damaged snapshot is an
// *errs.CorruptionError; one written by a newer kotadb is errs.ErrFormatVersion.
func Open(dir string) (*Graph, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("graph: open %s: %w", dir, err)
	}
	g := New()
	g.dir = dir
	file := filepath.Join(dir, snapshotName)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return g, nil
	}
	if err != nil {
		return nil, fmt.Errorf("graph: open: %w", err)
	}
	seq, nodes, err := decodeSnapshot(data, file)
	if err != nil {
		return nil, err
	}
	g.seq = seq
	affected := map[scoped]struct{}{}
	for _, n := range nodes {
		g.addNode(n, affected)
	}
	for _, n := range g.nodes {
		g.resolveNode(n)
	}
	return g, nil
}

// Flush writes the snapshot if anything changed since the last one. It is a
// no-op for a graph made by New.
func (g *Graph) Flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return errs.ErrClosed
	}
	if g.dir == "" || !g.dirty {
		return nil
	}
	if err := writeFileAtomic(filepath.Join(g.dir, snapshotName), g.encodeSnapshot()); err != nil {
		return fmt.Errorf("graph: flush: %w", err)
	}
	g.dirty = false
	return nil
}

func (g *Graph) encodeSnapshot() []byte {
	var b []byte
	b = append(b, snapshotMagic...)
	b = binary.LittleEndian.AppendUint32(b, SnapshotVersion)
	b = binary.LittleEndian.AppendUint64(b, g.seq)
	b = binary.AppendUvarint(b, uint64(len(g.nodes)))
	for _, n := range g.sortedNodes() {
		b = appendString(b, n.key)
		b = appendString(b, n.coll)
		b = appendString(b, n.path)
		b = binary.AppendUvarint(b, uint64(len(n.aliasesRaw)))
		for _, a := range n.aliasesRaw {
			b = appendString(b, a)
		}
		b = binary.AppendUvarint(b, uint64(len(n.links)))
		for _, l := range n.links {
			b = append(b, byte(l.kind))
			b = appendString(b, l.target)
			b = appendString(b, l.heading)
			b = binary.AppendUvarint(b, uint64(max(l.line, 0)))
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// sortedNodes makes snapshots of the same graph byte-identical.
func (g *Graph) sortedNodes() []*node {
	out := make([]*node, 0, len(g.nodes))
	for _, n := range g.nodes {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b *node) int { return strings.Compare(a.key, b.key) })
	return out
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeSnapshot parses a snapshot; file names it in errors.
func decodeSnapshot(data []byte, file string) (uint64, []*node, error) {
	if len(data) < headerSize+4 || !bytes.Equal(data[:8], []byte(snapshotMagic)) {
		return 0, nil, errs.Corruptf(file, "header", "not a graph snapshot (bad magic or %d bytes long)", len(data))
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != SnapshotVersion {
		if v > SnapshotVersion {
			return 0, nil, fmt.Errorf("graph: %s has snapshot version %d, this build reads up to %d: %w", file, v, SnapshotVersion, errs.ErrFormatVersion)
		}
		return 0, nil, errs.Corruptf(file, "header", "invalid snapshot version %d", v)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.Checksum(body, castagnoli); got != sum {
		return 0, nil, errs.Corruptf(file, "trailer", "checksum mismatch: stored %08x, computed %08x", sum, got)
	}
	seq := binary.LittleEndian.Uint64(data[12:])
	r := &reader{b: body, off: headerSize, file: file}
	count := r.count("note count")
	nodes := make([]*node, 0, count)
	seen := map[string]bool{}
	for i := 0; i < count && r.err == nil; i++ {
		n := &node{key: r.str("key"), coll: r.str("collection"), path: r.str("path")}
		n.setNames()
		for range r.count("alias count") {
			a := r.str("alias")
			n.aliasesRaw = append(n.aliasesRaw, a)
			n.aliases = append(n.aliases, strings.ToLower(a))
		}
		for range r.count("link count") {
			at := r.off
			l := link{kind: Kind(r.byte("link kind"))}
			l.target, l.heading, l.line = r.str("link target"), r.str("link heading"), int(r.uvarint("link line"))
			if r.err == nil && (l.kind == 0 || l.kind&(l.kind-1) != 0 || l.kind&^AllKinds != 0) {
				r.fail(at, "invalid link kind %d", l.kind)
			}
			n.links = append(n.links, l)
		}
		if r.err == nil && (n.key == "" || seen[n.key]) {
			r.fail(r.off, "empty or duplicate note key %q", n.key)
		}
		seen[n.key] = true
		nodes = append(nodes, n)
	}
	if r.err == nil && r.off != len(body) {
		r.fail(r.off, "%d bytes of trailing garbage", len(body)-r.off)
	}
	if r.err != nil {
		return 0, nil, r.err
	}
	return seq, nodes, nil
}

// reader decodes the snapshot body; the first error sticks and later reads
// return zero values, so decodeSnapshot checks once per note.
type reader struct {
	b    []byte
	off  int
	file string
	err  error
}

func (r *reader) fail(at int, format string, args ...any) {
	if r.err == nil {
		r.err = errs.Corruptf(r.file, fmt.Sprintf("offset %d", at), format, args...)
	}
}

func (r *reader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail(r.off, "bad %s varint", what)
		return 0
	}
	r.off += n
	return v
}

// count reads a number of following entries; each takes at least one byte,
// so a count larger than what is left is corruption, not an allocation.
func (r *reader) count(what string) int {
	at := r.off
	v := r.uvarint(what)
	if v > uint64(len(r.b)-r.off) {
		r.fail(at, "%s %d exceeds the %d bytes left", what, v, len(r.b)-r.off)
		return 0
	}
	return int(v)
}

func (r *reader) byte(what string) byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail(r.off, "truncated before %s", what)
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *reader) str(what string) string {
	n := r.count(what + " length")
	if r.err != nil {
		return ""
	}
	s := string(r.b[r.off : r.off+n])
	r.off += n
	return s
}

// writeFileAtomic replaces name with data so that a crash leaves either the
// old or the new file, never a torn one.
func writeFileAtomic(name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(name))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
