package trigram

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestExtractorMatchesAdd checks that AddKeys with an Extractor's keys
// (or AddPacked with them packed) builds the same section as Add, for texts with upper case, multi-byte
// runes and invalid UTF-8 (which folds to three bytes per byte), and with
// documents added out of order and twice.
func TestExtractorMatchesAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "C", "ß", "К", "k", "\u212a", "\xff", "\xc3", " ", "日本", "\x00"}
	var e Extractor
	for round := range 50 {
		ref, got := NewBuilder(), NewBuilder()
		docs := rng.IntN(40) + 1
		for i := range docs {
			var text []byte
			for range rng.IntN(300) {
				text = append(text, alphabet[rng.IntN(len(alphabet))]...)
			}
			doc := uint32(i)
			if rng.IntN(5) == 0 {
				doc = uint32(rng.IntN(docs)) // out of order or again
			}
			ref.Add(doc, text)
			keys := e.Keys(nil, text)
			seen := map[uint32]bool{}
			for _, k := range keys {
				if seen[k] {
					t.Fatalf("round %d: key %06x returned twice", round, k)
				}
				seen[k] = true
			}
			if round%2 == 0 {
				got.AddKeys(doc, keys)
			} else {
				got.AddPacked(doc, PackKeys(nil, keys))
			}
		}
		var a, b bytes.Buffer
		if _, err := ref.WriteTo(&a); err != nil {
			t.Fatal(err)
		}
		if _, err := got.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("round %d: sections differ", round)
		}
		if _, err := Open(b.Bytes()); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}
