//go:build unix

package ingest

import (
	"syscall"
	"time"
)

// processCPUTime is the user+system CPU time this process has used: on a
// machine shared with other work it is a steadier figure than wall time.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
