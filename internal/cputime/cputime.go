// Package cputime measures the CPU time of the whole process, for
// benchmarks: on a machine shared with other work it is a steadier figure
// than wall time.
package cputime

import "time"

// Process returns the user+system CPU time this process has used, all
// threads together, or 0 where it is not measured (then benchmarks report
// wall-clock figures only).
func Process() time.Duration { return process() }
