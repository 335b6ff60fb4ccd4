//go:build unix

package vfs

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Map maps the whole file read-only. An empty file maps to an empty slice
// (mmap of length 0 is an error on Linux).
func (f osFile) Map() ([]byte, func() error, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if size == 0 {
		return []byte{}, func() error { return nil }, nil
	}
	if int64(int(size)) != size {
		return nil, nil, fmt.Errorf("mmap %s: file too large (%d bytes)", f.Name(), size)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		if errors.Is(err, unix.ENODEV) {
			return nil, nil, errors.ErrUnsupported
		}
		return nil, nil, fmt.Errorf("mmap %s: %w", f.Name(), err)
	}
	return data, func() error { return unix.Munmap(data) }, nil
}
