package search

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/vellum"
)

// randomKeys draws distinct keys of random bytes, biased towards a few
// letters so that keys share prefixes.
func randomKeys(rng *rand.Rand, n int) []string {
	set := map[string]bool{}
	for range n {
		k := make([]byte, rng.IntN(12))
		for i := range k {
			if rng.IntN(4) == 0 {
				k[i] = byte(rng.IntN(256))
			} else {
				k[i] = "abcde"[rng.IntN(5)]
			}
		}
		set[string(k)] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// vellumValues returns what vellum itself reads from an FST: every key with
// its value.
func vellumValues(t *testing.T, data []byte) map[string]uint64 {
	fst, err := vellum.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	it, err := fst.Iterator(nil, nil)
	for err == nil {
		k, v := it.Current()
		out[string(k)] = v
		err = it.Next()
	}
	return out
}

// TestFSTReaderMatchesVellum: walking and looking up random FSTs gives
// what vellum gives, for every key, for absent keys and for prefixes.
func TestFSTReaderMatchesVellum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	// Every byte as a one-transition state (the common-input codes) and a
	// root with 256 transitions.
	var every []string
	for b := range 256 {
		every = append(every, string([]byte{byte(b), byte(b)}))
	}
	dicts := [][]string{nil, {""}, {"a"}, every}
	for range 200 {
		dicts = append(dicts, randomKeys(rng, 1+rng.IntN(300)))
	}
	for i, keys := range dicts {
		data := buildTestFST(t, keys)
		want := vellumValues(t, data)
		r, ok := newFSTReader(data)
		if !ok {
			t.Fatalf("dict %d: newFSTReader rejected a vellum FST", i)
		}
		got := map[string]uint64{}
		var order []string
		if !r.prefixWalk(nil, func(k []byte, v uint64) bool {
			got[string(k)] = v
			order = append(order, string(k))
			return true
		}) {
			t.Fatalf("dict %d: walk reports a malformed FST", i)
		}
		if !maps.Equal(got, want) || !slices.IsSorted(order) {
			t.Fatalf("dict %d: walk found %v, vellum %v", i, got, want)
		}
		for _, k := range keys {
			if v, found, bad := r.lookup([]byte(k)); !found || bad || v != want[k] {
				t.Fatalf("dict %d: lookup(%q) = %d, %v, %v; vellum %d", i, k, v, found, bad, want[k])
			}
			if _, found, _ := r.lookup([]byte(k + "\xfe")); found != (want[k+"\xfe"] != 0 || slices.Contains(keys, k+"\xfe")) {
				t.Fatalf("dict %d: lookup(%q) found %v", i, k+"\xfe", found)
			}
		}
		for range 5 {
			prefix := ""
			if len(keys) > 0 {
				k := keys[rng.IntN(len(keys))]
				prefix = k[:rng.IntN(len(k)+1)]
			}
			var gotP []string
			r.prefixWalk([]byte(prefix), func(k []byte, v uint64) bool {
				if v != want[string(k)] {
					t.Fatalf("dict %d: %q valued %d, vellum %d", i, k, v, want[string(k)])
				}
				gotP = append(gotP, string(k))
				return true
			})
			var wantP []string
			for _, k := range keys {
				if strings.HasPrefix(k, prefix) {
					wantP = append(wantP, k)
				}
			}
			if !slices.Equal(gotP, wantP) {
				t.Fatalf("dict %d: prefix %q: %q, want %q", i, prefix, gotP, wantP)
			}
		}
	}
}

// TestFSTReaderStops: a walk ends when fn returns false.
func TestFSTReaderStops(t *testing.T) {
	r, _ := newFSTReader(buildTestFST(t, []string{"a", "ab", "abc", "b"}))
	n := 0
	if !r.prefixWalk(nil, func([]byte, uint64) bool { n++; return n < 2 }) || n != 2 {
		t.Fatalf("fn called %d times after returning false, want 2", n)
	}
}

// exerciseFST reads data as an FST through every entry point: nothing may
// panic or run away, whatever the bytes.
func exerciseFST(data []byte) {
	r, ok := newFSTReader(data)
	if !ok {
		return
	}
	for _, k := range []string{"", "a", "abc", "pipelines", "\xff\x00"} {
		r.lookup([]byte(k))
		n := 0
		r.prefixWalk([]byte(k), func([]byte, uint64) bool { n++; return n < 1000 })
	}
	for _, w := range []string{"abcde", "pipelnes", "kubernetess"} {
		n := 0
		newLevQuery(w, 2).walkFST(&r, func([]byte, int, uint64) bool { n++; return n < 1000 })
	}
}

func FuzzFSTReader(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	var buf bytes.Buffer
	seeds := map[string][]byte{}
	for i, keys := range [][]string{{"a", "ab", "abc", "abd", "b"}, randomKeys(rng, 40), {"pipeline", "pipelines", "piplines", "zpipelines"}} {
		buf.Reset()
		if err := buildFST(&buf, len(keys), func(j int) ([]byte, uint64) { return []byte(keys[j]), uint64(j) * 1000 }); err != nil {
			f.Fatal(err)
		}
		seeds[string(rune('a'+i))] = bytes.Clone(buf.Bytes())
	}
	if *update {
		writeSeeds(&testing.T{}, "FuzzFSTReader", seeds)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { exerciseFST(data) })
}
