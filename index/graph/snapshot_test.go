package graph

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index"
)

func TestSnapshotRoundTrip(t *testing.T) {
	dir := t.TempDir()
	g, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if g.Seq() != 0 || g.Len() != 0 {
		t.Fatalf("fresh graph: seq %d len %d", g.Seq(), g.Len())
	}
	var changes []index.Change
	for i, d := range append(chainVault(), withAliases(note("ünï/Cödé §.md", "markdown:../a.md#top"), "Ω")) {
		changes = append(changes, put(uint64(i+1)*10, d))
	}
	if err := g.Apply(changes); err != nil {
		t.Fatal(err)
	}
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(filepath.Join(dir, snapshotName))
	if err != nil {
		t.Fatal(err)
	}
	h, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if h.Seq() != 100 || h.Len() != 10 {
		t.Errorf("reopened: seq %d len %d, want 100 10", h.Seq(), h.Len())
	}
	for key := range g.nodes {
		if d := cmp.Diff(g.Outgoing(key), h.Outgoing(key)); d != "" {
			t.Errorf("%s: outgoing differ after reopen:\n%s", key, d)
		}
		if d := cmp.Diff(g.Backlinks(key), h.Backlinks(key)); d != "" {
			t.Errorf("%s: backlinks differ after reopen:\n%s", key, d)
		}
	}
	if got := h.Resolve("Ω"); !cmp.Equal(got, []string{"v/ünï/Cödé §.md"}) {
		t.Errorf("alias lost: %v", got)
	}
	// A clean graph does not rewrite; a dirty one writes the same bytes.
	h.dirty = true
	if err := h.Flush(); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(filepath.Join(dir, snapshotName))
	if !bytes.Equal(first, second) {
		t.Error("snapshots of the same graph differ")
	}
	if _, err := os.Stat(filepath.Join(dir, snapshotName+".tmp")); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}
}

func TestSnapshotDamage(t *testing.T) {
	good := build(t, chainVault()...).encodeSnapshot()
	flip := func(off int) []byte {
		b := bytes.Clone(good)
		b[off] ^= 0x40
		return b
	}
	newer := bytes.Clone(good)
	binary.LittleEndian.PutUint32(newer[8:], SnapshotVersion+1)
	zero := bytes.Clone(good)
	binary.LittleEndian.PutUint32(zero[8:], 0)
	tests := []struct {
		name    string
		data    []byte
		corrupt bool   // else ErrFormatVersion
		where   string // CorruptionError.Where
	}{
		{"empty", nil, true, "header"},
		{"bad magic", flip(0), true, "header"},
		{"truncated", good[:len(good)-9], true, "trailer"},
		{"bit flip in a note", flip(len(good) / 2), true, "trailer"},
		{"bit flip in the checksum", flip(len(good) - 1), true, "trailer"},
		{"version zero", zero, true, "header"},
		{"newer version", newer, false, ""},
		{"valid checksum, count too large", resum(append(bytes.Clone(good[:headerSize]), 0xff, 0x01)), true, "offset 20"},
		{"valid checksum, trailing bytes", resum(append(bytes.Clone(good[:len(good)-4]), 7)), true, "offset"},
		{"valid checksum, bad link kind", resum(badKind()), true, "offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, snapshotName), tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir)
			var ce *errs.CorruptionError
			switch {
			case tt.corrupt && !errors.As(err, &ce):
				t.Fatalf("err = %v, want a CorruptionError", err)
			case tt.corrupt && (ce.Path != filepath.Join(dir, snapshotName) || !bytes.HasPrefix([]byte(ce.Where), []byte(tt.where))):
				t.Errorf("CorruptionError %+v, want path %s and where %q", ce, snapshotName, tt.where)
			case tt.corrupt && !errors.Is(err, errs.ErrCorrupt):
				t.Errorf("err does not match errs.ErrCorrupt")
			case !tt.corrupt && !errors.Is(err, errs.ErrFormatVersion):
				t.Errorf("err = %v, want ErrFormatVersion", err)
			}
		})
	}
}

// resum appends a correct checksum to a snapshot body.
func resum(body []byte) []byte {
	return binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, castagnoli))
}

// badKind is a one-note snapshot body whose link kind is not a single bit.
func badKind() []byte {
	b := []byte(snapshotMagic)
	b = binary.LittleEndian.AppendUint32(b, SnapshotVersion)
	b = binary.LittleEndian.AppendUint64(b, 1)
	b = binary.AppendUvarint(b, 1)
	for _, s := range []string{"v/a.md", "v", "a.md"} {
		b = appendString(b, s)
	}
	b = append(b, 0, 1, byte(Wikilink|Embed))
	b = appendString(b, "x")
	b = appendString(b, "")
	return binary.AppendUvarint(b, 3)
}

func TestOpenUnreadableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(file); err == nil {
		t.Error("Open on a regular file succeeded")
	}
}

// FuzzDecodeSnapshot: any bytes decode to notes or to an error, never a
// panic; what decodes re-encodes to the same bytes.
func FuzzDecodeSnapshot(f *testing.F) {
	f.Add(build(f, chainVault()...).encodeSnapshot())
	f.Add(New().encodeSnapshot())
	f.Add(resum(badKind()))
	f.Add([]byte(snapshotMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		seq, nodes, err := decodeSnapshot(data, "fuzz")
		if err != nil {
			if !errors.Is(err, errs.ErrCorrupt) && !errors.Is(err, errs.ErrFormatVersion) {
				t.Fatalf("error of the wrong class: %v", err)
			}
			return
		}
		g := New()
		g.seq = seq
		for _, n := range nodes {
			g.addNode(n, map[scoped]struct{}{})
		}
		if again := g.encodeSnapshot(); !bytes.Equal(again, data) {
			// Non-canonical varints decode fine but re-encode shorter, so
			// compare what they mean instead.
			_, nodes2, err := decodeSnapshot(again, "again")
			if err != nil || len(nodes2) != len(nodes) {
				t.Fatalf("re-encoded snapshot does not decode: %v", err)
			}
		}
	})
}
