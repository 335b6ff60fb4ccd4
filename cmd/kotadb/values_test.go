package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{in: "4096", want: 4096},
		{in: "10MB", want: 10 << 20},
		{in: "10mb", want: 10 << 20},
		{in: "10 MiB", want: 10 << 20},
		{in: "512k", want: 512 << 10},
		{in: "1.5GB", want: 3 << 29},
		{in: "0", want: 0},
		{in: "7B", want: 7},
		{in: "", wantErr: "invalid size"},
		{in: "MB", wantErr: "invalid size"},
		{in: "ten", wantErr: "invalid size"},
		{in: "-1MB", wantErr: "out of range"},
		{in: "1e3", wantErr: "invalid size"},
		{in: "NaN", wantErr: "invalid size"},
		{in: "inf", wantErr: "invalid size"},
		{in: "0x10", wantErr: "invalid size"},
		{in: "99999999999GB", wantErr: "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSize(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseSize(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2025, 2, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2025-01-31T12:00:00Z", want: time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC)},
		{in: "2025-01-31T12:00:00.5+01:00", want: time.Date(2025, 1, 31, 11, 0, 0, 5e8, time.UTC)},
		{in: "2025-01-31", want: time.Date(2025, 1, 31, 0, 0, 0, 0, time.Local)},
		{in: "2025-01-31 08:30:00", want: time.Date(2025, 1, 31, 8, 30, 0, 0, time.Local)},
		{in: "2025-01-31T08:30", want: time.Date(2025, 1, 31, 8, 30, 0, 0, time.Local)},
		{in: "now", want: now},
		{in: "-2h", want: now.Add(-2 * time.Hour)},
		{in: "-90m", want: now.Add(-90 * time.Minute)},
		{in: "-1h30m", want: now.Add(-90 * time.Minute)},
		{in: "-3d", want: now.AddDate(0, 0, -3)},
		{in: "-1.5d", want: now.Add(-36 * time.Hour)},
		{in: "-1w", want: now.AddDate(0, 0, -7)},
		{in: "yesterday", wantErr: true},
		{in: "2025-13-01", wantErr: true},
		{in: "-", wantErr: true},
		{in: "--2h", wantErr: true},
		{in: "-2", wantErr: true},
		{in: "-xd", wantErr: true},
		{in: "-1e300d", wantErr: true},
		{in: "2h", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime(tt.in, now)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseTime(%q) = %v; want an error", tt.in, got)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("parseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KB"},
		{3355443, "3.2 MB"},
		{5 << 30, "5.0 GB"},
		{1 << 62, "4096.0 PB"},
	}
	for _, tt := range tests {
		if got := formatBytes(tt.in); got != tt.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseSize checks that any input gives a non-negative size or an
// error that quotes the input, and never panics.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"10MB", "1.5GiB", "4096", "-1", "1e9", "k", " 3 kb "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid size") {
				t.Fatalf("parseSize(%q): error %q does not say what is wrong", s, err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("parseSize(%q) = %d < 0", s, n)
		}
	})
}

// FuzzParseTime checks that relative times never land after now and that
// nothing panics.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2025-01-31T12:00:00Z", "2025-01-31", "-2h", "-3d", "-1w", "now", "-9999999999d"} {
		f.Add(s)
	}
	now := time.Date(2025, 2, 3, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime(s, now)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid time") {
				t.Fatalf("parseTime(%q): error %q does not say what is wrong", s, err)
			}
			return
		}
		if strings.HasPrefix(strings.TrimSpace(s), "-") && got.After(now) {
			t.Fatalf("parseTime(%q) = %v, after now", s, got)
		}
	})
}
