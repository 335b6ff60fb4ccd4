package sysinfo

import (
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

const status = "Name:\tkotabench\nVmPeak:\t  812345 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t5\n"

func TestStatusKB(t *testing.T) {
	tests := []struct {
		in, field string
		want      int64
		wantErr   string
	}{
		{status, "VmHWM", 20480 * 1024, ""},
		{status, "VmRSS", 10240 * 1024, ""},
		{status, "VmSwap", 0, "s: no VmSwap line"},
		{status, "Threads", 0, `s:5: Threads: want "<number> kB", got "5"`},
		{"VmHWM:\tlots kB\n", "VmHWM", 0, `s:1: VmHWM: "lots" is not a size in kB`},
		{"VmHWM:\t-5 kB\n", "VmHWM", 0, `s:1: VmHWM: "-5" is not a size in kB`},
		{"VmHWM:\t99999999999999999 kB\n", "VmHWM", 0, "overflows"},
		{"MemTotal:       24684544 kB\n", "MemTotal", 24684544 * 1024, ""},
	}
	for _, tt := range tests {
		got, err := StatusKB(strings.NewReader(tt.in), "s", tt.field)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("StatusKB(%q) error = %v, want %q", tt.field, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("StatusKB(%q) = %d, %v; want %d", tt.field, got, err, tt.want)
		}
	}
}

func TestCPUModel(t *testing.T) {
	in := "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\nprocessor\t: 1\nmodel name\t: other\n"
	got, err := CPUModel(strings.NewReader(in))
	if err != nil || got != "Intel(R) Xeon(R) Processor" {
		t.Errorf("CPUModel = %q, %v", got, err)
	}
	if got, err := CPUModel(strings.NewReader("processor: 0\nFeatures: fp asimd\n")); err != nil || got != "" {
		t.Errorf("CPUModel without model name = %q, %v; want empty", got, err)
	}
}

func TestLoadAverage(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"0.52 0.58 0.59 1/467 12345\n", 0.52, false},
		{"8.85 6.79 3.72 3/900 1\n", 8.85, false},
		{"", 0, true},
		{"busy 1 1\n", 0, true},
		{"-1 0 0\n", 0, true},
	}
	for _, tt := range tests {
		got, err := LoadAverage(strings.NewReader(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("LoadAverage(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCPUTime(t *testing.T) {
	before, err := CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for i := range 10_000_000 {
		x ^= i * i
	}
	after, err := CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("CPU time did not grow over a busy loop (%v → %v, x=%d)", before, after, x)
	}
}

func TestProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux only")
	}
	rss, err := RSS()
	if err != nil || rss <= 0 {
		t.Fatalf("RSS = %d, %v", rss, err)
	}
	if err := ResetPeakRSS(); err != nil {
		t.Skipf("kernel cannot reset VmHWM: %v", err)
	}
	// Touch 64 MiB so the peak must grow past it.
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	peak, err := PeakRSS()
	if err != nil {
		t.Fatal(err)
	}
	if peak < rss+60<<20 {
		t.Errorf("peak RSS %d after touching 64 MiB from %d: want it ≥ %d", peak, rss, rss+60<<20)
	}
	runtime.KeepAlive(buf)
	m := Describe(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC))
	if m.Cores < 1 || m.GoVersion == "" || m.Date.Nanosecond() != 0 || m.MemTotal <= 0 {
		t.Errorf("Describe = %+v", m)
	}
}

func FuzzStatusKB(f *testing.F) {
	f.Add(status, "VmHWM")
	f.Add("VmHWM:\t-5 kB\n", "VmHWM")
	f.Add("VmHWM:5 MB\n", "VmHWM")
	f.Fuzz(func(t *testing.T, in, field string) {
		n, err := StatusKB(strings.NewReader(in), "fuzz", field)
		if err == nil && n < 0 {
			t.Fatalf("negative size %d", n)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz") {
			t.Fatalf("error without file name: %v", err)
		}
	})
}

func FuzzCPUModel(f *testing.F) {
	f.Add("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\n")
	f.Add("model name:")
	f.Add("Features: fp\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := CPUModel(strings.NewReader(in))
		if err == nil && got != strings.TrimSpace(got) {
			t.Fatalf("model %q is not trimmed", got)
		}
	})
}

func FuzzLoadAverage(f *testing.F) {
	f.Add("0.52 0.58 0.59 1/467 12345\n")
	f.Add("NaN 1 1")
	f.Add("-0 0 0")
	f.Fuzz(func(t *testing.T, in string) {
		v, err := LoadAverage(strings.NewReader(in))
		if err == nil && (!(v >= 0) || math.IsInf(v, 0)) {
			t.Fatalf("accepted load average %v", v)
		}
	})
}
