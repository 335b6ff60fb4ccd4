package search

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kotadb/kotadb/errs"
)

// writeSeeds stores fuzz seeds in the testdata corpus (with -update).
func writeSeeds(t *testing.T, target string, seeds map[string][]byte) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range seeds {
		content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sampleFile(f *testing.F, version int, name string) []byte {
	data, err := os.ReadFile(filepath.Join(sampleDir(version), name))
	if err != nil {
		f.Fatalf("format sample missing: %v", err)
	}
	return data
}

// fixChecksums rewrites the block, section and TOC checksums of a segment
// so that fuzzed contents reach the decoders behind the checksum checks.
func fixChecksums(data []byte) []byte {
	if len(data) < len(segmentMagic)+footerSize {
		return data
	}
	out := append([]byte(nil), data...)
	footer := out[len(out)-footerSize:]
	tocOff := binary.LittleEndian.Uint64(footer)
	tocLen := uint64(binary.LittleEndian.Uint32(footer[8:]))
	end := uint64(len(out) - footerSize)
	if tocOff > end || tocLen != end-tocOff {
		return data
	}
	toc := out[tocOff:end]
	fixBlockSums(out, toc, tocOff)
	r := byteReader{b: toc}
	n := r.uvarint()
	for i := uint64(0); i < n && !r.err; i++ {
		r.uvarint()
		off := r.uvarint()
		length := r.uvarint()
		if r.err || r.off+4 > len(toc) {
			return data
		}
		if off <= tocOff && length <= tocOff-off {
			binary.LittleEndian.PutUint32(toc[r.off:], crc32.Checksum(out[off:off+length], castagnoli))
		}
		r.off += 4
	}
	binary.LittleEndian.PutUint32(footer[12:], crc32.Checksum(toc, castagnoli))
	return out
}

// fixBlockSums rewrites the block checksum section (version 3), when the
// TOC names one that fits, to match the bytes before it.
func fixBlockSums(out, toc []byte, tocOff uint64) {
	r := byteReader{b: toc}
	n := r.uvarint()
	for i := uint64(0); i < n && !r.err; i++ {
		id := r.uvarint()
		off := r.uvarint()
		length := r.uvarint()
		r.uint32()
		if r.err || id != secBlockSums || off > tocOff || length > tocOff-off || length < 1 {
			continue
		}
		sec := out[off : off+length]
		shift := sec[0]
		if shift < minBlockShift || shift > maxBlockShift {
			return
		}
		for b := uint64(0); 4*b+4 <= uint64(len(sec)-1) && b<<shift < off; b++ {
			hi := min((b+1)<<shift, off)
			binary.LittleEndian.PutUint32(sec[1+4*b:], crc32.Checksum(out[b<<shift:hi], castagnoli))
		}
		return
	}
}

// exerciseSegment opens data as a segment, verified whole and lazily,
// and, when that works, reads everything through every reader entry
// point. Nothing may panic; errors must be corruption or version errors.
func exerciseSegment(t *testing.T, data []byte) {
	exerciseDecoded(t, data, false)
	exerciseDecoded(t, data, true)
}

func exerciseDecoded(t *testing.T, data []byte, lazy bool) {
	s, err := decode("fuzz.seg", data, lazy)
	if err != nil {
		if !errors.Is(err, errs.ErrCorrupt) && !errors.Is(err, errs.ErrFormatVersion) {
			t.Fatalf("open failed with a non-corruption error: %v", err)
		}
		return
	}
	checkSegment(s)
	for d := range min(s.numDocs, 64) {
		if m, err := s.docMeta(d); err == nil {
			s.latest(m.key)
		}
	}
	for _, w := range []string{"a", "goroutine", "pipelines", "可观", "maintenance_work_mem"} {
		if l, ok := s.lookupText([]byte(w)); ok {
			checkList(l, s.numDocs, []byte(w), s.normsData)
		}
		s.stemAliases([]byte(w), func(textList) {})
		s.prefixText([]byte(w[:1]), func(term []byte, l textList) bool {
			checkList(l, s.numDocs, term, s.normsData)
			return true
		})
	}
	s.fuzzyText(newLevQuery("pipelnes", 1), func([]byte, int) bool { return true })
	s.fuzzyText(newLevQuery("maintenanse", 2), func([]byte, int) bool { return true })
	s.rangeKeyword(nil, nil, func([]byte, kwList) bool { return true })
	for f := range s.numCols {
		s.numeric(f, func(uint32, float64) {})
	}
}

func FuzzSegmentReader(f *testing.F) {
	seg := sampleFile(f, 1, "000001.seg")
	seg2 := sampleFile(f, 2, "000001.seg")
	seg3 := sampleFile(f, 3, "000001.seg")
	seeds := map[string][]byte{
		"segment-v3": seg3,
		"small-v3":   sampleFile(f, 3, "000002.seg"),
		"segment":    seg,
		"truncated":  seg[:len(seg)/2],
		"tail":       seg[len(seg)-footerSize-8:],
		"magic":      []byte(segmentMagic),
		"segment-v2": seg2,
		"small-v2":   sampleFile(f, 2, "000002.seg"),
	}
	flipped := append([]byte(nil), seg...)
	flipped[len(flipped)/3] ^= 0x40
	seeds["bitflip"] = flipped
	flipped2 := append([]byte(nil), seg2...)
	flipped2[len(flipped2)/2] ^= 0x08
	seeds["bitflip-v2"] = flipped2
	flipped3 := append([]byte(nil), seg3...)
	flipped3[len(flipped3)/2] ^= 0x08
	seeds["bitflip-v3"] = flipped3
	if *update {
		writeSeeds(&testing.T{}, "FuzzSegmentReader", seeds)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		exerciseSegment(t, data)
		exerciseSegment(t, fixChecksums(data))
	})
}

func TestSegmentCorruptionIsReported(t *testing.T) {
	for v := 1; v <= formatVersion; v++ {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) { checkCorruptionIsReported(t, v) })
	}
}

func checkCorruptionIsReported(t *testing.T, version int) {
	seg, err := os.ReadFile(filepath.Join(sampleDir(version), "000001.seg"))
	if err != nil {
		t.Fatal(err)
	}
	// Every truncation and a bit flip in every 7th byte: open must fail
	// with a corruption error (the checksums catch it), never succeed or
	// panic.
	for n := 0; n < len(seg); n++ {
		if _, err := decodeSegment("x.seg", seg[:n]); !errors.Is(err, errs.ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	for i := 0; i < len(seg); i += 7 {
		bad := append([]byte(nil), seg...)
		bad[i] ^= 0x10
		_, err := decodeSegment("x.seg", bad)
		if err == nil {
			t.Fatalf("bit flip at %d not detected", i)
		}
		if !errors.Is(err, errs.ErrCorrupt) && !errors.Is(err, errs.ErrFormatVersion) {
			t.Fatalf("bit flip at %d: %v", i, err)
		}
	}
}

func FuzzManifest(f *testing.F) {
	m := &manifest{seq: 42, nextFile: 9, segments: []manifestSegment{{id: 3, delGen: 2, numDocs: 10, minSeq: 1, maxSeq: 20}, {id: 8, numDocs: 1, minSeq: 30, maxSeq: 30}}}
	good := m.encode()
	seeds := map[string][]byte{"manifest": good, "truncated": good[:len(good)-3], "empty": {}}
	if *update {
		writeSeeds(&testing.T{}, "FuzzManifest", seeds)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeManifest("MANIFEST", data)
		if err != nil {
			if !errors.Is(err, errs.ErrCorrupt) && !errors.Is(err, errs.ErrFormatVersion) {
				t.Fatalf("non-corruption error: %v", err)
			}
			return
		}
		again, err := decodeManifest("MANIFEST", m.encode())
		if err != nil || fmt.Sprint(again) != fmt.Sprint(m) {
			t.Fatalf("round trip: %v, %+v != %+v", err, again, m)
		}
	})
}

func FuzzTombstones(f *testing.F) {
	dead := &deadSet{}
	norms := make([]byte, 100*normsEntrySize)
	ends := map[uint32]uint64{}
	for _, d := range []uint32{1, 5, 64, 99} {
		dead.add(d, norms)
		ends[d] = uint64(d) + 100
	}
	good, err := encodeTombstones(7, dead, ends)
	if err != nil {
		f.Fatal(err)
	}
	seeds := map[string][]byte{"tombstones": good, "truncated": good[:len(good)/2]}
	if *update {
		writeSeeds(&testing.T{}, "FuzzTombstones", seeds)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := decodeTombstones("x.del", 7, 100, data)
		if err != nil {
			if !errors.Is(err, errs.ErrCorrupt) && !errors.Is(err, errs.ErrFormatVersion) {
				t.Fatalf("non-corruption error: %v", err)
			}
			return
		}
		if uint64(len(ts.ends)) != ts.docs.GetCardinality() {
			t.Fatalf("%d end seqs for %d docs", len(ts.ends), ts.docs.GetCardinality())
		}
	})
}
