package search

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestHeadSlab appends random runs to many lists, as the head does, and
// checks every list against a plain slice: in-place appends, moves to a
// bigger class (reusing freed regions), big lists, and lists made big
// because the pages ran out.
func TestHeadSlab(t *testing.T) {
	for _, pageLimit := range []int{maxSlabPages, 2} {
		t.Run("", func(t *testing.T) {
			defer func(old int) { maxSlabPages = old }(maxSlabPages)
			maxSlabPages = pageLimit
			rng := rand.New(rand.NewPCG(3, uint64(pageLimit)))
			var s headSlab
			lists := make([]slabList, 3000)
			want := make([][]byte, len(lists))
			check := func(i int) {
				if got := s.bytes(lists[i]); !bytes.Equal(got, want[i]) {
					t.Fatalf("list %d: %d bytes, want %d (equal prefix: %v)", i, len(got), len(want[i]), bytes.HasPrefix(want[i], got))
				}
			}
			for step := range 60000 {
				i := rng.IntN(len(lists))
				if rng.IntN(4) == 0 {
					i = rng.IntN(2) // two long lists
				}
				b := make([]byte, 1+rng.IntN(12))
				for j := range b {
					b[j] = byte(rng.Uint32())
				}
				s.append(&lists[i], b)
				want[i] = append(want[i], b...)
				check(i)
				if step%5000 == 0 {
					for j := range lists {
						check(j)
					}
				}
			}
			s.append(&lists[0], nil)
			for j := range lists {
				check(j)
			}
			if pageLimit == 2 {
				if len(s.pages) != 2 {
					t.Fatalf("%d pages, limit 2", len(s.pages))
				}
				smallBig := 0
				for _, l := range lists {
					if l.at&bigList != 0 && l.n <= maxSmallList {
						smallBig++
					}
				}
				if smallBig == 0 {
					t.Fatal("no short list was made big when the pages ran out")
				}
			}
			if len(s.big) == 0 {
				t.Fatal("no big list")
			}
			if got := s.bytes(slabList{}); got != nil {
				t.Fatalf("empty list: %v", got)
			}
			// Capacities are exact: a list's bytes cannot be appended to
			// in place by a caller.
			for j := range lists {
				if l := s.bytes(lists[j]); lists[j].at&bigList == 0 && cap(l) != len(l) {
					t.Fatalf("list %d: cap %d, len %d", j, cap(l), len(l))
				}
			}
		})
	}
}

func TestSlabClass(t *testing.T) {
	for n := 1; n <= maxSmallList; n++ {
		c := slabClass(n)
		size := 1 << (c + minSlabShift)
		if c < 0 || c >= numSlabClasses || size < n || (c > 0 && size/2 >= n) {
			t.Fatalf("slabClass(%d) = %d (capacity %d)", n, c, size)
		}
	}
}
