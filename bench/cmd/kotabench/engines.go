package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kotadb/kotadb/bench/engine"
)

// Engines are linked in by build tags, one file each (engine_*.go), so one
// source tree yields a binary per engine that links only that engine: a
// child's peak RSS then includes its own engine's code, not every peer's.
//
//	(no bench_* tag)            every engine, as before
//	-tags bench_kotadb          kotadb only (and the ingest command)
//	-tags 'bench_fts5 sqlite_fts5'  fts5 and fts5-trigram only
//	-tags bench_bleve           bleve only
//
// Tags combine: -tags 'bench_kotadb bench_bleve' links both.

// engines maps each engine linked into this binary to its constructor;
// the engine_*.go files fill it in init.
var engines = map[string]func() engine.Engine{}

// engineOrder is every engine kotabench knows, linked or not, in the
// column order of reports.
var engineOrder = []string{"kotadb", "fts5", "fts5-trigram", "bleve"}

// engineGroups maps an engine to its build group: the bench_<group> tag
// that links it and the kotabench-<group> lean binary that holds it.
var engineGroups = map[string]string{"kotadb": "kotadb", "fts5": "fts5", "fts5-trigram": "fts5", "bleve": "bleve"}

// linkedEngines is every engine built into this binary, in report order.
func linkedEngines() []string {
	var out []string
	for _, n := range engineOrder {
		if _, ok := engines[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// parseEngines checks a comma-separated engine list; an empty list is
// every engine in def. Engines need not be linked into this binary: a
// child binary may hold them (resolveChildBins checks that one does).
func parseEngines(list string, def []string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return def, nil
	}
	var out []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if _, ok := engineGroups[n]; !ok {
			return nil, fmt.Errorf("unknown engine %q (known: %s)", n, strings.Join(engineOrder, ", "))
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
		if _, known := engineGroups[name]; known {
			return nil, fmt.Errorf("engine %q is not built into this binary (build tag bench_%s)", name, engineGroups[name])
		}
		return nil, fmt.Errorf("unknown engine %q", name)
	}
	return mk(), nil
}
