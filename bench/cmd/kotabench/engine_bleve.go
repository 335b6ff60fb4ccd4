//go:build bench_bleve || !(bench_kotadb || bench_fts5)

package main

import (
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/engine/blevepeer"
)

func init() {
	engines["bleve"] = func() engine.Engine { return blevepeer.New() }
}
