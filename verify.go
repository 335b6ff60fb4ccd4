package kotadb

import (
	"context"
	"fmt"

	"github.com/kotadb/kotadb/store"
)

// Verdict is the outcome of Verify, worst first: corruption outranks drift.
type Verdict string

const (
	VerdictClean   Verdict = "clean"   // no damage, every folder matches
	VerdictDrift   Verdict = "drift"   // files changed on disk since the last index
	VerdictCorrupt Verdict = "corrupt" // stored data failed a check
)

// VerifyReport is what Verify found.
type VerifyReport struct {
	Path string `json:"path"`
	// Checked counts what the store check read.
	Checked Checked `json:"checked"`
	// Problems are the store's inconsistencies: damaged blobs, broken
	// version chains, bad counters…
	Problems []Problem      `json:"problems"`
	Sources  []SourceReport `json:"sources"`
	// ParseWarnings are the live documents' parse warnings (bad
	// frontmatter…), in key order. They are listed so that nothing the
	// parser could not understand goes unseen, but they are not damage:
	// they do not change the verdict.
	ParseWarnings []DocWarning `json:"parse_warnings"`
	Verdict       Verdict      `json:"verdict"`
}

// Checked counts what Verify read from the store.
type Checked struct {
	Versions  int   `json:"versions"`   // log records
	Keys      int   `json:"keys"`       // keys with at least one version
	LiveKeys  int   `json:"live_keys"`  // keys whose latest version is not a delete
	Blobs     int   `json:"blobs"`      // blobs decompressed and hashed
	BlobBytes int64 `json:"blob_bytes"` // their uncompressed size
	Files     int   `json:"files"`      // file states
}

// Problem is one inconsistency in the stored data.
type Problem struct {
	Kind   string `json:"kind"` // the part of the store: "blob", "log", "pages"…
	Key    string `json:"key,omitempty"`
	Detail string `json:"detail"`
}

func (p Problem) String() string { return store.Problem(p).String() }

// SourceReport compares one indexed folder with the disk.
type SourceReport struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Added, Changed and Deleted are keys whose files appeared, changed or
	// disappeared since the last index.
	Added   []string `json:"added"`
	Changed []string `json:"changed"`
	Deleted []string `json:"deleted"`
	// Unreadable are files and folders (with a trailing '/') whose state
	// is unknown because they could not be read.
	Unreadable []string `json:"unreadable"`
	// Error is set when the folder could not be compared (it is gone, or
	// unreadable); that counts as drift.
	Error string `json:"error,omitempty"`
}

// Drifted reports whether the folder differs from the store.
func (r SourceReport) Drifted() bool {
	return r.Error != "" || len(r.Added)+len(r.Changed)+len(r.Deleted)+len(r.Unreadable) > 0
}

// Verify checks every blob checksum and version chain of the store, then
// compares every registered folder with the files on disk. Damage and drift
// are findings in the report, not errors; the error is for being unable to
// run at all (a closed database, a cancelled ctx).
func (db *DB) Verify(ctx context.Context) (VerifyReport, error) {
	r := VerifyReport{Path: db.Path(), Problems: []Problem{}, Sources: []SourceReport{}, ParseWarnings: []DocWarning{}}
	checked, err := db.st.Verify(func(p store.Problem) { r.Problems = append(r.Problems, Problem(p)) })
	if err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	r.Checked = Checked{Versions: checked.Versions, Keys: checked.Keys, LiveKeys: checked.LiveKeys,
		Blobs: checked.Blobs, BlobBytes: checked.BlobBytes, Files: checked.Files}
	sources, err := db.st.Sources()
	if err != nil {
		// Unreadable source records are damage the store check reported.
		r.Problems = append(r.Problems, Problem{Kind: store.ProblemSources, Detail: err.Error()})
	}
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return r, fmt.Errorf("verify: %w", err)
		}
		r.Sources = append(r.Sources, db.driftOf(ctx, src))
	}
	if r.ParseWarnings, err = db.parseWarnings(ctx); err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	r.Verdict = VerdictClean
	for _, s := range r.Sources {
		if s.Drifted() {
			r.Verdict = VerdictDrift
		}
	}
	if len(r.Problems) > 0 {
		r.Verdict = VerdictCorrupt
	}
	return r, nil
}

// parseWarnings derives the document of every live version and collects
// its parse warnings. A version whose document cannot be derived is
// skipped: the store check has already reported the damage behind it.
func (db *DB) parseWarnings(ctx context.Context) ([]DocWarning, error) {
	out := []DocWarning{}
	err := db.st.Scan("", func(v Version) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, ok, err := db.facts(v)
		if err != nil || !ok {
			return nil
		}
		for _, w := range f.Warnings {
			w.File = v.Key
			out = append(out, DocWarning{Key: v.Key, Warning: w})
		}
		return nil
	})
	return out, err
}
