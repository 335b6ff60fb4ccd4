//go:build kotadb

package main

import (
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/engine/kotadbeng"
)

func init() {
	engines["kotadb"] = func() engine.Engine { return kotadbeng.New() }
}

// kotadbMissing is unused when the kotadb engine is built in.
const kotadbMissing = ""
