package search

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kotadb/kotadb/index/analysis"
	"github.com/kotadb/kotadb/internal/vfs"
)

// writeBytes writes in as a segment file and returns its bytes.
func writeBytes(t *testing.T, fs *vfs.MemFS, name string, in *segmentInput) []byte {
	t.Helper()
	if _, err := writeSegment(fs, name, in); err != nil {
		t.Fatal(err)
	}
	f, err := fs.OpenReadOnly(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil {
		t.Fatal(err)
	}
	return data
}

// TestSegmentBuildPaths checks that the shortcuts of the bulk-build paths
// write the bytes of the plain ones: a head's stem groups taken from its
// dictionary instead of stemming every term again, prepared documents
// instead of Apply's own analysis, and a merge of segments (trigram
// sections merged without the texts) instead of one segment of all their
// documents.
func TestSegmentBuildPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	fs := vfs.NewMem()
	whole := newHead()
	var parts []*head
	var an Analyzer
	for i := range 300 {
		if i%70 == 0 {
			parts = append(parts, newHead())
		}
		d := synthDoc(rng, fmt.Sprintf("c/d%03d.md", i))
		d.Seq = uint64(i + 1)
		whole.add(d)
		parts[len(parts)-1].addPrepared(d, an.Prepare(d))
	}

	in := headInput(whole)
	want := writeBytes(t, fs, "whole.seg", in)
	in = headInput(whole)
	in.stemAliases = nil
	if got := writeBytes(t, fs, "stemmed.seg", in); !bytes.Equal(got, want) {
		t.Fatal("a head's segment differs when its terms are stemmed again")
	}

	var segs []*segment
	for i, p := range parts {
		name := fmt.Sprintf("part%d.seg", i)
		writeBytes(t, fs, name, headInput(p))
		s, err := openSegment(fs, name, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		defer s.close()
		segs = append(segs, s)
	}
	idx := &Index{}
	// The merged dictionary walked in one range or several (each stemming
	// its own terms), or twice without a record (too many inputs).
	defer func() { testDictParts = 0 }()
	for _, parts := range []int{0, 1, 2, 3, 4, -1} {
		testDictParts = parts
		tri, wait := idx.mergeTrigrams(segs)
		got := writeBytes(t, fs, "merged.seg", mergeInput(segs, tri))
		wait()
		if !bytes.Equal(got, want) {
			t.Fatalf("merging the parts' segments (dictionary walked in %d ranges) differs from one segment of all their documents", parts)
		}
	}
}

// TestPreparedStreams checks that a head built from prepared documents
// holds, for every term, the streams appendTextPosting makes from the
// term's occurrences gathered token by token (the way the head used to
// index a document).
func TestPreparedStreams(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	h := newHead()
	type occ struct {
		mask uint8
		tf   [numTextFields]uint32
		pos  []uint32
	}
	want := map[string][2][]byte{}
	last := map[string]int64{}
	var an Analyzer
	var tok analysis.Tokenizer
	for i := range 60 {
		d := synthDoc(rng, fmt.Sprintf("c/p%02d.md", i))
		doc := h.addPrepared(d, an.Prepare(d))
		occs := map[string]*occ{}
		var order []string
		fieldValues(d, func(field int, text []byte, start int) int {
			tok.ResetAt(text, start)
			for tok.Next() {
				term := string(tok.Token().Term)
				o := occs[term]
				if o == nil {
					o = &occ{}
					occs[term] = o
					order = append(order, term)
				}
				o.mask |= 1 << field
				o.tf[field]++
				o.pos = append(o.pos, uint32(tok.Token().Pos))
			}
			return tok.Pos()
		})
		for _, term := range order {
			o := occs[term]
			prev, ok := last[term]
			if !ok {
				prev = -1
			}
			s := want[term]
			s[0], s[1] = appendTextPosting(s[0], s[1], prev, doc, o.mask, &o.tf, o.pos)
			want[term] = s
			last[term] = int64(doc)
		}
	}
	if len(h.termList) != len(want) {
		t.Fatalf("head has %d terms, the documents %d", len(h.termList), len(want))
	}
	for term, s := range want {
		l, ok := h.lookupText([]byte(term))
		if !ok {
			t.Fatalf("term %q missing from the head", term)
		}
		if !bytes.Equal(l.docs, s[0]) || !bytes.Equal(l.pos, s[1]) {
			t.Fatalf("term %q: head streams differ from appendTextPosting's", term)
		}
	}
}
