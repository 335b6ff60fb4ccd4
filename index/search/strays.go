package search

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// sweep removes the leftovers of a crash once (see strays). Listing the
// directory is a good part of an Open, which a search-only session would
// pay for nothing.
func (idx *Index) sweep() error {
	idx.sweepOnce.Do(func() {
		idx.sweepErr = idx.removeStrays(idx.strays)
		idx.strays = nil
	})
	return idx.sweepErr
}

// removeStrays deletes files a crash left behind: temporary files, segments
// the manifest m does not name and tombstone generations it does not use.
func (idx *Index) removeStrays(m *manifest) error {
	names, err := idx.fs.ReadDir(idx.dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", idx.dir, err)
	}
	keep := map[string]bool{manifestName: true}
	for _, s := range m.segments {
		keep[segmentFile(s.id)] = true
		if s.delGen > 0 {
			keep[tombstoneFile(s.id, s.delGen)] = true
		}
	}
	for _, name := range names {
		ours := strings.HasSuffix(name, ".seg") || strings.HasSuffix(name, ".del") || strings.HasSuffix(name, ".tmp")
		if !ours || keep[name] {
			continue
		}
		if err := idx.fs.Remove(path.Join(idx.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove leftover %s: %w", name, err)
		}
	}
	return nil
}
