package search

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/kotadb/kotadb/internal/vfs"
)

// synthHead is a head of n synthetic documents.
func synthHead(seed uint64, n int) *head {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	h := newHead()
	for i := range n {
		d := synthDoc(rng, fmt.Sprintf("c/j%03d.md", i))
		d.Seq = uint64(i + 1)
		h.add(d)
	}
	return h
}

func sectionBytes(t *testing.T, in *segmentInput) []byte {
	t.Helper()
	var buf bytes.Buffer
	sw := newSectionWriter(&buf)
	if err := writeSections(sw, in); err != nil {
		t.Fatal(err)
	}
	if err := sw.w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWriteSectionsProcs checks that a segment's bytes do not depend on
// how many helpers build its sections (none: everything inline, in
// order), for a head and for a merge.
func TestWriteSectionsProcs(t *testing.T) {
	h := synthHead(21, 400)
	segs := openSynthSegments(t, 3)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var wantHead, wantMerge []byte
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		gotHead := sectionBytes(t, headInput(h))
		gotMerge := sectionBytes(t, mergeInput(segs, nil))
		if wantHead == nil {
			wantHead, wantMerge = gotHead, gotMerge
			continue
		}
		if !bytes.Equal(gotHead, wantHead) {
			t.Fatalf("GOMAXPROCS=%d: a head's segment differs from GOMAXPROCS=1's", procs)
		}
		if !bytes.Equal(gotMerge, wantMerge) {
			t.Fatalf("GOMAXPROCS=%d: a merged segment differs from GOMAXPROCS=1's", procs)
		}
	}
}

// openSynthSegments writes n heads as segments and opens them.
func openSynthSegments(t *testing.T, n int) []*segment {
	t.Helper()
	fs := vfs.NewMem()
	var segs []*segment
	for i := range n {
		name := fmt.Sprintf("s%d.seg", i)
		writeBytes(t, fs, name, headInput(synthHead(uint64(30+i), 50)))
		s, err := openSegment(fs, name, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.close() })
		segs = append(segs, s)
	}
	return segs
}

// TestWriteSectionsErrors checks that a failing input makes writeSections
// return the error of the first failing section in file order, however
// the sections are spread over goroutines, and that no goroutine is left
// behind (a helper waiting for postings that never come, or for the FST
// builder).
func TestWriteSectionsErrors(t *testing.T) {
	h := synthHead(41, 200)
	errText := errors.New("text fails")
	errKw := errors.New("keywords fail")
	errNum := errors.New("numeric fails")
	errTri := errors.New("trigrams fail")
	failText := func(in *segmentInput) {
		each := in.eachText
		n := 0
		in.eachText = func(fn func(term []byte, docs, pos []byte, df uint32) error) error {
			return each(func(term []byte, docs, pos []byte, df uint32) error {
				if n++; n == len(h.termList)/2 {
					return errText
				}
				return fn(term, docs, pos, df)
			})
		}
	}
	failKw := func(in *segmentInput) {
		in.eachKeyword = func(func(key []byte, docs []byte, df uint32) error) error { return errKw }
	}
	failNum := func(in *segmentInput) {
		in.eachNumeric = func(func(field string, values []numEntry) error) error { return errNum }
	}
	failTri := func(in *segmentInput) {
		in.trigrams = func(io.Writer) error { return errTri }
	}
	cases := []struct {
		name  string
		fails []func(*segmentInput)
		want  error
	}{
		{"text", []func(*segmentInput){failText}, errText},
		{"keywords", []func(*segmentInput){failKw}, errKw},
		{"numeric", []func(*segmentInput){failNum}, errNum},
		{"trigrams", []func(*segmentInput){failTri}, errTri},
		{"text before keywords", []func(*segmentInput){failKw, failText}, errText},
		{"keywords before numeric and trigrams", []func(*segmentInput){failTri, failNum, failKw}, errKw},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	before := runtime.NumGoroutine()
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, c := range cases {
			for range 5 {
				in := headInput(h)
				for _, f := range c.fails {
					f(in)
				}
				err := writeSections(newSectionWriter(io.Discard), in)
				if !errors.Is(err, c.want) {
					t.Fatalf("GOMAXPROCS=%d, %s: got %v, want %v", procs, c.name, err, c.want)
				}
			}
		}
	}
	// writeSections waits for its helpers; give exiting ones a moment.
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines left behind", n-before)
	}
}

// TestSectionBufReplay checks that sections built in a sectionBuf (pieces
// of every size, across its growing chunks) reach the file as written
// straight to the sectionWriter: the same bytes, table of contents and
// checksums.
func TestSectionBufReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	var direct, replayed bytes.Buffer
	dw, rw := newSectionWriter(&direct), newSectionWriter(&replayed)
	var buf sectionBuf
	for id := range uint32(6) {
		dw.begin(id)
		buf.begin(id)
		for range rng.IntN(40) {
			p := make([]byte, rng.IntN(1<<rng.IntN(18)+1))
			for i := range p {
				p[i] = byte(rng.Uint32())
			}
			dw.Write(p)
			buf.Write(p)
		}
		dw.end()
		buf.end()
	}
	if err := buf.replay(rw); err != nil {
		t.Fatal(err)
	}
	for _, sw := range []*sectionWriter{dw, rw} {
		if err := writeTOC(sw); err != nil {
			t.Fatal(err)
		}
		if err := sw.w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(direct.Bytes(), replayed.Bytes()) || fmt.Sprint(dw.toc) != fmt.Sprint(rw.toc) || !bytes.Equal(dw.blockSection(), rw.blockSection()) {
		t.Fatalf("replayed sections differ from sections written directly (%d vs %d bytes)", replayed.Len(), direct.Len())
	}
	if len(buf.chunks) < 3 {
		t.Fatalf("only %d chunks: the test should span several", len(buf.chunks))
	}
}
