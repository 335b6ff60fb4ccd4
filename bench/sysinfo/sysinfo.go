// Package sysinfo reads what the harness reports about the machine and the
// process: CPU model and cores from /proc/cpuinfo, peak resident memory
// (VmHWM) from /proc/self/status. Linux only; elsewhere the functions return
// an error that says so.
package sysinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StatusKB returns the value in bytes of a "Name:   123 kB" line of a
// /proc/PID/status file read from r; name is used in errors.
func StatusKB(r io.Reader, name, field string) (int64, error) {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || key != field {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("%s:%d: %s: want \"<number> kB\", got %q", name, line, field, strings.TrimSpace(val))
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s:%d: %s: %q is not a size in kB", name, line, field, f[0])
		}
		if n > (1<<63-1)/1024 {
			return 0, fmt.Errorf("%s:%d: %s: %d kB overflows", name, line, field, n)
		}
		return n * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return 0, fmt.Errorf("%s: no %s line", name, field)
}

func selfStatus(field string) (int64, error) {
	const path = "/proc/self/status"
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading %s (Linux only): %w", path, err)
	}
	return StatusKB(bytes.NewReader(b), path, field)
}

// PeakRSS is the process's peak resident set size (VmHWM) in bytes.
func PeakRSS() (int64, error) { return selfStatus("VmHWM") }

// RSS is the process's current resident set size (VmRSS) in bytes.
func RSS() (int64, error) { return selfStatus("VmRSS") }

// ResetPeakRSS resets VmHWM to the current RSS (Linux ≥ 4.0, writing "5" to
// /proc/self/clear_refs), so a later PeakRSS measures one phase only.
func ResetPeakRSS() error {
	const path = "/proc/self/clear_refs"
	if err := os.WriteFile(path, []byte("5"), 0); err != nil {
		return fmt.Errorf("resetting peak RSS via %s: %w", path, err)
	}
	return nil
}

// CPUTime is the user + system CPU time this process has used. Unlike wall
// time it hardly grows when other processes compete for the cores, so it
// shows whether a slow figure is the engine or a busy machine.
func CPUTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// LoadAverage returns the 1-minute load average from a /proc/loadavg read
// from r ("0.52 0.58 0.59 1/467 12345").
func LoadAverage(r io.Reader) (float64, error) {
	b, err := io.ReadAll(io.LimitReader(r, 256))
	if err != nil {
		return 0, fmt.Errorf("reading loadavg: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, fmt.Errorf("loadavg: empty")
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil || !(v >= 0) || math.IsInf(v, 1) {
		return 0, fmt.Errorf("loadavg: %q is not a load average", f[0])
	}
	return v, nil
}

// Machine describes where a benchmark ran.
type Machine struct {
	CPU   string `json:"cpu"`
	Cores int    `json:"cores"` // logical CPUs usable by this process
	// Load is the 1-minute load average when the benchmark started: above
	// Cores, other processes competed for the CPU and wall times suffer.
	Load float64 `json:"load_average"`
	// LoadEnd is the 1-minute load average when the benchmark finished
	// (0: not recorded).
	LoadEnd   float64   `json:"load_average_end,omitempty"`
	MemTotal  int64     `json:"mem_total_bytes,omitempty"`
	GoVersion string    `json:"go_version"`
	OS        string    `json:"os"`
	Kernel    string    `json:"kernel,omitempty"`
	Date      time.Time `json:"date"`
}

// CPUModel returns the first "model name" of a /proc/cpuinfo read from r
// ("" when there is none, as on some ARM kernels).
func CPUModel(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(val), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("reading cpuinfo: %w", err)
	}
	return "", nil
}

// CurrentLoad is the 1-minute load average now, 0 when it cannot be read.
func CurrentLoad() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	load, _ := LoadAverage(bytes.NewReader(b))
	return load
}

// Describe gathers Machine for the running process. Fields it cannot read
// are left empty rather than failing the benchmark.
func Describe(now time.Time) Machine {
	m := Machine{
		Cores:     runtime.NumCPU(),
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
		Date:      now.UTC().Truncate(time.Second),
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU, _ = CPUModel(bytes.NewReader(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemTotal, _ = StatusKB(bytes.NewReader(b), "/proc/meminfo", "MemTotal")
	}
	m.Load = CurrentLoad()
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}
