//go:build !unix

package vfs

import "os"

// OpenFile is os.OpenFile; see open_unix.go.
func OpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}
