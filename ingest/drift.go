package ingest

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/kotadb/kotadb/store"
)

// DriftReport lists how a registered folder differs from what its collection
// holds: what the next Index would change. Entries are full keys.
type DriftReport struct {
	Collection string `json:"collection"`
	Path       string `json:"path"`
	// Added are files Index would add (new, or renamed: a rename shows as
	// one added and one deleted key).
	Added []string `json:"added,omitempty"`
	// Changed are stored files whose content differs from the store's.
	Changed []string `json:"changed,omitempty"`
	// Deleted are stored files that are gone, or no longer indexable
	// (now binary, too large, ignored).
	Deleted []string `json:"deleted,omitempty"`
	// Unreadable are files, and directories (with a trailing '/'), that
	// could not be read, so their state is unknown.
	Unreadable []string `json:"unreadable,omitempty"`
}

// Clean reports whether the folder and the store agree.
func (d DriftReport) Clean() bool {
	return len(d.Added)+len(d.Changed)+len(d.Deleted)+len(d.Unreadable) == 0
}

// Drift walks the folder registered as collection name with the rules of
// Index and compares it with the stored file states, without writing: a
// file costs a stat, plus a read and a hash when its stat differs from the
// stored one. The lists are sorted.
func Drift(ctx context.Context, st *store.Store, name string) (DriftReport, error) {
	src, err := st.Source(name)
	if err != nil {
		return DriftReport{}, fmt.Errorf("drift of %q: %w", name, err)
	}
	d := DriftReport{Collection: src.Name, Path: src.Path}
	prior, err := loadStates(st, src.Name)
	if err != nil {
		return d, fmt.Errorf("drift of %q: %w", name, err)
	}
	maxSize := src.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	proc := &processor{collection: src.Name, prior: prior, maxSize: maxSize, racyFrom: math.MaxInt64}
	present := map[string]bool{}
	unreadableDirs := map[string]bool{}
	err = scan(ctx, src.Path, storeFilesPrefix(st.Path()), proc, func(r result) {
		switch r.outcome {
		case outUnreadableDir:
			unreadableDirs[r.rel] = true
			d.Unreadable = append(d.Unreadable, src.Name+"/"+r.rel+"/")
		case outUnchanged, outTouched:
			present[r.key] = true
		case outChanged:
			present[r.key] = true
			d.Changed = append(d.Changed, r.key)
		case outAdded:
			d.Added = append(d.Added, r.key)
		case outSkipped:
			if r.reason == SkipUnreadable {
				present[r.key] = true
				d.Unreadable = append(d.Unreadable, r.key)
			}
		}
	})
	if err != nil {
		return d, fmt.Errorf("drift of %q in %s: %w", name, src.Path, err)
	}
	for key := range prior {
		if !present[key] && !underAny(key[len(src.Name)+1:], unreadableDirs) {
			d.Deleted = append(d.Deleted, key)
		}
	}
	for _, l := range [][]string{d.Added, d.Changed, d.Deleted, d.Unreadable} {
		slices.Sort(l)
	}
	return d, nil
}

// scan walks root and processes its files on GOMAXPROCS workers, calling fn
// with every result (and walker event) from the calling goroutine.
func scan(ctx context.Context, root, storeFiles string, proc *processor, fn func(result)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	entries := make(chan fileEntry, 1024)
	results := make(chan result, 1024)
	var walkErr error
	var wg sync.WaitGroup
	w := &walker{root: root, readDir: readDirHook, storeFiles: storeFiles,
		file: func(e fileEntry) error {
			select {
			case entries <- e:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		skip: func(rel, reason string, err error) {
			sendResult(ctx, results, proc.skip(result{key: proc.collection + "/" + rel, rel: rel}, reason, err))
		},
		unreadableDir: func(rel string, err error) {
			sendResult(ctx, results, result{rel: rel, outcome: outUnreadableDir, err: err})
		},
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(entries)
		walkErr = w.run(ctx)
	}()
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range entries {
				if ctx.Err() == nil {
					sendResult(ctx, results, proc.process(e))
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	for r := range results {
		fn(r)
	}
	if walkErr != nil {
		return walkErr
	}
	return ctx.Err()
}
