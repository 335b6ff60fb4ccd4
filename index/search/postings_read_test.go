package search

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestSkipVarints checks the word-at-a-time skip against a byte-by-byte
// count, from every offset and for every count, including counts running
// past the end of the buffer.
func TestSkipVarints(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		var buf []byte
		for range r.IntN(40) {
			v := r.Uint64N(1 << (7 * (1 + r.IntN(3))))
			buf = binary.AppendUvarint(buf, v)
		}
		for off := 0; off <= len(buf); off++ {
			for n := uint64(0); n < 45; n++ {
				wantOff, wantOK := off, true
				left := n
				for left > 0 {
					if wantOff >= len(buf) {
						wantOff, wantOK = len(buf), false
						break
					}
					if buf[wantOff] < 0x80 {
						left--
					}
					wantOff++
				}
				got, ok := skipVarints(buf, off, n)
				if got != wantOff || ok != wantOK {
					t.Fatalf("trial %d: skipVarints(%x, %d, %d) = %d, %v; want %d, %v", trial, buf, off, n, got, ok, wantOff, wantOK)
				}
			}
		}
	}
}

// TestDecodePositions checks the inline decoding of positions (one-, two-
// and longer varints) against encoding/binary, and that it reports
// truncated or overflowing input.
func TestDecodePositions(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		var buf []byte
		var want []uint32
		cur := uint32(0)
		for range r.IntN(50) {
			d := uint32(r.Uint64N(1 << (7 * (1 + r.IntN(3)))))
			cur += d
			want = append(want, cur)
			buf = binary.AppendUvarint(buf, uint64(d))
		}
		got, ok := decodePositions(buf, 0, len(want), nil)
		if !ok || len(got) != len(want) {
			t.Fatalf("decodePositions(%x) = %v, %v; want %v", buf, got, ok, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("decodePositions(%x) = %v; want %v", buf, got, want)
			}
		}
		// The same through a posIter, block by block.
		it := posIter{p: buf, left: uint32(len(want))}
		for i := range want {
			p, ok := it.next()
			if !ok || p != want[i] {
				t.Fatalf("posIter over %x: position %d = %d, %v; want %d", buf, i, p, ok, want[i])
			}
		}
		if _, ok := it.next(); ok || it.bad {
			t.Fatalf("posIter over %x: more than %d positions (bad %v)", buf, len(want), it.bad)
		}
		if len(want) > 0 {
			if _, ok := decodePositions(buf[:len(buf)-1], 0, len(want), nil); ok {
				t.Fatalf("decodePositions of truncated %x succeeded", buf[:len(buf)-1])
			}
			it := posIter{p: buf[:len(buf)-1], left: uint32(len(want))}
			for range want {
				if _, ok := it.next(); !ok {
					break
				}
			}
			if !it.bad {
				t.Fatalf("posIter over truncated %x: not reported", buf[:len(buf)-1])
			}
		}
	}
	over := binary.AppendUvarint(binary.AppendUvarint(nil, 1<<32-1), 1)
	if _, ok := decodePositions(over, 0, 2, nil); ok {
		t.Fatal("decodePositions: a position past 2^32-1 was accepted")
	}
}
