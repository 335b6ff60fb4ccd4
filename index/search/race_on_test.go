//go:build race

package search

// raceEnabled shrinks the corpus tests under the race detector (ten times
// slower); the same code paths run on small inputs there and on the whole
// corpora without it.
const raceEnabled = true
