package ingest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// maxWarnings is how many warnings a Summary keeps; WarningCount has all.
const maxWarnings = 100

// Summary is what one Index run did.
type Summary struct {
	Collection string `json:"collection"`
	// Seen counts the files the walk kept (after ignore rules and hidden
	// entries) plus entries skipped for a reason.
	Seen      int `json:"seen"`
	Added     int `json:"added"`
	Changed   int `json:"changed"`
	Moved     int `json:"moved"`
	Deleted   int `json:"deleted"`
	Unchanged int `json:"unchanged"`
	// Kept counts stored keys neither confirmed nor deleted because their
	// file or directory could not be read this run.
	Kept int `json:"kept"`
	// Skipped counts entries not indexed, by reason (see the Skip constants).
	Skipped map[string]int `json:"skipped,omitempty"`
	// Read counts files whose content was read: an unchanged file (same
	// size and mtime) costs a stat only, so a no-change run reads nothing.
	Read int `json:"read"`
	// Warnings are the first warnings (parse problems with file:line:col,
	// unreadable directories); WarningCount counts them all.
	Warnings     []parse.Warning `json:"warnings,omitempty"`
	WarningCount int             `json:"warning_count"`
	// Bytes is the size of the files read.
	Bytes   int64         `json:"bytes"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Dict describes the compression dictionary trained on this run's
	// first indexing of the collection, nil when none was trained.
	Dict *store.DictInfo `json:"dict,omitempty"`
}

// SkippedTotal is the sum of Skipped.
func (s Summary) SkippedTotal() int {
	n := 0
	for _, c := range s.Skipped {
		n += c
	}
	return n
}

// String is the one-line summary the CLI prints, for example
// "indexed notes: 885 seen, 880 added, 0 changed, 0 deleted, 0 unchanged,
// 5 skipped (3 binary, 2 too large), 4 warnings in 0.21s (4214 docs/s)".
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "indexed %s: %d seen, %d added, %d changed, ", s.Collection, s.Seen, s.Added, s.Changed)
	if s.Moved > 0 {
		fmt.Fprintf(&b, "%d moved, ", s.Moved)
	}
	fmt.Fprintf(&b, "%d deleted, %d unchanged, ", s.Deleted, s.Unchanged)
	if s.Kept > 0 {
		fmt.Fprintf(&b, "%d kept, ", s.Kept)
	}
	fmt.Fprintf(&b, "%d skipped", s.SkippedTotal())
	if len(s.Skipped) > 0 {
		type reason struct {
			name string
			n    int
		}
		var rs []reason
		for name, n := range s.Skipped {
			rs = append(rs, reason{name, n})
		}
		slices.SortFunc(rs, func(a, b reason) int {
			return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.name, b.name))
		})
		parts := make([]string, len(rs))
		for i, r := range rs {
			parts[i] = fmt.Sprintf("%d %s", r.n, r.name)
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	secs := s.Elapsed.Seconds()
	fmt.Fprintf(&b, ", %d warnings in %.2fs", s.WarningCount, secs)
	if secs > 0 {
		fmt.Fprintf(&b, " (%.0f docs/s)", float64(s.Seen)/secs)
	}
	if s.Dict != nil {
		fmt.Fprintf(&b, "; dictionary %d KiB, compression %.1fx (%.1fx without)",
			s.Dict.Size>>10, s.Dict.Ratio, s.Dict.RatioWithout)
	}
	return b.String()
}

func (s *Summary) warn(w parse.Warning) {
	s.WarningCount++
	if len(s.Warnings) < maxWarnings {
		s.Warnings = append(s.Warnings, w)
	}
}

func (s *Summary) skipped(reason string) {
	if s.Skipped == nil {
		s.Skipped = map[string]int{}
	}
	s.Skipped[reason]++
}
