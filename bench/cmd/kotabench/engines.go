package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/engine/blevepeer"
	"github.com/kotadb/kotadb/bench/engine/fts5"
	"github.com/kotadb/kotadb/bench/engine/kotadbeng"
)

// engines maps an engine name to its constructor.
var engines = map[string]func() engine.Engine{
	"kotadb":       func() engine.Engine { return kotadbeng.New() },
	"fts5":         func() engine.Engine { return fts5.NewBM25() },
	"fts5-trigram": func() engine.Engine { return fts5.NewTrigram() },
	"bleve":        func() engine.Engine { return blevepeer.New() },
}

// engineOrder is the column order of reports.
var engineOrder = []string{"kotadb", "fts5", "fts5-trigram", "bleve"}

// defaultEngines is every engine built into this binary, in report order.
func defaultEngines() []string {
	var out []string
	for _, n := range engineOrder {
		if _, ok := engines[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// parseEngines checks a comma-separated engine list.
func parseEngines(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return defaultEngines(), nil
	}
	var out []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if _, ok := engines[n]; !ok {
			known := make([]string, 0, len(engines))
			for k := range engines {
				known = append(known, k)
			}
			sort.Strings(known)
			return nil, fmt.Errorf("unknown engine %q (known: %s)", n, strings.Join(known, ", "))
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

func newEngine(name string) (engine.Engine, error) {
	mk, ok := engines[name]
	if !ok {
		return nil, fmt.Errorf("unknown engine %q", name)
	}
	return mk(), nil
}
