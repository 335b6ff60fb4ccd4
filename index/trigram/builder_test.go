package trigram

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// sameSections checks that the Builder and the reference model write the
// same section, byte for byte, and answer a query alike.
func sameSections(t *testing.T, what string, b *Builder, ref *refBuilder) {
	t.Helper()
	var got, want bytes.Buffer
	if _, err := b.WriteTo(&got); err != nil {
		t.Fatalf("%s: WriteTo: %v", what, err)
	}
	if _, err := ref.WriteTo(&want); err != nil {
		t.Fatalf("%s: reference WriteTo: %v", what, err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("%s: section of %d bytes differs from the reference's %d bytes", what, got.Len(), want.Len())
	}
	if b.NumTrigrams() != ref.NumTrigrams() {
		t.Fatalf("%s: %d trigrams, reference %d", what, b.NumTrigrams(), ref.NumTrigrams())
	}
}

// TestBuilderMatchesReference builds the shared corpora with AddPacked in
// document order, as the search head does, and a sample of them in random
// order with some documents added twice (lists rewritten across slices),
// and compares the sections with the former Builder's.
func TestBuilderMatchesReference(t *testing.T) {
	for _, name := range corpusNames {
		c := loadCorpus(t, name)
		var ex Extractor
		var keys []uint32
		b, ref := NewBuilder(), newRefBuilder()
		for i, d := range c.docs {
			keys = ex.Keys(keys[:0], d)
			p := PackKeys(nil, keys)
			b.AddPacked(uint32(i), p)
			ref.AddPacked(uint32(i), p)
		}
		sameSections(t, name, b, ref)
		for _, q := range c.substringQueries() {
			pq := PlanSubstring(q)
			if got, want := b.Candidates(pq), ref.Candidates(pq); !got.Equals(want) {
				t.Fatalf("%s: %q: %d candidates, reference %d", name, q, got.GetCardinality(), want.GetCardinality())
			}
		}

		rng := rand.New(rand.NewPCG(7, uint64(len(c.docs))))
		b, ref = NewBuilder(), newRefBuilder()
		n := min(len(c.docs), 60)
		for _, i := range rng.Perm(n) {
			doc := uint32(i * 3) // gaps in the numbering
			b.Add(doc, c.docs[i])
			ref.Add(doc, c.docs[i])
			if rng.IntN(8) == 0 { // more text for an already added document
				j := rng.IntN(n)
				b.Add(uint32(j*3), c.docs[j][:len(c.docs[j])/2])
				ref.Add(uint32(j*3), c.docs[j][:len(c.docs[j])/2])
			}
		}
		sameSections(t, name+" shuffled", b, ref)
	}
}

// TestBuilderMatchesReferenceRandom compares with the reference over small
// generated documents in random order, large document numbers included
// (uvarints of five bytes straddle slices).
func TestBuilderMatchesReferenceRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for round := range 200 {
		b, ref := NewBuilder(), newRefBuilder()
		n := 1 + rng.IntN(300)
		spread := uint32(1 + rng.IntN(1<<uint(rng.IntN(32))))
		for range n {
			doc := uint32(rng.IntN(n)) * spread
			text := randomText(rng, rng.IntN(40))
			if rng.IntN(3) == 0 {
				text = []byte(strings.Repeat("abcd", 1+rng.IntN(3)))
			}
			b.Add(doc, text)
			ref.Add(doc, text)
		}
		sameSections(t, fmt.Sprintf("round %d", round), b, ref)
	}
}

// TestBuilderSlabFull fills the slab's offsets: the Builder must not panic,
// its candidates must stay a superset (every document), and WriteTo must
// fail rather than write lists with postings missing.
func TestBuilderSlabFull(t *testing.T) {
	b := NewBuilder()
	b.Add(0, []byte("hello world"))
	// Pretend all blocks but the last are in use and the last is full.
	blocks := make([][]byte, slabMaxBlocks)
	copy(blocks, b.lists.blocks)
	b.lists.blocks = blocks
	b.lists.blocks[slabMaxBlocks-1] = make([]byte, slabBlockSize)
	b.lists.pos = slabBlockSize
	for d := uint32(1); d < 20; d++ { // lists outgrow their slots
		b.Add(d, []byte("hello world, hello again"))
	}
	if !b.lists.full {
		t.Fatal("slab not full after its last block was used up")
	}
	if got := b.Candidates(PlanSubstring("again")).GetCardinality(); got != 20 {
		t.Fatalf("%d candidates, want all 20 documents", got)
	}
	if _, err := b.WriteTo(&bytes.Buffer{}); err == nil {
		t.Fatal("WriteTo succeeded with postings lost")
	}
}

// TestBuilderMemSize checks that MemSize, which the search head's flush
// budget counts, is within a quarter of the heap a corpus's Builder holds.
func TestBuilderMemSize(t *testing.T) {
	c := loadCorpus(t, corpusNames[0])
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	b := c.build()
	runtime.GC()
	runtime.ReadMemStats(&m1)
	held := int(m1.HeapAlloc) - int(m0.HeapAlloc)
	if ms := b.MemSize(); 4*ms < 3*held || 4*ms > 5*held {
		t.Fatalf("MemSize %d, the heap grew by %d", ms, held)
	}
	runtime.KeepAlive(b)
}

// TestCRC32Combine checks crc32Combine against the checksum of the
// concatenation, for random messages split at random points.
func TestCRC32Combine(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		msg := make([]byte, rng.IntN(3000))
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		cut := 0
		if len(msg) > 0 {
			cut = rng.IntN(len(msg) + 1)
		}
		a, b := msg[:cut], msg[cut:]
		got := crc32Combine(crc32.Checksum(a, castagnoli), crc32.Checksum(b, castagnoli), int64(len(b)))
		if want := crc32.Checksum(msg, castagnoli); got != want {
			t.Fatalf("%d+%d bytes: combined %08x, want %08x", len(a), len(b), got, want)
		}
	}
}

// TestSortEntries compares sortEntries with slices.Sort on random entries
// whose keys crowd into few first bytes, as text's trigrams do, or not.
func TestSortEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for round := range 100 {
		n := rng.IntN(5000)
		if round%10 == 0 {
			n = rng.IntN(300)
		}
		crowd := rng.IntN(2) == 0
		xs := make([]uint64, n)
		for i := range xs {
			key := rng.Uint32() & 0xFFFFFF
			if crowd {
				key = uint32('a'+rng.IntN(4))<<16 | key&0xFFFF
			}
			xs[i] = uint64(key)<<32 | uint64(rng.Uint32())
		}
		want := slices.Clone(xs)
		slices.Sort(want)
		sortEntries(xs, 48)
		if !slices.Equal(xs, want) {
			t.Fatalf("round %d: %d entries sorted wrongly", round, n)
		}
	}
}

// TestAppendVarintBitset compares appendVarintBitset with decoding the list
// and appendBitset, after a prefix, for random lists and bitset sizes.
func TestAppendVarintBitset(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		var docs []uint32
		for d := uint32(rng.IntN(3)); len(docs) < rng.IntN(200); d += 1 + uint32(rng.IntN(1<<uint(rng.IntN(20)))) {
			docs = append(docs, d)
		}
		size := rng.IntN(1 << 10)
		var kept []uint32 // the documents inside the bitset
		for _, d := range docs {
			if int(d>>3) < size {
				kept = append(kept, d)
			}
		}
		prefix := []byte("prefix")
		want := appendBitset(slices.Clone(prefix), kept, size)
		got := appendVarintBitset(slices.Clone(prefix), appendVarintList(nil, docs), size)
		if !bytes.Equal(got, want) {
			t.Fatalf("round %d: %d documents, bitset of %d bytes differs", round, len(docs), size)
		}
	}
}
