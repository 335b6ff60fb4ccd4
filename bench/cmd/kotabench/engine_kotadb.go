//go:build bench_kotadb || !(bench_fts5 || bench_bleve)

package main

import (
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/engine/kotadbeng"
)

func init() {
	engines["kotadb"] = func() engine.Engine { return kotadbeng.New() }
}
