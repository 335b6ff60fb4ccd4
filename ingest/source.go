package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/store"
)

// resolveRoot turns dir into the absolute, symlink-free path of an existing
// directory: the form sources are registered and compared under.
func resolveRoot(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("no folder given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("folder %s: %w", dir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("folder %s does not exist: %w", abs, fs.ErrNotExist)
		}
		return "", fmt.Errorf("folder %s: %w", abs, err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("folder %s: %w", abs, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a folder", abs)
	}
	return real, nil
}

// MaxNameLen bounds collection names, leaving most of a key's length
// (store.MaxKeyLen) to the paths inside the collection.
const MaxNameLen = 64

// SanitizeName derives a collection name from a folder name: lower-cased,
// every run of characters outside [a-z0-9._-] replaced by one '-', without
// leading or trailing '-' and '.', at most MaxNameLen bytes. It returns ""
// when nothing usable is left.
func SanitizeName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok || r == '-' {
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		dash = false
		b.WriteRune(r)
	}
	name := b.String() // ASCII only: cutting at any byte is safe
	return strings.Trim(name[:min(len(name), MaxNameLen)], "-.")
}

// validName reports whether name is a collection name Index accepts: only
// [a-z0-9._-], not starting or ending with '.' or '-', at most MaxNameLen.
func validName(name string) error {
	if len(name) > MaxNameLen {
		return fmt.Errorf("collection name %q is %d bytes, longer than %d: %w", name, len(name), MaxNameLen, errs.ErrInvalidKey)
	}
	bad := name == "" || strings.Trim(name, "-.") != name
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("collection name %q: use only a-z, 0-9, '.', '_' and '-', not '.' or '-' at the start or end (for example %q): %w",
			name, SanitizeName(name), errs.ErrInvalidKey)
	}
	return store.ValidateCollection(name)
}

// registerSource finds or creates the source for root. A name registered for
// another folder is an error, and so is registering a folder a second time
// under another explicit name; with no name, a folder already registered
// keeps its collection.
func registerSource(st *store.Store, root, name string, maxSize int64, now time.Time) (store.Source, bool, error) {
	sources, err := st.Sources()
	if err != nil {
		return store.Source{}, false, fmt.Errorf("read sources: %w", err)
	}
	for _, src := range sources {
		if src.Path != root {
			continue
		}
		if name != "" && name != src.Name {
			return store.Source{}, false, fmt.Errorf("folder %s is already indexed as collection %q; use that name or remove the source first", root, src.Name)
		}
		return src, false, nil
	}
	if name == "" {
		name = SanitizeName(filepath.Base(root))
		if name == "" {
			return store.Source{}, false, fmt.Errorf("cannot derive a collection name from folder %s; give one explicitly", root)
		}
	}
	if err := validName(name); err != nil {
		return store.Source{}, false, err
	}
	for _, src := range sources {
		if src.Name == name {
			return store.Source{}, false, fmt.Errorf("collection %q is already registered for folder %s, not %s", name, src.Path, root)
		}
	}
	src := store.Source{Name: name, Path: root, Added: now.UTC(), MaxSize: maxSize}
	if err := st.PutSource(src); err != nil {
		return store.Source{}, false, fmt.Errorf("register %s as %q: %w", root, name, err)
	}
	return src, true, nil
}
