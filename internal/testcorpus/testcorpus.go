// Package testcorpus finds the shared real corpora the tests and benchmarks
// run over. They live beside the repository, not in it: the data of corpus
// <name> is ../shared/corpus/<name>/data from the repository root (the
// folder holding go.mod), with its queries.tsv and README one level up. It
// is test support: nothing in kotadb imports it.
package testcorpus

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Find returns the data folder of the shared corpus name, or an error
// saying why it is not available.
func Find(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("corpus %s: no go.mod above the working directory", name)
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "corpus", name, "data")
	if _, err := os.Stat(data); err != nil {
		return "", fmt.Errorf("corpus %s not available at %s (it lives beside the repository, in ../shared/corpus): %w", name, data, err)
	}
	return data, nil
}

// Dir returns the data folder of the shared corpus name, or skips the test
// when it is not available.
func Dir(tb testing.TB, name string) string {
	tb.Helper()
	data, err := Find(name)
	if err != nil {
		tb.Skip(err)
	}
	return data
}
