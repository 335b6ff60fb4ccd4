package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/kotadb/kotadb/bench/report"
	"github.com/kotadb/kotadb/bench/sysinfo"
)

// Which binary runs an engine's children. Peak RSS is read in the child,
// so the child should link only the engine it measures (see engines.go):
// the parent runs, per engine, in this order of preference,
//
//  1. the binary given by --child-bin ENGINE=PATH (an entry for a build
//     group, fts5, also serves the group's other engines: fts5-trigram);
//  2. kotabench-GROUP next to the parent's own executable (what
//     bench/build.sh writes), unless --auto-child-bin=false;
//  3. the parent itself.
//
// Each binary is started once with the hidden child-info command first:
// that checks it holds the engine and measures its idle RSS for the report.

// childInfo is the hidden subcommand that describes a binary.
const childInfo = "child-info"

// binaryInfo is what child-info prints.
type binaryInfo struct {
	Engines []string `json:"engines"`        // linked in
	PeakRSS int64    `json:"peak_rss_bytes"` // VmHWM, having done nothing
}

func infoChild(stdout io.Writer) error {
	peak, err := sysinfo.PeakRSS()
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(binaryInfo{Engines: linkedEngines(), PeakRSS: peak})
}

// childBinFlag is the repeatable --child-bin KEY=PATH flag, KEY an engine
// or build group.
type childBinFlag map[string]string

func (c childBinFlag) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k+"="+c[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func (c childBinFlag) Set(s string) error {
	key, path, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" || path == "" {
		return fmt.Errorf("want ENGINE=PATH, got %q", s)
	}
	if _, known := engineGroups[key]; !known {
		return fmt.Errorf("unknown engine %q (known: %s)", key, strings.Join(engineOrder, ", "))
	}
	if _, dup := c[key]; dup {
		return fmt.Errorf("engine %s given twice", key)
	}
	c[key] = path
	return nil
}

// childBins says where children come from; register adds its flags.
type childBins struct {
	explicit childBinFlag
	auto     bool
	self     string // the parent's executable
}

func (c *childBins) register(fs *flag.FlagSet) {
	c.explicit = childBinFlag{}
	fs.Var(c.explicit, "child-bin", "ENGINE=PATH: run ENGINE's children with this binary, built to link only it (repeatable; fts5=PATH also serves fts5-trigram)")
	fs.BoolVar(&c.auto, "auto-child-bin", true, "run ENGINE's children with kotabench-GROUP (kotadb, fts5, bleve) found next to this binary, if there")
}

// binFor is the binary to run engine's children with, and whether it is
// the parent itself.
func (c childBins) binFor(engine string) (path string, self bool, err error) {
	group := engineGroups[engine]
	for _, key := range []string{engine, group} {
		p, ok := c.explicit[key]
		if !ok {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", false, fmt.Errorf("--child-bin %s=%s: %w", key, p, err)
		}
		st, err := os.Stat(abs)
		if err != nil {
			return "", false, fmt.Errorf("--child-bin %s=%s: %w", key, p, err)
		}
		if !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
			return "", false, fmt.Errorf("--child-bin %s=%s: not an executable file", key, p)
		}
		return abs, c.isSelf(st), nil
	}
	if c.auto && c.self != "" {
		cand := filepath.Join(filepath.Dir(c.self), "kotabench-"+group)
		if st, err := os.Stat(cand); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return cand, c.isSelf(st), nil
		}
	}
	return c.self, true, nil
}

func (c childBins) isSelf(st os.FileInfo) bool {
	self, err := os.Stat(c.self)
	return err == nil && os.SameFile(st, self)
}

// defaultEngines is every engine linked into the parent or given a
// binary of its own, in report order.
func (c childBins) defaultEngines() []string {
	var out []string
	for _, n := range engineOrder {
		_, linked := engines[n]
		_, self, err := c.binFor(n)
		if linked || (err == nil && !self) {
			out = append(out, n)
		}
	}
	return out
}

// resolve picks the binary of each engine in names, checks with
// child-info that it holds the engine, and returns them in names order.
func (c childBins) resolve(ctx context.Context, names []string, stderr io.Writer) ([]report.Binary, error) {
	infos := map[string]binaryInfo{}
	var out []report.Binary
	for _, name := range names {
		path, self, err := c.binFor(name)
		if err != nil {
			return nil, err
		}
		info, ok := infos[path]
		if !ok {
			if err := runChild(ctx, path, []string{childInfo}, stderr, &info); err != nil {
				return nil, fmt.Errorf("engine %s: %w", name, err)
			}
			infos[path] = info
		}
		if !slices.Contains(info.Engines, name) {
			return nil, fmt.Errorf("engine %s: %s does not link it (it links: %s); build it with -tags bench_%s or pass --child-bin %s=PATH",
				name, path, strings.Join(info.Engines, ", "), engineGroups[name], name)
		}
		out = append(out, report.Binary{Engine: name, Path: path, Self: self, IdleRSS: info.PeakRSS, Linked: info.Engines})
	}
	return out, nil
}

// binaryOf is the path of engine's binary in bins.
func binaryOf(bins []report.Binary, engine string) string {
	for _, b := range bins {
		if b.Engine == engine {
			return b.Path
		}
	}
	return ""
}
