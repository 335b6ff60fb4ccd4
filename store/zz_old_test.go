package store

import (
	"bytes"
	"testing"
)

func TestZZOldNewHistory(t *testing.T) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		_, data := corpusFiles(t, name)
		for _, budget := range []int{20 << 10, 512 << 10, 2 << 20} {
			for _, size := range []int{4 << 10, 64 << 10} {
				p := pickSamples(data, budget)
				if !bytes.Equal(oldBuildHistory(p, size), buildHistory(p, size)) {
					t.Fatalf("%s %d %d differ", name, budget, size)
				}
			}
		}
	}
	for seed := range uint64(20) {
		p := syntheticNotes(50+int(seed)*7, seed)
		if !bytes.Equal(oldBuildHistory(p, 3000), buildHistory(p, 3000)) {
			t.Fatalf("seed %d differ", seed)
		}
	}
}

// buildHistory returns at most size bytes of dictionary content chosen from
// samples.
func oldBuildHistory(samples [][]byte, size int) []byte {
	var all []byte
	for _, s := range samples {
		all = append(all, s...)
	}
	if len(all) <= size {
		return all
	}
	n := len(all) - coverD + 1
	hashes := make([]uint32, n)
	freq := make([]uint32, 1<<coverHashBits(n))
	lastSample := make([]int32, 1<<coverHashBits(n))
	for i := range lastSample {
		lastSample[i] = -1
	}
	off := 0
	for si, s := range samples {
		for i := off; i < min(n, off+len(s)); i++ {
			h := dmerHash(all[i:], coverHashBits(n))
			hashes[i] = h
			if lastSample[h] != int32(si) {
				lastSample[h] = int32(si)
				freq[h]++
			}
		}
		off += len(s)
	}
	for i := range freq {
		freq[i] = max(freq[i], 1) - 1
	}

	epochs := max(1, size/coverK/coverPasses)
	epochLen := max(coverK, n/epochs)
	inWindow := make([]uint16, 1<<coverHashBits(n))
	var chosen [][2]int // [start, end) of each chosen segment, best first
	total := 0
	for pass := 0; total < size && pass < coverPasses*4; pass++ {
		progress := false
		for e := 0; e*epochLen < n && total < size; e++ {
			start, end := e*epochLen, min(n, (e+1)*epochLen)
			s, score := oldBestSegment(hashes[start:end], freq, inWindow)
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
func oldBestSegment(hashes []uint32, freq []uint32, inWindow []uint16) (int, uint64) {
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


func BenchmarkZZHistory(b *testing.B) {
	_, data := corpusFiles(b, "dwarves-brain")
	for _, budget := range []int{512 << 10, 2 << 20} {
		p := pickSamples(data, budget)
		b.Run("old"+itoa(budget>>10), func(b *testing.B) {
			for b.Loop() {
				oldBuildHistory(p, 64<<10)
			}
		})
		b.Run("new"+itoa(budget>>10), func(b *testing.B) {
			for b.Loop() {
				buildHistory(p, 64<<10)
			}
		})
	}
}
