package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/internal/vfs"
)

// sampleAnswers runs v1Queries (with snippets) and prints each answer, or
// returns the first error.
func sampleAnswers(idx *Index) ([]string, error) {
	var out []string
	for _, tc := range v1Queries {
		res, err := idx.Search(context.Background(), tc.q, SearchOptions{Limit: 10, Snippets: true})
		if err != nil {
			return out, fmt.Errorf("%s: %w", tc.name, err)
		}
		s := fmt.Sprintf("%s total %d %v:", tc.name, res.Total, res.Corrections)
		for _, h := range res.Hits {
			s += fmt.Sprintf(" %s@%d %.9f %+v", h.Key, h.Seq, h.Score, h.Snippet)
		}
		out = append(out, s)
	}
	return out, nil
}

// TestLazyVerificationNeverAnswersWrong flips bytes all over a segment
// written with 64-byte blocks, so that reads verify it piece by piece.
// Open must fail with a corruption error (or, for the footer's version
// field, a format version error), or every query must either
// answer as the undamaged index does or fail with a corruption error; and
// Check, which verifies everything, must always report the damage.
func TestLazyVerificationNeverAnswersWrong(t *testing.T) {
	defer func(old uint8) { segmentBlockShift = old }(segmentBlockShift)
	segmentBlockShift = minBlockShift
	src := t.TempDir()
	writeSample(t, src)
	texts := map[string][]byte{}
	for _, d := range v1Docs() {
		texts[d.Key] = d.Text
	}
	opts := Options{noWorker: true, TextSource: func(key string, _ uint64) ([]byte, error) { return texts[key], nil }}
	open := func(dir string) (*Index, error) { return Open(vfs.OS, dir, opts) }

	idx, err := open(src)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sampleAnswers(idx)
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, idx)
	if b := idx.segs[0].seg.blocks; b == nil || len(b.ok) < 20 {
		t.Fatalf("sample segment not opened lazily with many blocks: %+v", b)
	}
	idx.Close()

	names, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range names {
		if files[e.Name()], err = os.ReadFile(filepath.Join(src, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	const target = "000001.seg"
	stride := 2
	if testing.Short() {
		stride = 7
	}
	dir := t.TempDir()
	atOpen, byQuery, unread := 0, 0, 0
	for i := 0; i < len(files[target]); i += stride {
		for name, data := range files {
			if name == target {
				data = bytes.Clone(data)
				data[i] ^= 0x20
			}
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		idx, err := open(dir)
		if err != nil {
			// The footer's version field reads as a newer format.
			if !errors.Is(err, errs.ErrCorrupt) && !errors.Is(err, errs.ErrFormatVersion) {
				t.Fatalf("flip at %d: Open = %v, want a corruption error", i, err)
			}
			atOpen++
			continue
		}
		got, err := sampleAnswers(idx)
		switch {
		case err != nil && !errors.Is(err, errs.ErrCorrupt):
			t.Fatalf("flip at %d: %v, want a corruption error", i, err)
		case err != nil:
			byQuery++
		default:
			unread++
		}
		for q := range got {
			if got[q] != want[q] {
				t.Fatalf("flip at %d: wrong answer\n got %s\nwant %s", i, got[q], want[q])
			}
		}
		if err := idx.Check(); !errors.Is(err, errs.ErrCorrupt) {
			t.Fatalf("flip at %d: Check = %v, want a corruption error", i, err)
		}
		idx.Close()
	}
	t.Logf("flips found at open %d, by a query %d, by Check only %d", atOpen, byQuery, unread)
	if byQuery == 0 {
		t.Error("no flip was found by a query: the segment was verified at open")
	}
}

// TestMergeVerifiesInputs: a merge reads whole segments, so damage in a
// block no query has read must fail the merge instead of being copied
// into the merged segment under fresh checksums.
func TestMergeVerifiesInputs(t *testing.T) {
	src := t.TempDir()
	writeSample(t, src)
	seg, err := os.ReadFile(filepath.Join(src, "000001.seg"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := decodeSegment("x.seg", seg)
	if err != nil {
		t.Fatal(err)
	}
	entriesBefore, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	// A byte of the docs section: opening does not read it.
	seg[s.base[secDocs]+uint64(len(s.docOffsets))+1] ^= 0x01
	if err := os.WriteFile(filepath.Join(src, "000001.seg"), seg, 0o644); err != nil {
		t.Fatal(err)
	}
	idx, err := Open(vfs.OS, src, Options{noWorker: true})
	if err != nil {
		t.Fatalf("Open verified the docs section eagerly: %v", err)
	}
	defer idx.Close()
	run := idx.segs[:2]
	if err := idx.merge(run, []*segment{run[0].seg, run[1].seg}, 99); !errors.Is(err, errs.ErrCorrupt) {
		t.Fatalf("merge = %v, want a corruption error", err)
	}
	if names, _ := os.ReadDir(src); len(names) != len(entriesBefore) {
		t.Fatalf("the failed merge left files: %v", names)
	}
}
