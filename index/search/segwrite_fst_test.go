package search

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blevesearch/vellum"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/internal/testcorpus"
)

// vellumBytes builds the FST of keys (sorted, duplicates allowed) with vellum.
func vellumBytes(t testing.TB, keys [][]byte, vals []uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	b, err := vellum.New(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if err := b.Insert(k, vals[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ourBytes builds it with fstBuilder, reusing b.
func ourBytes(t testing.TB, b *fstBuilder, keys [][]byte, vals []uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	b.reset(&buf)
	for i, k := range keys {
		if err := b.insert(k, vals[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkSameFST(t *testing.T, b *fstBuilder, name string, keys [][]byte, vals []uint64) {
	t.Helper()
	want := vellumBytes(t, keys, vals)
	got := ourBytes(t, b, keys, vals)
	if !bytes.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s: %d keys: FST differs from vellum's at byte %d (%d vs %d bytes)", name, len(keys), i, len(got), len(want))
	}
}

// randomFSTKeys returns n sorted distinct keys over an alphabet, of lengths up
// to maxLen.
func randomFSTKeys(rng *rand.Rand, n int, alphabet string, maxLen int) [][]byte {
	seen := map[string]bool{}
	var keys [][]byte
	for len(keys) < n {
		k := make([]byte, 1+rng.IntN(maxLen))
		for i := range k {
			k[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if !seen[string(k)] {
			seen[string(k)] = true
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, bytes.Compare)
	return keys
}

// TestFSTBuilderMatchesVellum checks that fstBuilder writes vellum's bytes:
// random dictionaries of several shapes and sizes (past the registry's
// 20,000 cells, keys past vellum's 64-state stack cache, states of up to
// 256 transitions), values increasing like offsets or random (outputs
// moved along shared prefixes), the edge cases (no key, the empty key,
// repeated keys), and a corpus's terms.
func TestFSTBuilderMatchesVellum(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	b := &fstBuilder{} // reused throughout, as fstPool does
	shapes := []struct {
		alphabet string
		maxLen   int
	}{{"ab", 12}, {"abcdefghijklmnopqrstuvwxyz", 10}, {"etaoin/.-_0123", 30}, {string(all), 4}, {"xyz", 90}}
	for _, sh := range shapes {
		for _, n := range []int{1, 2, 7, 100, 3000, 40000} {
			if n > 3000 && testing.Short() {
				continue
			}
			if len(sh.alphabet) == 2 && n > 3000 {
				continue // not that many distinct keys
			}
			keys := randomFSTKeys(rng, n, sh.alphabet, sh.maxLen)
			offs := make([]uint64, n)
			rnd := make([]uint64, n)
			small := make([]uint64, n)
			off := uint64(0)
			for i := range keys {
				offs[i] = off
				off += uint64(1 + rng.IntN(300))
				rnd[i] = rng.Uint64() >> rng.IntN(64)
				small[i] = uint64(rng.IntN(3))
			}
			for vname, vals := range map[string][]uint64{"offsets": offs, "random": rnd, "small": small} {
				checkSameFST(t, b, fmt.Sprintf("alphabet %q len %d %s", sh.alphabet, sh.maxLen, vname), keys, vals)
			}
		}
	}

	// A state with all 256 transitions, and one with 255.
	var wide [][]byte
	for i := range 256 {
		wide = append(wide, []byte{'k', byte(i)})
	}
	vals := make([]uint64, len(wide))
	for i := range vals {
		vals[i] = uint64(i * 1000)
	}
	checkSameFST(t, b, "256 transitions", wide, vals)
	checkSameFST(t, b, "255 transitions", wide[1:], vals[1:])

	checkSameFST(t, &fstBuilder{}, "no key, new builder", nil, nil)
	checkSameFST(t, &fstBuilder{}, "the empty key, new builder", [][]byte{{}}, []uint64{0})
	checkSameFST(t, b, "no key", nil, nil)
	checkSameFST(t, b, "the empty key", [][]byte{{}}, []uint64{7})
	checkSameFST(t, b, "the empty key first", [][]byte{{}, []byte("a"), []byte("ab")}, []uint64{5, 9, 3})
	checkSameFST(t, b, "repeated keys", [][]byte{[]byte("a"), []byte("ab"), []byte("ab"), []byte("b")}, []uint64{5, 9, 3, 0})
	checkSameFST(t, b, "zero values", [][]byte{[]byte("a"), []byte("b")}, []uint64{0, 0})

	var buf bytes.Buffer
	b.reset(&buf)
	if err := b.insert([]byte("b"), 1); err != nil {
		t.Fatal(err)
	}
	if err := b.insert([]byte("a"), 1); !errors.Is(err, errFSTOutOfOrder) {
		t.Fatalf("a key out of order: got %v, want errFSTOutOfOrder", err)
	}

	// A corpus's text terms with their postings offsets, when present.
	docs := loadCorpusIfPresent(t, "dwarves-brain")
	if docs == nil {
		return
	}
	terms, offsets := corpusDictionary(docs)
	checkSameFST(t, b, "dwarves-brain terms", terms, offsets)
}

// corpusDictionary returns the text terms of docs indexed in a head, in
// order, each with a made-up postings offset.
func corpusDictionary(docs []*index.Doc) (terms [][]byte, offsets []uint64) {
	h := newHead()
	for i, d := range docs {
		d.Seq = uint64(i + 1)
		h.add(d)
	}
	off := uint64(0)
	for _, id := range h.sortedTermIDs() {
		terms = append(terms, h.term(id))
		offsets = append(offsets, off)
		l := h.list(id)
		off += uint64(len(l.docs) + len(l.pos) + 2)
	}
	return terms, offsets
}

// loadCorpusIfPresent is loadCorpus, or nil (not a skip) without the corpus.
func loadCorpusIfPresent(t *testing.T, name string) []*index.Doc {
	if _, err := testcorpus.Find(name); err != nil {
		return nil
	}
	return loadCorpus(t, name, 0)
}

// BenchmarkFSTBuild builds the text dictionary of a corpus with vellum and
// with fstBuilder (the same bytes).
func BenchmarkFSTBuild(b *testing.B) {
	for _, name := range benchCorpora {
		docs := loadCorpus(b, name, 0)
		terms, offsets := corpusDictionary(docs)
		b.Run(name+"/vellum", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				vellumBytes(b, terms, offsets)
			}
		})
		b.Run(name+"/fstBuilder", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ourBytes(b, &fstBuilder{}, terms, offsets)
			}
		})
	}
}

// FuzzFSTBuilder: for any set of keys (the input's lines, sorted and
// deduplicated, each given a value from its bytes) fstBuilder writes the
// bytes vellum writes, with a builder reused across inputs as fstPool
// reuses it.
func FuzzFSTBuilder(f *testing.F) {
	for _, s := range []string{
		"", "a", "a\nb", "ab\nabc\nabd\nb", "\x00\n\xff\xff\nzz", "mon\nmonday\nmonth\ntue\ntuesday",
		"go\ngolang\ngoroutine\ngopher\ngoto\nrust\nrustacean",
	} {
		f.Add([]byte(s))
	}
	b := &fstBuilder{}
	f.Fuzz(func(t *testing.T, in []byte) {
		keys := bytes.Split(in, []byte("\n"))
		slices.SortFunc(keys, bytes.Compare)
		keys = slices.CompactFunc(keys, bytes.Equal)
		if len(keys) > 0 && len(keys[0]) == 0 {
			keys = keys[1:] // vellum takes the empty key only first; kept simple
		}
		vals := make([]uint64, len(keys))
		for i, k := range keys {
			for _, c := range k {
				vals[i] = vals[i]*131 + uint64(c)
			}
		}
		checkSameFST(t, b, "fuzz", keys, vals)
	})
}
