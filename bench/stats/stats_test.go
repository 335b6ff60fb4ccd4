package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		p    float64
		want float64
	}{
		{"single", []float64{7}, 95, 7},
		{"median odd", []float64{3, 1, 2}, 50, 2},
		{"median even interpolates", []float64{4, 1, 3, 2}, 50, 2.5},
		{"p0 is min", []float64{5, 9, 1}, 0, 1},
		{"p100 is max", []float64{5, 9, 1}, 100, 9},
		{"p95 of 1..20", seq(1, 20), 95, 19.05},
		{"p99 of 1..100", seq(1, 100), 99, 99.01},
		{"p25 of 1..5", seq(1, 5), 25, 2},
		{"empty", nil, 50, math.NaN()},
		{"p below 0", []float64{1}, -1, math.NaN()},
		{"p above 100", []float64{1}, 101, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Percentile(tt.xs, tt.p)
			if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want) || math.Abs(got-tt.want) < 1e-9) {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tt.xs, tt.p, got, tt.want)
			}
		})
	}
}

func seq(from, to int) []float64 {
	var xs []float64
	for i := from; i <= to; i++ {
		xs = append(xs, float64(i))
	}
	return xs
}

// modelPercentile is the type-7 definition written out directly: the value
// at fractional 0-based rank p/100·(n-1) of the sorted sample.
func modelPercentile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := p / 100 * float64(len(s)-1)
	below := math.Floor(rank)
	above := math.Ceil(rank)
	return s[int(below)]*(1-(rank-below)) + s[int(above)]*(rank-below)
}

func TestPercentileAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 1 + rng.IntN(40)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Round(rng.ExpFloat64()*1000) / 10
		}
		orig := slices.Clone(xs)
		p := []float64{0, 50, 95, 99, 100, rng.Float64() * 100}[rng.IntN(6)]
		got, want := Percentile(xs, p), modelPercentile(xs, p)
		if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("Percentile(%v, %v) = %v, model %v", xs, p, got, want)
		}
		if !slices.Equal(xs, orig) {
			t.Fatal("Percentile modified its input")
		}
		s := Summarize(xs)
		if !(s.Min <= s.P50 && s.P50 <= s.P95 && s.P95 <= s.P99 && s.P99 <= s.Max) || s.N != n {
			t.Fatalf("Summarize(%v) = %+v: not ordered", xs, s)
		}
	}
}

// script returns a sample function that yields ds in order, then repeats the last.
func script(ds ...time.Duration) (func() (time.Duration, error), *int) {
	calls := 0
	return func() (time.Duration, error) {
		d := ds[min(calls, len(ds)-1)]
		calls++
		return d, nil
	}, &calls
}

func TestStableMedian(t *testing.T) {
	cfg := StableConfig{Batch: 10, Window: 3, Tolerance: 0.05, MaxBatches: 20}
	us := time.Microsecond

	t.Run("constant stops after window+1 batches", func(t *testing.T) {
		sample, calls := script(5 * us)
		res, err := StableMedian(cfg, sample)
		if err != nil {
			t.Fatal(err)
		}
		want := StableResult{Median: 5 * us, Runs: 40, Batches: 4, Stable: true}
		if res != want || *calls != 40 {
			t.Errorf("got %+v after %d calls, want %+v", res, *calls, want)
		}
	})

	t.Run("slow warm-up is outvoted", func(t *testing.T) {
		// First batch 100µs (cold), then 10µs with one 12µs outlier per batch.
		ds := slices.Repeat([]time.Duration{100 * us}, 10)
		for range 10 {
			ds = append(ds, slices.Repeat([]time.Duration{10 * us}, 9)...)
			ds = append(ds, 12*us)
		}
		sample, _ := script(ds...)
		res, err := StableMedian(cfg, sample)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Stable || res.Median != 10*us || res.Batches != 4 {
			t.Errorf("got %+v, want stable 10µs after 4 batches", res)
		}
	})

	t.Run("drifting never settles", func(t *testing.T) {
		n := 0
		res, err := StableMedian(cfg, func() (time.Duration, error) {
			n++
			return time.Duration(n) * us * 10, nil // +10% per batch or more
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stable || res.Batches != cfg.MaxBatches || res.Runs != cfg.MaxBatches*cfg.Batch {
			t.Errorf("got %+v, want unstable after %d batches", res, cfg.MaxBatches)
		}
		if want := MedianDuration(linearDurations(n)); res.Median != want {
			t.Errorf("median %v, want median of all runs %v", res.Median, want)
		}
	})

	t.Run("budget stops mid-batch", func(t *testing.T) {
		c := cfg
		c.Budget = 25 * time.Millisecond
		sample, calls := script(time.Millisecond)
		res, err := StableMedian(c, sample)
		if err != nil {
			t.Fatal(err)
		}
		want := StableResult{Median: time.Millisecond, Runs: 25, Batches: 3}
		if res != want || *calls != 25 {
			t.Errorf("got %+v after %d calls, want %+v", res, *calls, want)
		}
	})

	t.Run("sample error stops", func(t *testing.T) {
		boom := errors.New("boom")
		n := 0
		_, err := StableMedian(cfg, func() (time.Duration, error) {
			if n++; n == 13 {
				return 0, boom
			}
			return us, nil
		})
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "run 13") {
			t.Errorf("error = %v, want boom at run 13", err)
		}
	})
}

func linearDurations(n int) []time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		ds[i] = time.Duration(i+1) * time.Microsecond * 10
	}
	return ds
}

func TestStableMedianInvalidConfig(t *testing.T) {
	ok := func() (time.Duration, error) { return 1, nil }
	tests := []struct {
		cfg  StableConfig
		want string
	}{
		{StableConfig{Batch: 0, Window: 3, Tolerance: 0.05, MaxBatches: 10}, "batch size 0"},
		{StableConfig{Batch: 5, Window: 0, Tolerance: 0.05, MaxBatches: 10}, "window 0"},
		{StableConfig{Batch: 5, Window: 3, Tolerance: 0, MaxBatches: 10}, "tolerance 0"},
		{StableConfig{Batch: 5, Window: 3, Tolerance: 0.05, MaxBatches: 3}, "max batches 3 < window+1 (4)"},
	}
	for _, tt := range tests {
		if _, err := StableMedian(tt.cfg, ok); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("StableMedian(%+v) error = %v, want %q", tt.cfg, err, tt.want)
		}
	}
	if _, err := StableMedian(DefaultStable, nil); err == nil {
		t.Error("nil sample function accepted")
	}
}

func TestTimed(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	d, err := Timed(func() error { calls++; return boom })()
	if !errors.Is(err, boom) || calls != 1 || d < 0 {
		t.Errorf("Timed = %v, %v after %d calls", d, err, calls)
	}
}

func BenchmarkStableMedianOverhead(b *testing.B) {
	cfg := StableConfig{Batch: 50, Window: 3, Tolerance: 0.05, MaxBatches: 40}
	sample, _ := script(time.Microsecond)
	for b.Loop() {
		if _, err := StableMedian(cfg, sample); err != nil {
			b.Fatal(err)
		}
	}
}
