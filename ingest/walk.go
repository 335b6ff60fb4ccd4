package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/kotadb/kotadb/internal/ignore"
)

// Names of the ignore files read in every directory, lowest priority first:
// a .kotadbignore can re-include what the .gitignore beside it excludes.
var ignoreFileNames = []string{".gitignore", ".kotadbignore"}

// Skip reasons, the keys of Summary.Skipped.
const (
	SkipBinary       = "binary"
	SkipTooLarge     = "too large"
	SkipUnreadable   = "unreadable"
	SkipSymlinkLoop  = "symlink loop"
	SkipOutsideRoot  = "symlink outside folder"
	SkipBrokenLink   = "broken symlink"
	SkipNotRegular   = "not a regular file"
	SkipInvalidName  = "invalid name"
	SkipParseFailure = "unparsable"
)

// fileEntry is a file the walker found and did not exclude.
type fileEntry struct {
	rel string // path relative to the root, forward slashes: the key's path
	abs string // path to open (may go through symlinks)
}

// walker lists the files of a folder the way kotadb indexes it: hidden
// entries (.git, .obsidian, dotfiles) are skipped, .gitignore and
// .kotadbignore rules apply per directory like in git, and symbolic links
// are followed when their target is inside the root, with loops cut by
// comparing the target with the directories above it (device and inode).
type walker struct {
	root string // absolute path without symlinks
	// file receives each file; returning an error stops the walk.
	file func(fileEntry) error
	// skip is told about an entry that will not be indexed and why.
	skip func(rel, reason string, err error)
	// unreadableDir is told about a directory whose listing (or ignore
	// file) could not be read: the keys under it must be kept, not deleted.
	unreadableDir func(rel string, err error)
	// readDir lists a directory; os.ReadDir outside tests, which inject
	// failures that root cannot provoke with permissions.
	readDir func(path string) ([]os.DirEntry, error)
	// storeFiles is the store's path, when the store lives inside the
	// folder: its file, lock file and the like are never indexed.
	storeFiles string
}

// storeFilesPrefix returns the path prefix of the files of a store at
// path, with the directory's symlinks resolved like the walk root's.
func storeFilesPrefix(path string) string {
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return path
	}
	return filepath.Join(dir, filepath.Base(path))
}

func (w *walker) run(ctx context.Context) error {
	fi, err := os.Stat(w.root)
	if err != nil {
		return fmt.Errorf("walk %s: %w", w.root, err)
	}
	entries, err := w.readDir(w.root)
	if err != nil {
		return fmt.Errorf("walk %s: %w", w.root, err)
	}
	return w.dir(ctx, "", w.root, entries, nil, []os.FileInfo{fi})
}

// dir walks one directory whose entries are already listed. ancestors are
// the directories from the root down to this one, for loop detection.
func (w *walker) dir(ctx context.Context, rel, abs string, entries []os.DirEntry, m *ignore.Matcher, ancestors []os.FileInfo) error {
	m, err := w.pushIgnoreFiles(rel, abs, entries, m)
	if err != nil {
		w.unreadableDir(rel, err)
		return nil
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		childRel := joinRel(rel, name)
		childAbs := filepath.Join(abs, name)
		if w.storeFiles != "" && strings.HasPrefix(childAbs, w.storeFiles) {
			continue
		}
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			if err := w.symlink(ctx, childRel, childAbs, m, ancestors); err != nil {
				return err
			}
			continue
		}
		if ign, _ := m.Match(childRel, mode.IsDir()); ign {
			continue
		}
		switch {
		case mode.IsDir():
			fi, err := e.Info()
			if err == nil {
				err = w.subdir(ctx, childRel, childAbs, fi, m, ancestors)
				if err == nil {
					continue
				}
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var stop stopError
			if errors.As(err, &stop) {
				return err
			}
			w.unreadableDir(childRel, err)
		case mode.IsRegular():
			if err := w.file(fileEntry{rel: childRel, abs: childAbs}); err != nil {
				return stopError{err}
			}
		default:
			w.skip(childRel, SkipNotRegular, nil)
		}
	}
	return nil
}

// stopError marks an error from the file callback, which ends the walk
// instead of being reported as an unreadable directory.
type stopError struct{ err error }

func (e stopError) Error() string { return e.err.Error() }
func (e stopError) Unwrap() error { return e.err }

// subdir enters directory childRel unless it is one of its own ancestors.
func (w *walker) subdir(ctx context.Context, rel, abs string, fi os.FileInfo, m *ignore.Matcher, ancestors []os.FileInfo) error {
	for _, a := range ancestors {
		if os.SameFile(a, fi) {
			// Only a bind mount can get here (symlinks are checked before),
			// but it would loop all the same.
			w.skip(rel, SkipSymlinkLoop, nil)
			return nil
		}
	}
	entries, err := w.readDir(abs)
	if err != nil {
		return err
	}
	return w.dir(ctx, rel, abs, entries, m, append(ancestors[:len(ancestors):len(ancestors)], fi))
}

// symlink follows a link to a file or directory inside the root.
func (w *walker) symlink(ctx context.Context, rel, abs string, m *ignore.Matcher, ancestors []os.FileInfo) error {
	target, err := os.Stat(abs)
	if err != nil {
		if ign, _ := m.Match(rel, false); ign {
			return nil
		}
		switch {
		case errors.Is(err, syscall.ELOOP):
			w.skip(rel, SkipSymlinkLoop, err)
		case errors.Is(err, fs.ErrNotExist):
			w.skip(rel, SkipBrokenLink, err)
		default:
			w.skip(rel, SkipUnreadable, err)
		}
		return nil
	}
	if ign, _ := m.Match(rel, target.IsDir()); ign {
		return nil
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		w.skip(rel, SkipUnreadable, err)
		return nil
	}
	if r, err := filepath.Rel(w.root, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		w.skip(rel, SkipOutsideRoot, nil)
		return nil
	}
	switch {
	case target.IsDir():
		for _, a := range ancestors {
			if os.SameFile(a, target) {
				w.skip(rel, SkipSymlinkLoop, nil)
				return nil
			}
		}
		entries, err := w.readDir(abs)
		if err != nil {
			w.unreadableDir(rel, err)
			return nil
		}
		return w.dir(ctx, rel, abs, entries, m, append(ancestors[:len(ancestors):len(ancestors)], target))
	case target.Mode().IsRegular():
		if err := w.file(fileEntry{rel: rel, abs: abs}); err != nil {
			return stopError{err}
		}
	default:
		w.skip(rel, SkipNotRegular, nil)
	}
	return nil
}

// pushIgnoreFiles adds the directory's ignore files to m. An ignore file
// that exists but cannot be read makes the directory unreadable: without
// its rules the walk could index (and later delete) the wrong files.
func (w *walker) pushIgnoreFiles(rel, abs string, entries []os.DirEntry, m *ignore.Matcher) (*ignore.Matcher, error) {
	for _, name := range ignoreFileNames {
		if !hasEntry(entries, name) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(abs, name))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since the listing
			}
			return m, fmt.Errorf("read %s: %w", joinRel(rel, name), err)
		}
		m = m.Push(ignore.Parse(rel, joinRel(rel, name), data))
	}
	return m, nil
}

func hasEntry(entries []os.DirEntry, name string) bool {
	for _, e := range entries {
		if e.Name() == name {
			return true
		}
	}
	return false
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// underAny reports whether rel is inside one of the directories in dirs
// (relative paths; "" is the root).
func underAny(rel string, dirs map[string]bool) bool {
	if len(dirs) == 0 {
		return false
	}
	if dirs[""] {
		return true
	}
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' && dirs[rel[:i]] {
			return true
		}
	}
	return false
}
