package trigram

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestMergeMatchesBuilder checks that merging the sections of consecutive
// runs of documents writes the section one Builder over all of them writes.
func TestMergeMatchesBuilder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"alpha", "Beta", "gamma", "délta", "日本語", "x", "ab", "\xff\xfe", "zeta", "the "}
	for round := range 40 {
		nsrc := rng.IntN(4) + 1
		all := NewBuilder()
		var srcs []*Reader
		var bases []uint32
		doc := uint32(0)
		for range nsrc {
			b := NewBuilder()
			n := rng.IntN(300) + 1 // some sources get bitsets, some varint lists
			bases = append(bases, doc)
			for d := range uint32(n) {
				var text []byte
				for range rng.IntN(12) {
					text = append(text, words[rng.IntN(len(words))]...)
					text = append(text, ' ')
				}
				b.Add(d, text)
				all.Add(doc+d, text)
			}
			doc += uint32(n)
			r, err := Open(writeSection(t, b))
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, r)
		}
		var want, got bytes.Buffer
		if _, err := all.WriteTo(&want); err != nil {
			t.Fatal(err)
		}
		n, err := Merge(&got, srcs, bases, doc)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if n != int64(got.Len()) {
			t.Fatalf("round %d: Merge says %d bytes, wrote %d", round, n, got.Len())
		}
		if !bytes.Equal(want.Bytes(), got.Bytes()) {
			t.Fatalf("round %d: merged section differs from the one built over all documents (%d vs %d bytes)", round, got.Len(), want.Len())
		}
	}
}

func TestMergeRejectsOverlap(t *testing.T) {
	b := NewBuilder()
	b.Add(0, []byte("hello"))
	b.Add(1, []byte("world"))
	r, err := Open(writeSection(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(&bytes.Buffer{}, []*Reader{r, r}, []uint32{0, 1}, 3); err == nil {
		t.Fatal("overlapping sources merged")
	}
	if _, err := Merge(&bytes.Buffer{}, []*Reader{r}, []uint32{0}, 1); err == nil {
		t.Fatal("source past numDocs merged")
	}
}
