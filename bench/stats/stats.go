// Package stats has the harness's statistics: percentiles over a sample and
// the stable-median loop that decides how many times to repeat a query.
package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 ≤ p ≤ 100) of xs by linear
// interpolation between the two closest ranks (Hyndman & Fan type 7, the
// default of numpy and R), so p95 of a small sample is not just its maximum.
// xs need not be sorted and is not modified. It returns NaN for an empty
// sample or a p outside [0, 100].
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 || math.IsNaN(p) || p < 0 || p > 100 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return percentileSorted(s, p)
}

func percentileSorted(s []float64, p float64) float64 {
	if len(s) == 1 {
		return s[0]
	}
	h := (p / 100) * float64(len(s)-1)
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// Median is Percentile(xs, 50).
func Median(xs []float64) float64 { return Percentile(xs, 50) }

// MedianDuration is the median of ds (0 for an empty slice).
func MedianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return time.Duration(math.Round(Median(durationsToFloat(ds))))
}

func durationsToFloat(ds []time.Duration) []float64 {
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = float64(d)
	}
	return xs
}

// Summary is a sample's size and percentiles, in the sample's unit.
type Summary struct {
	N   int     `json:"n"`
	Min float64 `json:"min"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Summarize computes a Summary of xs. The zero Summary (N == 0) stands for
// an empty sample.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return Summary{
		N:   len(s),
		Min: s[0],
		P50: percentileSorted(s, 50),
		P95: percentileSorted(s, 95),
		P99: percentileSorted(s, 99),
		Max: s[len(s)-1],
	}
}

// StableConfig says how StableMedian repeats a measurement.
type StableConfig struct {
	Batch      int           // runs per batch; each batch yields its median
	Window     int           // number of latest batch medians whose median must be stable
	Tolerance  float64       // relative change below which the median counts as stable (0.05 = 5%)
	MaxBatches int           // give up on stability after this many batches
	Budget     time.Duration // give up once the measured time adds up to this (0 = no limit)
}

// DefaultStable is what kotabench uses: batches of 50 runs until the median
// of the last 3 batch medians moves by less than 5%, at most 40 batches or
// 2 s of measured time per query.
var DefaultStable = StableConfig{Batch: 50, Window: 3, Tolerance: 0.05, MaxBatches: 40, Budget: 2 * time.Second}

// StableResult is the outcome of StableMedian.
type StableResult struct {
	Median  time.Duration `json:"median_ns"`
	Runs    int           `json:"runs"`
	Batches int           `json:"batches"`
	// Stable is false when MaxBatches or Budget ran out first; Median is
	// then the median over every run made.
	Stable bool `json:"stable"`
}

func (c StableConfig) validate() error {
	switch {
	case c.Batch < 1:
		return fmt.Errorf("stable median: batch size %d < 1", c.Batch)
	case c.Window < 1:
		return fmt.Errorf("stable median: window %d < 1", c.Window)
	case c.Tolerance <= 0 || math.IsNaN(c.Tolerance):
		return fmt.Errorf("stable median: tolerance %v must be > 0", c.Tolerance)
	case c.MaxBatches < c.Window+1:
		return fmt.Errorf("stable median: max batches %d < window+1 (%d)", c.MaxBatches, c.Window+1)
	}
	return nil
}

// StableMedian calls sample in batches of cfg.Batch. After each batch it
// takes the median of the last cfg.Window batch medians; it stops when that
// value differs from the one after the previous batch by less than
// cfg.Tolerance (relative), returning it. sample reports the duration of
// one run; an error from sample stops the loop and is returned.
func StableMedian(cfg StableConfig, sample func() (time.Duration, error)) (StableResult, error) {
	if err := cfg.validate(); err != nil {
		return StableResult{}, err
	}
	if sample == nil {
		return StableResult{}, errors.New("stable median: nil sample function")
	}
	var (
		all          []time.Duration
		batchMedians []float64
		prevWindow   = math.NaN()
		spent        time.Duration
		batch        = make([]time.Duration, 0, cfg.Batch)
	)
	for len(batchMedians) < cfg.MaxBatches {
		batch = batch[:0]
		for range cfg.Batch {
			d, err := sample()
			if err != nil {
				return StableResult{}, fmt.Errorf("run %d: %w", len(all)+len(batch)+1, err)
			}
			batch = append(batch, d)
			spent += d
			if cfg.Budget > 0 && spent >= cfg.Budget {
				all = append(all, batch...)
				return StableResult{Median: MedianDuration(all), Runs: len(all), Batches: len(batchMedians) + 1}, nil
			}
		}
		all = append(all, batch...)
		batchMedians = append(batchMedians, Median(durationsToFloat(batch)))
		if len(batchMedians) < cfg.Window {
			continue
		}
		window := Median(batchMedians[len(batchMedians)-cfg.Window:])
		if !math.IsNaN(prevWindow) && relChange(prevWindow, window) < cfg.Tolerance {
			return StableResult{Median: time.Duration(math.Round(window)), Runs: len(all), Batches: len(batchMedians), Stable: true}, nil
		}
		prevWindow = window
	}
	return StableResult{Median: MedianDuration(all), Runs: len(all), Batches: len(batchMedians)}, nil
}

// relChange is |b-a| / a, with 0 → 0 counting as no change.
func relChange(a, b float64) float64 {
	if a == 0 {
		if b == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(b-a) / math.Abs(a)
}

// Timed wraps fn so that StableMedian times each call with the monotonic clock.
func Timed(fn func() error) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		start := time.Now()
		err := fn()
		return time.Since(start), err
	}
}
