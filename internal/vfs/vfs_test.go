package vfs

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"testing"
)

// fsUnderTest gives each implementation a fresh root directory.
func fsUnderTest(t *testing.T) map[string]func() (FS, string) {
	return map[string]func() (FS, string){
		"os":  func() (FS, string) { return OS, t.TempDir() },
		"mem": func() (FS, string) { return NewMem(), "/root" },
	}
}

func writeFile(t *testing.T, fsys FS, name string, data string, sync bool) {
	t.Helper()
	f, err := fsys.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, fsys FS, name string) (string, error) {
	t.Helper()
	f, err := fsys.OpenReadOnly(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, release, err := ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if err := release(); err != nil {
		t.Fatal(err)
	}
	return s, nil
}

func TestFSBasics(t *testing.T) {
	for name, mk := range fsUnderTest(t) {
		t.Run(name, func(t *testing.T) {
			fsys, root := mk()
			dir := path.Join(root, "a", "b")
			if err := fsys.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, fsys, path.Join(dir, "x"), "hello", true)
			writeFile(t, fsys, path.Join(dir, "empty"), "", true)
			if got, err := readFile(t, fsys, path.Join(dir, "x")); err != nil || got != "hello" {
				t.Fatalf("read x = %q, %v", got, err)
			}
			if got, err := readFile(t, fsys, path.Join(dir, "empty")); err != nil || got != "" {
				t.Fatalf("read empty = %q, %v", got, err)
			}
			if err := fsys.Rename(path.Join(dir, "x"), path.Join(dir, "y")); err != nil {
				t.Fatal(err)
			}
			if _, err := readFile(t, fsys, path.Join(dir, "x")); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("x after rename: %v, want not exist", err)
			}
			names, err := fsys.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"empty", "y"}; !slices.Equal(names, want) {
				t.Fatalf("ReadDir = %v, want %v", names, want)
			}
			if err := fsys.SyncDir(dir); err != nil {
				t.Fatal(err)
			}
			if err := fsys.Remove(path.Join(dir, "y")); err != nil {
				t.Fatal(err)
			}
			if err := fsys.Remove(path.Join(dir, "y")); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("second remove: %v, want not exist", err)
			}
			f, err := fsys.OpenReadOnly(path.Join(dir, "empty"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("x")); err == nil {
				t.Fatal("write to a read-only file succeeded")
			}
			f.Close()
		})
	}
}

func TestMemCrashDropsWhatIsNotDurable(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, m *MemFS)
		want  map[string]string // files after the crash
	}{
		{"unsynced file and dir", func(t *testing.T, m *MemFS) {
			writeFile(t, m, "/d/a", "data", false)
		}, map[string]string{}},
		{"synced file, dir not synced", func(t *testing.T, m *MemFS) {
			writeFile(t, m, "/d/a", "data", true)
		}, map[string]string{}},
		{"dir synced, file not synced", func(t *testing.T, m *MemFS) {
			writeFile(t, m, "/d/a", "data", false)
			m.SyncDir("/d")
		}, map[string]string{"/d/a": ""}},
		{"both synced", func(t *testing.T, m *MemFS) {
			writeFile(t, m, "/d/a", "data", true)
			m.SyncDir("/d")
		}, map[string]string{"/d/a": "data"}},
		{"writes after sync are lost", func(t *testing.T, m *MemFS) {
			f, _ := m.Create("/d/a")
			f.Write([]byte("one"))
			f.Sync()
			f.Write([]byte("two"))
			m.SyncDir("/d")
		}, map[string]string{"/d/a": "one"}},
		{"rename not durable without syncdir", func(t *testing.T, m *MemFS) {
			writeFile(t, m, "/d/a", "old", true)
			m.SyncDir("/d")
			writeFile(t, m, "/d/tmp", "new", true)
			m.Rename("/d/tmp", "/d/a")
		}, map[string]string{"/d/a": "old"}},
		{"rename durable after syncdir", func(t *testing.T, m *MemFS) {
			writeFile(t, m, "/d/a", "old", true)
			m.SyncDir("/d")
			writeFile(t, m, "/d/tmp", "new", true)
			m.Rename("/d/tmp", "/d/a")
			m.SyncDir("/d")
		}, map[string]string{"/d/a": "new"}},
		{"remove needs syncdir", func(t *testing.T, m *MemFS) {
			writeFile(t, m, "/d/a", "x", true)
			m.SyncDir("/d")
			m.Remove("/d/a")
		}, map[string]string{"/d/a": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMem()
			if err := m.MkdirAll("/d", 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, m)
			c := m.Crash()
			names, err := c.ReadDir("/d")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, n := range names {
				s, err := readFile(t, c, "/d/"+n)
				if err != nil {
					t.Fatal(err)
				}
				got["/d/"+n] = s
			}
			if len(got) != len(tt.want) {
				t.Fatalf("after crash: %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("after crash %s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

func TestMemInjection(t *testing.T) {
	m := NewMem()
	m.MkdirAll("/d", 0o755)
	m.SetInjector(FailNth(2, OpWrite))
	f, err := m.Create("/d/a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("1")); err != nil {
		t.Fatalf("first write: %v", err)
	}
	if _, err := f.Write([]byte("2")); !errors.Is(err, ErrInjected) {
		t.Fatalf("second write: %v, want injected", err)
	}
	if _, err := f.Write([]byte("3")); err != nil {
		t.Fatalf("third write: %v", err)
	}

	m.SetInjector(CrashAfter(1))
	if err := f.Sync(); err != nil {
		t.Fatalf("op within budget failed: %v", err)
	}
	for _, op := range []func() error{
		func() error { _, err := f.Write([]byte("x")); return err },
		func() error { return m.SyncDir("/d") },
		func() error { return m.Rename("/d/a", "/d/b") },
	} {
		if err := op(); !errors.Is(err, ErrInjected) {
			t.Fatalf("op after crash point: %v, want injected", err)
		}
	}
	if m.Ops() == 0 {
		t.Fatal("Ops() did not count")
	}
}
