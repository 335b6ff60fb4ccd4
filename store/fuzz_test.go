package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"hash/fnv"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for every decoder of stored bytes. Seeds are in f.Add and in
// testdata/fuzz/<target>/. None may panic; what decodes must re-encode to
// the same bytes.

func FuzzDecodeVersion(f *testing.F) {
	for _, v := range goldenVersions {
		f.Add(appendVersion(nil, &v))
	}
	f.Add([]byte{})
	f.Add([]byte{1, 0, 9})
	f.Fuzz(func(t *testing.T, rec []byte) {
		v, err := decodeVersion(rec)
		if err != nil {
			return
		}
		again := appendVersion(nil, &v)
		if !bytes.Equal(again, rec) {
			// Varints have a unique shortest form, so any accepted record
			// must be the canonical encoding of what it decodes to —
			// except non-canonical (padded) varints, which Uvarint accepts.
			w, err := decodeVersion(again)
			if err != nil || !sameVersion(v, w) {
				t.Fatalf("re-encoding %x gives %x which decodes to %+v, %v; want %+v", rec, again, w, err, v)
			}
		}
	})
}

func FuzzDecodeFileState(f *testing.F) {
	f.Add(appendFileState(nil, FileState{Size: 4096, ModTime: time.Now().UnixNano(), Hash: Hash{1}}))
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, rec []byte) {
		st, err := decodeFileState(rec)
		if err != nil {
			return
		}
		if st.Size < 0 {
			t.Fatalf("decoded a negative size %d", st.Size)
		}
		if got, err := decodeFileState(appendFileState(nil, st)); err != nil || got != st {
			t.Fatalf("round trip of %+v = %+v, %v", st, got, err)
		}
	})
}

func FuzzDecodeHead(f *testing.F) {
	f.Add(appendHead(nil, head{seq: 300, op: OpMove}))
	f.Add([]byte{0, 1})
	f.Fuzz(func(t *testing.T, rec []byte) {
		h, err := decodeHead(rec)
		if err != nil {
			return
		}
		if got, err := decodeHead(appendHead(nil, h)); err != nil || got != h {
			t.Fatalf("round trip of %+v = %+v, %v", h, got, err)
		}
	})
}

func FuzzDecodeBlobLoc(f *testing.F) {
	f.Add(appendBlobLoc(nil, blobLoc{off: 1 << 20, len: 4000}))
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, rec []byte) {
		l, err := decodeBlobLoc(rec)
		if err != nil {
			return
		}
		if l.len == 0 {
			t.Fatal("accepted an empty location")
		}
		if got, err := decodeBlobLoc(appendBlobLoc(nil, l)); err != nil || got != l {
			t.Fatalf("round trip of %+v = %+v, %v", l, got, err)
		}
	})
}

func FuzzDecodeCounters(f *testing.F) {
	f.Add(appendCounters(nil, counters{docs: 885, versions: 900, deletes: 15, blobs: 890, rawBytes: 3231410}))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, rec []byte) {
		c, err := decodeCounters(rec)
		if err != nil {
			return
		}
		if got, err := decodeCounters(appendCounters(nil, c)); err != nil || got != c {
			t.Fatalf("round trip of %+v = %+v, %v", c, got, err)
		}
	})
}

// FuzzReadBoltMeta feeds arbitrary bytes to the meta page reader that
// checks a file before bbolt maps it.
func FuzzReadBoltMeta(f *testing.F) {
	valid := make([]byte, pageHeaderSize+metaSize)
	m := valid[pageHeaderSize:]
	native.PutUint32(m, boltMagic)
	native.PutUint32(m[4:], boltVersion)
	native.PutUint32(m[8:], 4096)
	native.PutUint64(m[16:], 3)
	native.PutUint64(m[32:], 2)
	native.PutUint64(m[40:], 4)
	native.PutUint64(m[48:], 1)
	h := fnv.New64a()
	h.Write(m[:56])
	native.PutUint64(m[56:], h.Sum64())
	f.Add(valid)
	f.Add(valid[:40])
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := readBoltMeta(bytes.NewReader(data), 0)
		if err == nil && (len(data) < pageHeaderSize+metaSize || native.Uint32(data[pageHeaderSize:]) != boltMagic) {
			t.Fatalf("accepted %x as a meta page: %+v", data, got)
		}
	})
}

func FuzzDecodeBlob(f *testing.F) {
	c := newCodec()
	text := bytes.Repeat([]byte("# heading\nsome *markdown* text with [[links]]\n"), 20)
	zrec, err := c.encode(text, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(zrec)
	f.Add(append([]byte{codecRaw}, "short"...))
	f.Add([]byte{codecZstdDict, 7, 10, 0x28, 0xb5, 0x2f, 0xfd})
	f.Add(binary.AppendUvarint([]byte{codecZstd}, MaxValueSize+1))
	f.Fuzz(func(t *testing.T, rec []byte) {
		data, err := c.decode(rec)
		if err != nil {
			return
		}
		h, err := parseBlobHeader(rec)
		if err != nil || uint64(len(data)) != h.rawLen {
			t.Fatalf("decoded %d bytes, header %+v, %v", len(data), h, err)
		}
		// Whatever decodes must survive a store round trip unchanged.
		again, err := c.decode(packBlob(nil, data, 0))
		if err != nil || !bytes.Equal(again, data) || sha256.Sum256(again) != sha256.Sum256(data) {
			t.Fatalf("raw round trip failed: %v", err)
		}
	})
}

// FuzzPageWalker feeds arbitrary bytes to the page walker as if they were a
// bbolt file of 512-byte pages whose root is page 2.
func FuzzPageWalker(f *testing.F) {
	f.Add(testFile(testPage(2, pageLeaf, 0, 0, nil)))
	f.Add(testFile(testPage(2, pageBranch, 2, 0, testBranch(3, 4)), testPage(3, pageLeaf, 0, 0, nil), testPage(4, pageLeaf, 0, 0, nil)))
	f.Add(testFile(testPage(2, pageBranch, 1, 0, testBranch(2))))                                               // cycle
	f.Add(testFile(testPage(2, pageBranch, 1, 0, testBranch(3)), testPage(3, pageBranch, 1, 0, testBranch(2)))) // longer cycle
	f.Add(testFile(testPage(2, pageLeaf, 0xffff, 0, nil)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if problems := walkTestFile(data); len(data)/512 <= 2 && len(problems) == 0 {
			t.Fatal("root page beyond the file was not reported")
		}
	})
}

// Builders of tiny bbolt-like files with 512-byte pages for the page walker.
func testPage(id uint64, flags, count uint16, overflow uint32, body []byte) []byte {
	p := make([]byte, 512)
	native.PutUint64(p, id)
	native.PutUint16(p[8:], flags)
	native.PutUint16(p[10:], count)
	native.PutUint32(p[12:], overflow)
	copy(p[16:], body)
	return p
}

// testBranch is the body of a branch page with one-byte keys.
func testBranch(children ...uint64) []byte {
	var b []byte
	for i, c := range children {
		e := make([]byte, 16)
		native.PutUint32(e, uint32(16*(len(children)-i)+i)) // keys follow the elements
		native.PutUint32(e[4:], 1)
		native.PutUint64(e[8:], c)
		b = append(b, e...)
	}
	for i := range children {
		b = append(b, byte('a'+i))
	}
	return b
}

// testFile puts pages after two (empty) meta pages.
func testFile(pages ...[]byte) []byte {
	return bytes.Join(append([][]byte{make([]byte, 1024)}, pages...), nil)
}

func walkTestFile(data []byte) []string {
	var problems []string
	newPageWalker(bytes.NewReader(data), 512, uint64(len(data)/512), true, func(where, detail string) {
		problems = append(problems, where+": "+detail)
	}).walk("root", 2, true, 0)
	return problems
}

func TestPageWalker(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want string // "" = no problem
	}{
		{"empty leaf", testFile(testPage(2, pageLeaf, 0, 0, nil)), ""},
		{"two levels", testFile(testPage(2, pageBranch, 2, 0, testBranch(3, 4)), testPage(3, pageLeaf, 0, 0, nil), testPage(4, pageLeaf, 0, 0, nil)), ""},
		{"self cycle", testFile(testPage(2, pageBranch, 1, 0, testBranch(2))), "reached twice"},
		{"longer cycle", testFile(testPage(2, pageBranch, 1, 0, testBranch(3)), testPage(3, pageBranch, 1, 0, testBranch(2))), "reached twice"},
		{"child out of range", testFile(testPage(2, pageBranch, 1, 0, testBranch(9))), "out of range"},
		{"wrong page id", testFile(testPage(7, pageLeaf, 0, 0, nil)), "header says page 7"},
		{"leaf count too big", testFile(testPage(2, pageLeaf, 0xffff, 0, nil)), "past the page end"},
		{"overflow past the end", testFile(testPage(2, pageLeaf, 0, 5, nil)), "overflow pages run past"},
		{"meta page in a tree", testFile(testPage(2, 0x04, 0, 0, nil)), "page type 0x4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := walkTestFile(tt.file)
			if tt.want == "" && len(got) > 0 || tt.want != "" && (len(got) == 0 || !strings.Contains(got[0], tt.want)) {
				t.Fatalf("problems = %q, want %q", got, tt.want)
			}
		})
	}
}
