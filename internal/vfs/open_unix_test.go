//go:build unix

package vfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpenFile: files OpenFile opens read, write, stat, map and close like
// os.OpenFile's, are close-on-exec and blocking, and its errors are the
// same *fs.PathError.
func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	if _, err := OpenFile(name, os.O_RDONLY, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("opening a missing file: %v, want fs.ErrNotExist", err)
	} else if pe, ok := err.(*fs.PathError); !ok || pe.Op != "open" || pe.Path != name {
		t.Fatalf("error %#v, want an *fs.PathError of open %s", err, name)
	}
	f, err := OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("O_EXCL on an existing file: %v", err)
	}
	for _, flag := range []int{syscall.F_GETFD, syscall.F_GETFL} {
		v, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), uintptr(flag), 0)
		if errno != 0 {
			t.Fatal(errno)
		}
		if flag == syscall.F_GETFD && v&syscall.FD_CLOEXEC == 0 {
			t.Fatal("descriptor is not close-on-exec")
		}
		if flag == syscall.F_GETFL && v&syscall.O_NONBLOCK != 0 {
			t.Fatal("descriptor is non-blocking")
		}
	}
	if _, err := f.Write([]byte("hello, world")); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != 0o640&^umask() || fi.Size() != 12 {
		t.Fatalf("stat %v %v", fi, err)
	}
	r, err := OS.OpenReadOnly(name)
	if err != nil {
		t.Fatal(err)
	}
	data, release, err := ReadFile(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "hello, world" {
		t.Fatalf("read %q", data)
	}
	buf := make([]byte, 5)
	if _, err := r.ReadAt(buf, 7); err != nil || string(buf) != "world" {
		t.Fatalf("ReadAt: %q %v", buf, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadAt(buf, 0); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("ReadAt after Close: %v, want os.ErrClosed", err)
	}
}

func umask() fs.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return fs.FileMode(m)
}
