package search

import "testing"

func TestPickMerge(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		want  int // index of the first merged segment, -1: none
	}{
		{"too few", []int{10, 10}, -1},
		{"equal sizes", []int{10, 10, 10}, 0},
		{"smallest window", []int{50, 10, 10, 10}, 1},
		{"lopsided refused", []int{1000, 1, 1}, -1},
		{"small ones beside a big one", []int{1000, 1, 1, 1}, 1},
		{"busy segments skipped", []int{10, 10, 10, 10}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx := &Index{opts: Options{MergeFactor: 3}}
			for _, n := range tt.sizes {
				idx.segs = append(idx.segs, &segUnit{seg: &segment{data: make([]byte, n)}})
			}
			if tt.name == "busy segments skipped" {
				idx.segs[0].merging = true
			}
			got := idx.pickMerge()
			if tt.want < 0 {
				if got != nil {
					t.Fatalf("picked %d segments, want none", len(got))
				}
				return
			}
			if len(got) != 3 || got[0] != idx.segs[tt.want] {
				t.Fatalf("picked %v, want the 3 from %d", got, tt.want)
			}
		})
	}
}
