// Package vfs is the small filesystem interface the search engine does all
// of its I/O through. Two implementations exist: OS (the real filesystem,
// with mmap for read-only files) and MemFS (in memory, for tests), which can
// simulate a crash that drops everything not yet made durable and can inject
// an error on the Nth operation. Going through an interface is what lets the
// crash tests reach every moment of a flush, a merge or a manifest write.
package vfs

import (
	"errors"
	"io"
	"os"
)

// FS is a filesystem. Names are slash-separated paths; relative names are
// relative to the process's working directory for OS and to the root for
// MemFS.
type FS interface {
	// Create creates (or truncates) the named file for writing.
	Create(name string) (File, error)
	// Open opens an existing file for reading and writing.
	Open(name string) (File, error)
	// OpenReadOnly opens an existing file for reading.
	OpenReadOnly(name string) (File, error)
	// Rename atomically replaces newname with oldname. Like POSIX rename it
	// is only durable once the parent directory is synced.
	Rename(oldname, newname string) error
	// Remove removes a file; durable once the parent directory is synced.
	Remove(name string) error
	// ReadDir lists the names (not paths) of the entries of a directory,
	// sorted.
	ReadDir(dir string) ([]string, error)
	// MkdirAll creates a directory and its parents.
	MkdirAll(dir string, perm os.FileMode) error
	// SyncDir makes the directory's entries (creations, renames, removals)
	// durable.
	SyncDir(dir string) error
}

// File is an open file. Writes append at the current end (files are written
// once, front to back); ReadAt reads anywhere.
type File interface {
	io.Writer
	io.ReaderAt
	// Sync makes the file's contents durable.
	Sync() error
	Close() error
	Stat() (os.FileInfo, error)
}

// Mapper is implemented by files that can expose their whole contents as a
// byte slice without copying (mmap). The slice is valid until unmap is
// called and must not be written to.
type Mapper interface {
	Map() (data []byte, unmap func() error, err error)
}

// ReadFile returns the whole contents of a file opened read-only: mapped when
// the file supports it, read into memory otherwise. release frees the
// mapping (or does nothing); the file may be closed before release.
func ReadFile(f File) (data []byte, release func() error, err error) {
	if m, ok := f.(Mapper); ok {
		data, unmap, err := m.Map()
		if err == nil {
			return data, unmap, nil
		}
		if !errors.Is(err, errors.ErrUnsupported) {
			return nil, nil, err
		}
	}
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	data = make([]byte, st.Size())
	n, err := f.ReadAt(data, 0)
	if err != nil && !(errors.Is(err, io.EOF) && n == len(data)) {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
