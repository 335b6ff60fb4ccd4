package trigram

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/kotadb/kotadb/errs"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenDocs are the documents of the golden section: a few hundred
// documents so that the table has several blocks and both list forms.
func goldenDocs() [][]byte {
	var docs [][]byte
	for i := range 300 {
		var b strings.Builder
		b.WriteString("common text in every document\n")
		if i%2 == 0 {
			b.WriteString("even documents share this line\n")
		}
		if i%37 == 0 {
			b.WriteString("rare: トレース and 可观测性 and OTEL_EXPORTER\n")
		}
		b.WriteString("doc ")
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), 1+i%4))
		docs = append(docs, []byte(b.String()))
	}
	return docs
}

func goldenSection(t *testing.T) []byte {
	b := NewBuilder()
	for i, d := range goldenDocs() {
		if i == 150 {
			continue // a hole in the universe
		}
		b.Add(uint32(i), d)
	}
	return writeSection(t, b)
}

// TestSectionGolden pins the on-disk format: a change in the bytes written
// for the same input is a format change and needs a new formatVersion.
func TestSectionGolden(t *testing.T) {
	section := goldenSection(t)
	got := describeSection(t, section) + "\n" + hex.Dump(section)
	path := filepath.Join("testdata", "section.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestSectionGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("section bytes differ from %s; if the format changed on purpose, bump formatVersion and run with -update", path)
	}
}

// describeSection summarises a section's header and a few lists.
func describeSection(t *testing.T, section []byte) string {
	h, err := readHeader(section)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(section)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version %d, %d docs, %d trigrams in %d blocks, universe %d docs in %d bytes, table %d bytes, postings %d bytes\n",
		h.version, h.numDocs, h.numTrigrams, h.numBlocks, h.universeN, h.universeLen, h.tableLen, h.postingsLen)
	for _, tr := range []string{"com", "eve", "ト", "oc ", "zzz"} {
		key, _ := trigramKey(tr)
		p := r.lookup(key)
		fmt.Fprintf(&b, "%q: kind %d, %d docs\n", tr, p.kind, p.count)
	}
	return b.String()
}

func TestOpenEmpty(t *testing.T) {
	r, err := Open(writeSection(t, NewBuilder()))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Candidates(PlanSubstring("abc")); !got.IsEmpty() {
		t.Errorf("empty section: candidates %v", got.ToArray())
	}
	if got := r.Candidates(allQuery); !got.IsEmpty() {
		t.Errorf("empty section: All gives %v", got.ToArray())
	}
}

// TestOpenTruncated: every proper prefix of a section is reported as
// corruption.
func TestOpenTruncated(t *testing.T) {
	section := goldenSection(t)
	for n := range len(section) {
		_, err := Open(section[:n])
		if !errors.Is(err, errs.ErrCorrupt) {
			t.Fatalf("Open of the first %d of %d bytes: %v, want a corruption error", n, len(section), err)
		}
		var ce *errs.CorruptionError
		if !errors.As(err, &ce) || ce.Where == "" {
			t.Fatalf("Open of %d bytes: %v does not say where", n, err)
		}
	}
}

// TestOpenFlipped: changing any byte is detected (the checksum covers all
// bytes after it; magic, version and checksum are checked themselves).
func TestOpenFlipped(t *testing.T) {
	section := goldenSection(t)
	rng := rand.New(rand.NewPCG(10, 11))
	for i := range section {
		damaged := slices.Clone(section)
		damaged[i] ^= byte(1 + rng.IntN(255))
		_, err := Open(damaged)
		if i >= 4 && i < 8 && binary.LittleEndian.Uint32(damaged[4:]) > formatVersion {
			if !errors.Is(err, errs.ErrFormatVersion) {
				t.Fatalf("byte %d: newer version gives %v, want ErrFormatVersion", i, err)
			}
			continue
		}
		if !errors.Is(err, errs.ErrCorrupt) {
			t.Fatalf("byte %d changed: Open = %v, want a corruption error", i, err)
		}
	}
}

// fixChecksum recomputes the checksum of a section so that structural
// damage reaches the structural checks.
func fixChecksum(b []byte) []byte {
	if len(b) >= headerSize {
		binary.LittleEndian.PutUint32(b[8:], crc32.Checksum(b[12:], castagnoli))
	}
	return b
}

// TestOpenStructuralDamage changes bytes and then repairs the checksum, as
// a bug in a writer would: Open must report corruption or return a Reader
// whose answers agree with a full decode of what it accepted.
func TestOpenStructuralDamage(t *testing.T) {
	section := goldenSection(t)
	rng := rand.New(rand.NewPCG(12, 13))
	accepted := 0
	for i := range 3000 {
		damaged := slices.Clone(section)
		for range 1 + rng.IntN(3) {
			damaged[12+rng.IntN(len(damaged)-12)] ^= byte(1 + rng.IntN(255))
		}
		r, err := Open(fixChecksum(damaged))
		if err != nil {
			if !errors.Is(err, errs.ErrCorrupt) {
				t.Fatalf("case %d: Open = %v, want a corruption error", i, err)
			}
			continue
		}
		accepted++
		checkReaderConsistent(t, r, rng)
	}
	t.Logf("%d of 3000 damaged sections were structurally valid", accepted)
}

// checkReaderConsistent compares lookups through the block index with a
// sequential decode of every entry, and random queries with evaluating
// them on the decoded lists.
func checkReaderConsistent(t *testing.T, r *Reader, rng *rand.Rand) {
	t.Helper()
	lists := decodeAll(t, r)
	keys := make([]uint32, 0, len(lists))
	for k, docs := range lists {
		keys = append(keys, k)
		got := r.lookup(k).decodeInto(nil)
		if !slices.Equal(got, docs) {
			t.Fatalf("lookup(%06x) = %v, sequential decode %v", k, got, docs)
		}
	}
	slices.Sort(keys)
	for range 20 {
		var q Query
		q.Op = QAnd
		if rng.IntN(2) == 0 {
			q.Op = QOr
		}
		want := roaring.New()
		for j := range 1 + rng.IntN(4) {
			k := uint32(rng.IntN(1 << 24))
			if len(keys) > 0 && rng.IntN(4) > 0 {
				k = keys[rng.IntN(len(keys))]
			}
			q.Trigram = append(q.Trigram, string([]byte{byte(k >> 16), byte(k >> 8), byte(k)}))
			docs := roaring.BitmapOf(lists[k]...)
			switch {
			case j == 0:
				want = docs
			case q.Op == QAnd:
				want.And(docs)
			default:
				want.Or(docs)
			}
		}
		if got := r.Candidates(&q); !got.Equals(want) {
			t.Fatalf("Candidates(%s) = %v, decoded lists give %v", &q, got.ToArray(), want.ToArray())
		}
	}
}

// decodeAll decodes every block and entry in table order, independently
// of lookup.
func decodeAll(t *testing.T, r *Reader) map[uint32][]uint32 {
	t.Helper()
	lists := make(map[uint32][]uint32)
	pOff := 0
	for b := 0; b*blockHdrSize < len(r.blocks); b++ {
		_, tOff, _ := r.block(b)
		n := r.blockLen(b)
		off := int(tOff) + keySize*n
		for i := range n {
			p, next, err := r.decodeEntry(off, pOff)
			if err != nil {
				t.Fatalf("block %d entry %d: %v after Open accepted the section", b, i, err)
			}
			lists[r.key(int(tOff)+keySize*i)] = p.decodeInto(nil)
			off, pOff = next, pOff+len(p.data)
		}
	}
	return lists
}

func TestCorruptionErrorText(t *testing.T) {
	section := goldenSection(t)
	section[len(section)-1] ^= 0xFF
	_, err := Open(section)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), "trigram section") {
		t.Errorf("Open of a damaged section: %v, want a checksum mismatch in the trigram section", err)
	}
}

func TestWriteToError(t *testing.T) {
	b := NewBuilder()
	b.Add(3, []byte("some text"))
	_, err := b.WriteTo(failingWriter{})
	if err == nil || !strings.Contains(err.Error(), "writing section") {
		t.Errorf("WriteTo to a failing writer: %v", err)
	}
	var buf bytes.Buffer
	n, err := b.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Errorf("WriteTo = %d, %v; wrote %d bytes", n, err, buf.Len())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
