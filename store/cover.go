package store

import (
	"encoding/binary"
	"math/bits"
)

// Dictionary content selection, after zstd's FASTCOVER (Liao, Petri, Moffat,
// Wirth, "Effective Construction of Relative Lempel-Ziv Dictionaries"): split
// the samples into epochs, and from each epoch take the k-byte segment whose
// d-byte substrings ("d-mers") occur in the most samples; zero the taken
// d-mers so later segments bring new material; repeat until the dictionary is
// full. The best segments go last: zstd reaches the end of a dictionary with
// the shortest offsets.
//
// One difference: a d-mer's weight is the number of samples containing it,
// minus one, not its raw count. Text repeated inside one document is found by
// zstd within that document anyway; the dictionary pays off for text shared
// between documents.

const (
	coverD       = 8   // d-mer length
	coverK       = 256 // segment length
	coverPasses  = 1   // each epoch contributes about this many segments
	coverMinBits = 10  // bounds of the d-mer table size, see coverHashBits
	coverMaxBits = 18
)

// coverHashBits sizes the d-mer tables for n d-mers: about one slot per 8,
// which on the test corpora compresses as well as tables 2x larger (and
// within 0.2% of 8x larger) while they stay small enough for the cache:
// they are touched at random for every d-mer.
func coverHashBits(n int) int {
	return min(coverMaxBits, max(coverMinBits, bits.Len(uint(n))-3))
}

// dmerCount counts the samples containing the d-mers of one hash.
type dmerCount struct {
	samples    uint32
	lastSample int32
}

// buildHistory returns at most size bytes of dictionary content chosen from
// samples.
func buildHistory(samples [][]byte, size int) []byte {
	length := 0
	for _, s := range samples {
		length += len(s)
	}
	all := make([]byte, 0, length)
	for _, s := range samples {
		all = append(all, s...)
	}
	if len(all) <= size {
		return all
	}
	n := len(all) - coverD + 1
	hashBits := coverHashBits(n)
	hashes := make([]uint32, n)
	// Counting touches a d-mer's count and last sample together: side by
	// side they cost one cache miss, not two.
	counts := make([]dmerCount, 1<<hashBits)
	for i := range counts {
		counts[i].lastSample = -1
	}
	off := 0
	for si, s := range samples {
		for i := off; i < min(n, off+len(s)); i++ {
			h := dmerHash(all[i:], hashBits)
			hashes[i] = h
			if c := &counts[h]; c.lastSample != int32(si) {
				c.lastSample = int32(si)
				c.samples++
			}
		}
		off += len(s)
	}
	freq := make([]uint32, len(counts))
	for i, c := range counts {
		freq[i] = max(c.samples, 1) - 1
	}

	epochs := max(1, size/coverK/coverPasses)
	epochLen := max(coverK, n/epochs)
	inWindow := make([]uint16, len(freq))
	var chosen [][2]int // [start, end) of each chosen segment, best first
	total := 0
	for pass := 0; total < size && pass < coverPasses*4; pass++ {
		progress := false
		for e := 0; e*epochLen < n && total < size; e++ {
			start, end := e*epochLen, min(n, (e+1)*epochLen)
			s, score := bestSegment(hashes[start:end], freq, inWindow)
			if score == 0 {
				continue
			}
			s += start
			segEnd := min(len(all), s+coverK+coverD-1)
			if segEnd-s > size-total {
				segEnd = s + size - total
			}
			for i := s; i < min(n, segEnd); i++ {
				freq[hashes[i]] = 0
			}
			chosen = append(chosen, [2]int{s, segEnd})
			total += segEnd - s
			progress = true
		}
		if !progress {
			break
		}
	}
	out := make([]byte, 0, total)
	for i := len(chosen) - 1; i >= 0; i-- {
		out = append(out, all[chosen[i][0]:chosen[i][1]]...)
	}
	return out
}

// bestSegment returns the start (index into hashes) and score of the window
// of coverK d-mers with the highest total weight, counting each distinct
// d-mer of a window once. inWindow is scratch space, zero on entry and exit.
func bestSegment(hashes []uint32, freq []uint32, inWindow []uint16) (int, uint64) {
	var score, best uint64
	bestStart := 0
	for i, h := range hashes {
		if inWindow[h] == 0 {
			score += uint64(freq[h])
		}
		inWindow[h]++
		if i >= coverK {
			old := hashes[i-coverK]
			inWindow[old]--
			if inWindow[old] == 0 {
				score -= uint64(freq[old])
			}
		}
		if score > best {
			best, bestStart = score, max(0, i-coverK+1)
		}
	}
	for _, h := range hashes[max(0, len(hashes)-coverK):] {
		inWindow[h] = 0
	}
	return bestStart, best
}

func dmerHash(b []byte, hashBits int) uint32 {
	const prime = 0xcf1bbcdcb7a56463
	return uint32((binary.LittleEndian.Uint64(b) * prime) >> (64 - hashBits))
}
