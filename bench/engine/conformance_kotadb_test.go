//go:build kotadb

package engine_test

import (
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/engine/kotadbeng"
)

func init() {
	engineMakers = append(engineMakers, func() engine.Engine { return kotadbeng.New() })
}
