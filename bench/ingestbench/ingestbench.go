// Package ingestbench measures kotadb's ingestion through its public API: a
// cold ingest of a corpus into a fresh database, no-change re-runs, and
// reopening the store (kotadb.Open, DB.Index, DB.Get).
//
// DB.Index fills the store and then brings the derived indices (search
// index, link graph) up to date. The Foundation's ingest targets are about
// the store, so the cold ingest is measured twice, each into a fresh
// database: the store alone (ingest.Index on DB.Store, what DB.Index runs
// first) and the whole DB.Index.
package ingestbench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kotadb/kotadb"
	"github.com/kotadb/kotadb/ingest"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/report"
	"github.com/kotadb/kotadb/bench/sysinfo"
)

// Config says how many times the repeated phases run.
type Config struct {
	NoChangeRuns int // DB.Index runs over the unchanged folder (issue: 5)
	OpenRuns     int // Open + first Get (issue: 20)
	// NoSync opens the database with Options.NoSync for the ingest and
	// no-change runs, to show what fsync costs; the figures are
	// with sync.
	NoSync bool
}

// Default is what the issue asks for.
var Default = Config{NoChangeRuns: 5, OpenRuns: 20}

// errStop ends a walk early once it found what it looked for.
var errStop = errors.New("stop")

// Measure ingests c into a fresh database in a temporary folder, which it
// removes afterwards. Commits are synced unless cfg.NoSync: the figures
// include durability. The corpus files are in the page cache after the
// first run; "cold" means a fresh database, not a cold cache.
func Measure(ctx context.Context, c *corpus.Corpus, cfg Config) (run report.IngestRun, err error) {
	if cfg.NoChangeRuns < 1 || cfg.OpenRuns < 1 {
		return run, fmt.Errorf("ingest bench: need at least one no-change run and one open, got %+v", cfg)
	}
	run = report.IngestRun{Corpus: c.Name, Files: len(c.Files), CorpusBytes: c.Bytes}
	tmp, err := os.MkdirTemp("", "kotabench-ingest-")
	if err != nil {
		return run, err
	}
	defer func() { err = errors.Join(err, os.RemoveAll(tmp)) }()
	// The measured database and the store-only one each have a folder,
	// so the database folder's size is that database's alone.
	dbDir := filepath.Join(tmp, "db")
	path := filepath.Join(dbDir, "kotadb.db")

	run.NoSync = cfg.NoSync
	if err := storeIngest(ctx, filepath.Join(tmp, "store-only", "kotadb.db"), c, cfg.NoSync, &run); err != nil {
		return run, err
	}
	if err := coldIngest(ctx, path, c, cfg.NoSync, &run); err != nil {
		return run, err
	}
	if err := measureDisk(dbDir, path, &run); err != nil {
		return run, err
	}
	if err := noChangeRuns(ctx, path, c, cfg, &run); err != nil {
		return run, err
	}
	if err := opens(path, run.Collection, cfg.OpenRuns, &run); err != nil {
		return run, err
	}
	run.PeakRSS, err = sysinfo.PeakRSS()
	return run, err
}

// indexDirSuffix names the folder of derived indices (search index, link
// graph) DB.Index keeps beside the database file.
const indexDirSuffix = ".index"

// measureDisk splits the closed database's folder dir into the store (the
// database file and anything else but the indices) and the derived
// indices: the Foundation's size target is about the store.
func measureDisk(dir, path string, run *report.IngestRun) error {
	total, err := engine.DirBytes(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path + indexDirSuffix); err == nil {
		if run.IndexBytes, err = engine.DirBytes(path + indexDirSuffix); err != nil {
			return err
		}
	}
	run.DBBytes = total - run.IndexBytes
	return nil
}

// storeIngest times the store's part of DB.Index alone (ingest.Index on
// the database's store) on a fresh database at path.
func storeIngest(ctx context.Context, path string, c *corpus.Corpus, noSync bool, run *report.IngestRun) (err error) {
	db, err := kotadb.Open(path, &kotadb.Options{NoSync: noSync})
	if err != nil {
		return fmt.Errorf("store-only ingest: %w", err)
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	cpu0, err := sysinfo.CPUTime()
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := ingest.Index(ctx, db.Store(), c.DataDir, kotadb.IndexOptions{})
	if err != nil {
		return fmt.Errorf("store-only ingest of %s: %w", c.DataDir, err)
	}
	run.StoreIngestNS = int64(time.Since(start))
	cpu1, err := sysinfo.CPUTime()
	if err != nil {
		return err
	}
	run.StoreIngestCPUNS = int64(cpu1 - cpu0)
	if sum.Added == 0 {
		return fmt.Errorf("store-only ingest of %s stored no document (%s)", c.DataDir, sum)
	}
	return nil
}

// coldIngest times DB.Index on a fresh database (the store and the
// in-memory part of the indices), then, separately, the Close that makes
// the indices durable.
func coldIngest(ctx context.Context, path string, c *corpus.Corpus, noSync bool, run *report.IngestRun) (err error) {
	db, err := kotadb.Open(path, &kotadb.Options{NoSync: noSync})
	if err != nil {
		return fmt.Errorf("cold ingest: %w", err)
	}
	closed := false
	defer func() {
		if !closed {
			err = errors.Join(err, db.Close())
		}
	}()
	cpu0, err := sysinfo.CPUTime()
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := db.Index(ctx, c.DataDir, kotadb.IndexOptions{})
	if err != nil {
		return fmt.Errorf("cold ingest of %s: %w", c.DataDir, err)
	}
	run.IngestNS = int64(time.Since(start))
	cpu1, err := sysinfo.CPUTime()
	if err != nil {
		return err
	}
	run.IngestCPUNS = int64(cpu1 - cpu0)
	run.Collection, run.Added, run.ReadBytes, run.Warnings = sum.Collection, sum.Added, sum.Bytes, sum.WarningCount
	if sum.Added == 0 {
		return fmt.Errorf("cold ingest of %s stored no document (%s)", c.DataDir, sum)
	}
	start = time.Now()
	closed = true
	if err := db.Close(); err != nil {
		return fmt.Errorf("closing after the cold ingest: %w", err)
	}
	run.CloseNS = int64(time.Since(start))
	return nil
}

func noChangeRuns(ctx context.Context, path string, c *corpus.Corpus, cfg Config, run *report.IngestRun) (err error) {
	db, err := kotadb.Open(path, &kotadb.Options{NoSync: cfg.NoSync})
	if err != nil {
		return fmt.Errorf("no-change re-run: %w", err)
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	for i := range cfg.NoChangeRuns {
		start := time.Now()
		sum, err := db.Index(ctx, c.DataDir, kotadb.IndexOptions{})
		if err != nil {
			return fmt.Errorf("no-change re-run %d: %w", i+1, err)
		}
		run.NoChangeNS = append(run.NoChangeNS, int64(time.Since(start)))
		if sum.Added+sum.Changed+sum.Moved+sum.Deleted != 0 {
			return fmt.Errorf("no-change re-run %d changed the database: %s", i+1, sum)
		}
	}
	return nil
}

// opens times Open (read-only, as kotadb's read commands open it) plus the
// first Get of a stored document.
func opens(path, collection string, n int, run *report.IngestRun) error {
	key, err := firstKey(path, collection)
	if err != nil {
		return err
	}
	for i := range n {
		start := time.Now()
		db, err := kotadb.Open(path, &kotadb.Options{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("open %d: %w", i+1, err)
		}
		_, getErr := db.Get(key)
		elapsed := time.Since(start)
		if err := errors.Join(getErr, db.Close()); err != nil {
			return fmt.Errorf("open %d, get %s: %w", i+1, key, err)
		}
		run.OpenNS = append(run.OpenNS, int64(elapsed))
	}
	return nil
}

func firstKey(path, collection string) (key string, err error) {
	db, err := kotadb.Open(path, &kotadb.Options{ReadOnly: true})
	if err != nil {
		return "", err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	err = db.Ls(collection+"/", func(v kotadb.Version) error {
		key = v.Key
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return "", fmt.Errorf("listing %s: %w", collection, err)
	}
	if key == "" {
		return "", fmt.Errorf("collection %s has no document to Get", collection)
	}
	return key, nil
}
