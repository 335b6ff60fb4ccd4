//go:build !unix

package ingest

import "time"

// processCPUTime is not measured on this platform; benchmarks then report
// wall-clock figures only.
func processCPUTime() time.Duration { return 0 }
