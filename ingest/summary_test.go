package ingest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestSummaryGolden pins the one-line summary and the JSON form (part of
// the CLI's output) of representative summaries.
func TestSummaryGolden(t *testing.T) {
	summaries := []struct {
		name string
		sum  Summary
	}{
		{"first run", Summary{Collection: "notes", Seen: 885, Added: 880, Skipped: map[string]int{SkipBinary: 3, SkipTooLarge: 2},
			Read: 883, Bytes: 3_200_000, Elapsed: 210 * time.Millisecond, WarningCount: 4,
			Warnings: []parse.Warning{{Position: errs.Position{File: "a.md", Line: 3, Column: 7}, Message: "invalid YAML in frontmatter"}},
			Dict:     &store.DictInfo{ID: 1, Collection: "notes", Size: 65536, Samples: 512, SampleBytes: 2 << 20, Ratio: 3.1, RatioWithout: 2.3}}},
		{"no change", Summary{Collection: "notes", Seen: 885, Unchanged: 885, Elapsed: 12 * time.Millisecond}},
		{"changes", Summary{Collection: "code", Seen: 10, Added: 1, Changed: 2, Moved: 1, Deleted: 3, Unchanged: 5, Kept: 2,
			Skipped: map[string]int{SkipUnreadable: 1, SkipSymlinkLoop: 1, SkipBinary: 1}, Read: 4, Elapsed: time.Second}},
		{"zero", Summary{Collection: "empty"}},
	}
	var got bytes.Buffer
	for _, s := range summaries {
		// The dictionary's JSON form belongs to the store: pinned there.
		noDict := s.sum
		noDict.Dict = nil
		js, err := json.MarshalIndent(noDict, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got.WriteString("== " + s.name + "\n" + s.sum.String() + "\n" + string(js) + "\n")
	}
	golden := filepath.Join("testdata", "summary.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("summary output differs from %s (run with -update after checking):\n%s", golden, got.String())
	}
}

// FuzzSanitizeName checks that any folder name becomes a valid collection
// name or "", and that sanitizing is idempotent.
func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"notes", "My Notes", "..x..", "日本語", "a/b", "a\x00b", "-_-", "Z.9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s := SanitizeName(name)
		if s == "" {
			return
		}
		if err := validName(s); err != nil {
			t.Fatalf("SanitizeName(%q) = %q, which is invalid: %v", name, s, err)
		}
		if again := SanitizeName(s); again != s {
			t.Fatalf("SanitizeName is not idempotent: %q -> %q -> %q", name, s, again)
		}
	})
}
