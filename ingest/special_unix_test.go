//go:build unix

package ingest

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIndexSpecialFiles: a FIFO must be skipped without being opened (an
// open would block forever) and a file name that is not UTF-8 cannot be a
// key, so it is skipped with its reason.
func TestIndexSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.md", []byte("# ok\n"))
	writeFile(t, dir, "bad\xff.md", []byte("# bad name\n"))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.md"), 0o644); err != nil {
		t.Skipf("cannot create a FIFO here: %v", err)
	}
	st := openStore(t)
	sum := index(t, st, dir, Options{Name: "v"})
	if diff := cmp.Diff(map[string]int{SkipNotRegular: 1, SkipInvalidName: 1}, sum.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	checkMatches(t, st, "v", map[string][]byte{"ok.md": []byte("# ok\n")})
}
