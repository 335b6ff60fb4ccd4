//go:build unix

package vfs

import (
	"io/fs"
	"os"
	"syscall"
)

// OpenFile is os.OpenFile for regular files, in two system calls instead
// of six. os.OpenFile registers every descriptor with the runtime's poller
// (fcntl to set O_NONBLOCK, an epoll_ctl that fails for a regular file,
// fcntl twice more to clear the flag again); a descriptor that os.NewFile
// adopts while it is blocking never meets the poller. On a machine where a
// system call costs microseconds that was a tenth of opening a store and
// its index. Reads and writes of regular files block either way, so
// nothing else changes. Only permission bits are passed to open(2): a mode
// with others (setuid, sticky) goes through os.OpenFile.
func OpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	if perm&^fs.ModePerm != 0 {
		return os.OpenFile(name, flag, perm)
	}
	for {
		fd, err := syscall.Open(name, flag|syscall.O_CLOEXEC, uint32(perm))
		if err == nil {
			return os.NewFile(uintptr(fd), name), nil
		}
		if err != syscall.EINTR {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
	}
}
