//go:build bench_fts5 || !(bench_kotadb || bench_bleve)

package main

import (
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/engine/fts5"
)

// Without -tags sqlite_fts5 these link, but SQLite lacks the fts5 module
// and Build fails saying so.
func init() {
	engines["fts5"] = func() engine.Engine { return fts5.NewBM25() }
	engines["fts5-trigram"] = func() engine.Engine { return fts5.NewTrigram() }
}
