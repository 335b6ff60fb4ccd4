//go:build race

package ingest

// raceEnabled: the race detector slows the crash test's child several
// times, so the test uses a smaller vault.
const raceEnabled = true
