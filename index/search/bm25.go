package search

import (
	"encoding/binary"
	"math"
	"sync/atomic"
)

// Ranking is BM25F (Robertson & Zaragoza's "simple BM25F"): a term's
// frequencies in the fields are combined, each length-normalized by its own
// field and weighted, before one saturation:
//
//	B_f(d)  = 1 - b_f + b_f · len_f(d) / avglen_f      (B_f = 1 when avglen_f = 0)
//	tf~(d)  = Σ_f  w_f · tf_f(d) / B_f(d)
//	idf     = ln(1 + (N - df + 0.5) / (df + 0.5))
//	score   = idf · tf~ / (k1 + tf~)
//
// N is the number of live documents, df the number of live documents the
// term matches (in any field the query allows), len_f(d) the number of
// tokens of field f in d and avglen_f its mean over live documents. A
// term's frequency tf_f(d) sums the frequencies of every word it matches
// (its stem group, its prefix expansions, its corrections, each times the
// variant's weight: 1, or correctionWeight for a corrected word). A phrase
// uses its occurrence count as tf and the sum of its words' idfs as idf. A
// document's score is the sum over the query's scoring clauses it matches;
// keyword, numeric, regex and substring clauses filter without scoring.
// Like Lucene since 8.0 the constant (k1 + 1) factor is left out: it does
// not change the order.

// BM25Params are the ranking parameters.
type BM25Params struct {
	K1      float64
	B       [numTextFields]float64 // length normalization per field
	Weights [numTextFields]float64 // field weights
}

// DefaultBM25: title 3, headings 2, tags 2, path 1.5, body 1; k1 1.2, b 0.75.
var DefaultBM25 = BM25Params{
	K1:      1.2,
	B:       [numTextFields]float64{0.75, 0.75, 0.75, 0.75, 0.75},
	Weights: [numTextFields]float64{3, 2, 2, 1.5, 1},
}

// correctionWeight scales the frequencies of a word reached by a typo
// correction at the given edit distance.
func correctionWeight(dist int) float64 { return math.Pow(0.5, float64(dist)) }

func idf(n, df float64) float64 {
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// collectionStats are the live document count and mean field lengths of a
// snapshot.
type collectionStats struct {
	n   float64
	avg [numTextFields]float64
}

func snapshotStats(s *snapshot) collectionStats {
	var st collectionStats
	var sums [numTextFields]float64
	for _, v := range s.views {
		st.n += float64(v.limit - v.dead.count)
		for f := range numTextFields {
			sums[f] += float64(v.sums[f] - v.dead.lenSum[f])
		}
	}
	if st.n > 0 {
		for f := range numTextFields {
			st.avg[f] = sums[f] / st.n
		}
	}
	return st
}

// fieldScorer holds, for one unit, what turns frequencies into tf~, with
// B_f(d) = base_f + scale_f · len_f(d) precomputed per query. For segments
// the factors w_f / B_f(d) of every doc are precomputed too (inv), once
// worth it (see useTable), so that scoring a doc is a few multiply-adds.
type fieldScorer struct {
	k1    float64
	w     [numTextFields]float64
	base  [numTextFields]float64
	scale [numTextFields]float64
	norms []byte
	inv   []float64 // numTextFields per doc, or nil

	// pending is the segment's table not built yet while the scorer
	// computes the factors itself; directLimit is how many may be
	// computed so before the table is built (see useTable).
	pending     *normTable
	directLimit int64
}

func (s *fieldScorer) init(p *BM25Params, avg [numTextFields]float64, norms []byte) {
	*s = fieldScorer{k1: p.K1, w: p.Weights, norms: norms}
	for f := range numTextFields {
		if avg[f] > 0 {
			s.base[f], s.scale[f] = 1-p.B[f], p.B[f]/avg[f]
		} else {
			s.base[f] = 1
		}
	}
}

// tfNorm returns tf~ for a doc given its weighted frequency per field.
func (s *fieldScorer) tfNorm(doc uint32, tf *[numTextFields]float64) float64 {
	if s.inv != nil {
		off := int(doc) * numTextFields
		if off+numTextFields > len(s.inv) {
			return 0
		}
		inv := s.inv[off : off+numTextFields]
		var t float64
		for f := range numTextFields {
			if tf[f] != 0 {
				t += tf[f] * inv[f]
			}
		}
		return t
	}
	off := int(doc) * normsEntrySize
	if off+normsEntrySize > len(s.norms) {
		return 0
	}
	if s.pending != nil {
		s.countDirect(numTextFields)
	}
	lens := s.norms[off : off+normsEntrySize]
	var t float64
	for f := range numTextFields {
		if tf[f] == 0 {
			continue
		}
		t += tf[f] * s.factor(f, binary.LittleEndian.Uint32(lens[4*f:]))
	}
	return t
}

// factorAt is w_f / B_f(doc).
func (s *fieldScorer) factorAt(doc uint32, f int) float64 {
	if s.inv != nil {
		if i := int(doc)*numTextFields + f; i < len(s.inv) {
			return s.inv[i]
		}
		return 0
	}
	if s.pending != nil {
		s.countDirect(1)
	}
	return s.factor(f, fieldLen(s.norms, doc, f))
}

// factor is w_f / B_f for a field of length l.
func (s *fieldScorer) factor(f int, l uint32) float64 {
	return s.w[f] / (s.base[f] + s.scale[f]*float64(l))
}

func (s *fieldScorer) saturate(idf, tfn float64) float64 {
	return idf * tfn / (s.k1 + tfn)
}

// normTable is a segment's w_f / B_f(d) factors for one set of ranking
// parameters and field averages. The averages change with every write, so
// a segment keeps the table of the last ones asked for: between writes
// every search shares it. A table whose inv is nil is pending: asked for,
// not built yet.
type normTable struct {
	b, w   [numTextFields]float64
	avg    [numTextFields]float64
	inv    []float64
	seg    *segment     // the segment of a pending table
	direct atomic.Int64 // factors computed without the pending table
}

func (t *normTable) fits(p *BM25Params, avg [numTextFields]float64) bool {
	return t.avg == avg && t.b == p.B && t.w == p.Weights
}

// useTable makes the scorer use the segment's table for the averages once
// it is worth building: when the searches since the averages changed have
// computed half as many factors without it as it holds. Until then the
// scorer computes each factor it needs. The first search after an Open
// (or a write) usually scores a few dozen docs, and building the table of
// every doc of a segment (885 docs × 5 fields for dwarves-brain, 35 KB)
// took it twice as long; searches that score many docs pay at most half a
// table more. The table holds what factor computes, so the scores are the
// same with or without it.
func (s *fieldScorer) useTable(seg *segment, p *BM25Params, avg [numTextFields]float64) {
	t := seg.normTab.Load()
	if t == nil || !t.fits(p, avg) {
		nt := &normTable{b: p.B, w: p.Weights, avg: avg, seg: seg}
		if seg.normTab.CompareAndSwap(t, nt) {
			t = nt
		} else if t = seg.normTab.Load(); t == nil || !t.fits(p, avg) {
			t = nt // another search's averages: compute directly
		}
	}
	if t.inv != nil {
		s.inv = t.inv
		return
	}
	s.pending = t
	s.directLimit = int64(seg.numDocs) * numTextFields / 2
	if t.direct.Load() >= s.directLimit {
		s.buildTable(t)
	}
}

// countDirect counts n factors computed without the table, building it at
// the limit.
func (s *fieldScorer) countDirect(n int64) {
	if s.pending.direct.Add(n) >= s.directLimit {
		s.buildTable(s.pending)
	}
}

// buildTable builds and publishes the table that pending stands for, and
// makes the scorer use it.
func (s *fieldScorer) buildTable(pending *normTable) {
	seg := pending.seg
	t := &normTable{b: pending.b, w: pending.w, avg: pending.avg, inv: make([]float64, int(seg.numDocs)*numTextFields)}
	for d := range int(seg.numDocs) {
		for f := range numTextFields {
			t.inv[d*numTextFields+f] = s.factor(f, fieldLen(s.norms, uint32(d), f))
		}
	}
	seg.normTab.CompareAndSwap(pending, t)
	s.inv, s.pending = t.inv, nil
}
