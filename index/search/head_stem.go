package search

import (
	"runtime"
	"sync"

	"github.com/kotadb/kotadb/index/analysis"
)

// The head's stem aliases are computed lazily. Stemming every new term as
// it was added cost the serial apply goroutine a quarter of its time on a
// bulk build (and a stemmer cache of about 1 MB), for aliases that only a
// query with stemming or the flush (planStems, via headInput.stemAliases)
// reads. Each term is stemmed once: a catch-up stems the terms added since
// the last one, splitting a large batch (a flush of a bulk build's head)
// across cores. The aliases are the same whenever they are computed: a
// term's stem depends on the term alone, and each stem's list is kept in
// term id order, as adding them one by one gave.

// stemChunk is the fewest terms worth a goroutine of their own.
const stemChunk = 4096

// stemPair pairs a term id with its stem.
type stemPair struct {
	stem string
	id   uint32
}

// catchUpStems adds the stem aliases of terms [stemmed, len(termList)).
// The caller holds stemMu, and the dictionary does not change meanwhile
// (mu is held, at least for reading, or the head is frozen).
func (h *head) catchUpStems() {
	from, to := h.stemmed, len(h.termList)
	if from >= to {
		return
	}
	parts := min(runtime.GOMAXPROCS(0), (to-from+stemChunk-1)/stemChunk)
	if parts <= 1 {
		for _, p := range h.stemRange(from, to, nil) {
			h.stemAlias[p.stem] = append(h.stemAlias[p.stem], p.id)
		}
		h.stemmed = to
		return
	}
	out := make([][]stemPair, parts)
	var wg sync.WaitGroup
	for i := range parts {
		lo := from + (to-from)*i/parts
		hi := from + (to-from)*(i+1)/parts
		wg.Go(func() { out[i] = h.stemRange(lo, hi, nil) })
	}
	wg.Wait()
	for _, ps := range out { // in id order
		for _, p := range ps {
			h.stemAlias[p.stem] = append(h.stemAlias[p.stem], p.id)
		}
	}
	h.stemmed = to
}

// stemRange appends the stem of each term of ids [lo, hi) that has one
// other than itself (what analysis.Stemmer.Stem gives; no cache, as each
// term comes once).
func (h *head) stemRange(lo, hi int, out []stemPair) []stemPair {
	for id := lo; id < hi; id++ {
		t := h.term(uint32(id))
		if !analysis.Stemmable(t) {
			continue
		}
		w := string(t)
		if st := analysis.Stem(w); st != w {
			out = append(out, stemPair{st, uint32(id)})
		}
	}
	return out
}
