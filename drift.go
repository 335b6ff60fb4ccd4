package kotadb

import (
	"context"

	"github.com/kotadb/kotadb/ingest"
	"github.com/kotadb/kotadb/store"
)

// driftOf compares the folder of src with what the store holds for it. A
// folder that cannot be walked (deleted, unreadable) is reported in Error:
// the store cannot be checked against it, which the verdict counts as drift.
func (db *DB) driftOf(ctx context.Context, src store.Source) SourceReport {
	d, err := ingest.Drift(ctx, db.st, src.Name)
	r := SourceReport{Name: src.Name, Path: src.Path,
		Added: nonNil(d.Added), Changed: nonNil(d.Changed), Deleted: nonNil(d.Deleted), Unreadable: nonNil(d.Unreadable)}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

// nonNil keeps JSON output as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
