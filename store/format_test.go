package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// goldenVersions pins the version record encoding: a change to the golden
// file is a change of the on-disk format and needs a FormatVersion bump.
var goldenVersions = []Version{
	{Seq: 1, Time: time.Date(2025, 3, 1, 10, 2, 3, 4, time.UTC), Op: OpPut, Key: "notes/a.md",
		Hash: Hash{0xaa, 1, 2, 3}, Size: 1234, Meta: Hash{0xbb, 4}, Author: "fs"},
	{Seq: 2, Time: time.Date(2025, 3, 1, 10, 2, 4, 0, time.UTC), Op: OpDelete, Key: "notes/a.md", Author: "cli", Prev: 1},
	{Seq: 300, Time: time.Date(2025, 3, 1, 10, 2, 4, 0, time.UTC), Op: OpMove, Key: "notes/b/ü.md", From: "notes/a.md",
		Hash: Hash{0xcc}, Size: 0, Author: "agent:claude", Prev: 299},
	{Seq: 1 << 40, Time: time.Unix(0, 0).UTC(), Op: OpPut, Key: "c/k", Hash: Hash{31: 1}, Size: 1 << 33},
	{Seq: 5, Time: time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), Op: OpPut, Key: "c/before-1970", Hash: Hash{1}},
	// Format 2: documents derived from the content.
	{Seq: 6, Time: time.Date(2025, 3, 1, 10, 2, 3, 4, time.UTC), Op: OpPut, Key: "notes/f.md", Hash: Hash{0xdd}, Size: 77, Author: "fs",
		Doc: DocInfo{Kind: DocFile, ModTime: time.Date(2025, 2, 28, 9, 0, 0, 5, time.UTC)}},
	{Seq: 7, Time: time.Date(2025, 3, 1, 10, 2, 3, 4, time.UTC), Op: OpMove, Key: "notes/g.md", From: "notes/f.md", Hash: Hash{0xdd}, Size: 77, Author: "fs",
		Doc: DocInfo{Kind: DocFile, ModTime: time.Date(2025, 2, 28, 9, 0, 0, 5, time.FixedZone("", -7*3600)),
			Birth: time.Date(1960, 1, 1, 0, 0, 0, 0, time.FixedZone("", -7*3600))}, Prev: 3},
	{Seq: 8, Time: time.Date(2025, 3, 1, 10, 2, 3, 4, time.UTC), Op: OpPut, Key: "agents/x", Hash: Hash{0xee}, Size: 9, Author: "cli",
		Doc: DocInfo{Kind: DocJSON}},
}

func TestVersionRecordGolden(t *testing.T) {
	var out strings.Builder
	for _, v := range goldenVersions {
		rec := appendVersion(nil, &v)
		fmt.Fprintf(&out, "%d %s %s\n", v.Seq, v.Op, hex.EncodeToString(rec))
		got, err := decodeVersion(rec)
		if err != nil {
			t.Fatalf("decode seq %d: %v", v.Seq, err)
		}
		if !sameVersion(v, got) {
			t.Fatalf("round trip seq %d (-want +got):\n%s", v.Seq, cmp.Diff(v, got))
		}
	}
	st := FileState{Size: 4096, ModTime: 1740823323000000000, Hash: Hash{9}}
	fmt.Fprintf(&out, "filestate %s\n", hex.EncodeToString(appendFileState(nil, st)))
	c := counters{docs: 885, versions: 900, deletes: 15, blobs: 890, rawBytes: 3231410, blobRawBytes: 3300000, storedBytes: 1200000}
	fmt.Fprintf(&out, "counters %s\n", hex.EncodeToString(appendCounters(nil, c)))
	fmt.Fprintf(&out, "head %s\n", hex.EncodeToString(appendHead(nil, head{seq: 300, op: OpMove})))
	fmt.Fprintf(&out, "blobloc %s\n", hex.EncodeToString(appendBlobLoc(nil, blobLoc{off: 1 << 20, len: 4000})))
	golden := filepath.Join("testdata", "records.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Fatalf("record encoding changed (-golden +now); bump FormatVersion if intended, then -update:\n%s", diff)
	}
}

func TestDecodeVersionErrors(t *testing.T) {
	good := appendVersion(nil, &goldenVersions[0])
	tests := []struct {
		name string
		rec  []byte
		want string
	}{
		{"empty", nil, "seq at byte 0: bad uvarint"},
		{"truncated", good[:len(good)-3], "needs"},
		{"trailing", append(bytes.Clone(good), 0), "1 trailing bytes"},
		{"bad op", func() []byte {
			b := bytes.Clone(good)
			b[1+len(binVarint(goldenVersions[0].Time.UnixNano()))] = 9
			return b
		}(), "unknown op 9"},
		{"huge key length", []byte{1, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}, "key at byte 8: needs"},
		{"meta hash and file", setFlags(goldenVersions[5], flagHash|flagMeta|flagFile), "more than one of meta hash, file and JSON"},
		{"file and JSON", setFlags(goldenVersions[5], flagHash|flagFile|flagJSON), "more than one of meta hash, file and JSON"},
		{"birth without file", setFlags(goldenVersions[7], flagHash|flagJSON|flagBirth), "a birth time without a file"},
		{"unknown flag", setFlags(goldenVersions[0], flagHash|flagMeta|32), "unknown bits 0x23"},
		{"nanoseconds", func() []byte {
			v := goldenVersions[5]
			b := setFlags(v, flagHash|flagFile)
			at := flagsOffset(v) + 1 + 32 + len(binVarint(v.Doc.ModTime.Unix()))
			return append(append(append(b[:at:at], 0x80, 0x94, 0xeb, 0xdc, 0x03), 0), b[at+5+1:]...) // 1e9 ns, offset 0
		}(), "1000000000 nanoseconds"},
		{"zero birth", func() []byte {
			v := goldenVersions[5]
			v.Doc.Birth = time.Unix(-62135596800, 0).Add(time.Second)
			b := appendVersion(nil, &v)
			// Rewrite the birth seconds to those of the zero time, which
			// the encoder writes as no birth time at all.
			at := flagsOffset(v) + 1 + 32 + len(appendFileTime(nil, v.Doc.ModTime)) + 1
			zero := appendFileTime(nil, time.Unix(-62135596800, 0))
			one := appendFileTime(nil, time.Unix(-62135596799, 0))
			return append(append(b[:at:at], zero...), b[at+len(one):]...)
		}(), "zero, which is written as no birth time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeVersion(tt.rec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("decodeVersion = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func binVarint(n int64) []byte {
	return appendVarintForTest(nil, n)
}

// flagsOffset is where the flags byte of v's record is.
func flagsOffset(v Version) int {
	b := binary.AppendUvarint(nil, v.Seq)
	b = binary.AppendVarint(b, v.Time.UnixNano())
	b = append(b, byte(v.Op))
	return len(appendString(appendString(b, v.Key), v.From))
}

// setFlags returns v's record with its flags byte replaced.
func setFlags(v Version, flags byte) []byte {
	b := appendVersion(nil, &v)
	b[flagsOffset(v)] = flags
	return b
}
