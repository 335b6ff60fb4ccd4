package vfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// Op names a kind of filesystem operation, for error injection.
type Op uint8

const (
	OpCreate Op = iota + 1
	OpOpen
	OpWrite
	OpRead
	OpSync
	OpClose
	OpStat
	OpRename
	OpRemove
	OpReadDir
	OpMkdirAll
	OpSyncDir
)

var opNames = [...]string{"", "create", "open", "write", "read", "sync", "close", "stat", "rename", "remove", "readdir", "mkdirall", "syncdir"}

func (o Op) String() string {
	if int(o) < len(opNames) && o != 0 {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", o)
}

// ErrInjected is returned by operations an Injector chose to fail.
var ErrInjected = errors.New("vfs: injected error")

// Injector decides, before each operation, whether it fails. It is called
// with the MemFS lock held and must not call back into the MemFS.
type Injector func(op Op, name string) error

// FailNth fails the nth operation (1-based) whose kind is in ops (any kind
// when ops is empty), and only that one.
func FailNth(n int, ops ...Op) Injector {
	count := 0
	return func(op Op, name string) error {
		if len(ops) > 0 && !containsOp(ops, op) {
			return nil
		}
		count++
		if count == n {
			return fmt.Errorf("%w: %s %s (operation %d)", ErrInjected, op, name, n)
		}
		return nil
	}
}

// CrashAfter lets n operations succeed and fails every later one, as if
// the machine stopped there: nothing after the crash point reaches the
// filesystem. Pair it with MemFS.Crash to get the durable state.
func CrashAfter(n int) Injector {
	count := 0
	return func(op Op, name string) error {
		count++
		if count > n {
			return fmt.Errorf("%w: crashed before %s %s", ErrInjected, op, name)
		}
		return nil
	}
}

func containsOp(ops []Op, op Op) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// MemFS is an in-memory filesystem with strict durability semantics (like
// pebble's vfs.NewStrictMem): file contents are durable only up to the last
// Sync, and creations, renames and removals only once the parent directory
// is synced. Crash returns the filesystem as it would be found after a power
// loss. Directories made with MkdirAll are durable at once (the engine
// creates its directory once, before anything that matters).
type MemFS struct {
	mu      sync.Mutex
	files   map[string]*memNode // the namespace as the running process sees it
	durable map[string]*memNode // the namespace as of each directory's last SyncDir
	dirs    map[string]bool
	inject  Injector
	ops     int
}

type memNode struct {
	data   []byte
	synced []byte // contents as of the last Sync
	mtime  time.Time
}

// NewMem returns an empty MemFS.
func NewMem() *MemFS {
	return &MemFS{
		files:   map[string]*memNode{},
		durable: map[string]*memNode{},
		dirs:    map[string]bool{"/": true, ".": true},
	}
}

// SetInjector installs (or, with nil, removes) an error injector.
func (m *MemFS) SetInjector(inj Injector) {
	m.mu.Lock()
	m.inject = inj
	m.mu.Unlock()
}

// Ops returns how many operations were attempted so far (failed ones
// included), so a test can pick a crash point inside a scenario.
func (m *MemFS) Ops() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ops
}

// Crash returns a new MemFS holding only what was durable: synced file
// contents under names made durable by SyncDir. The receiver should no
// longer be used.
func (m *MemFS) Crash() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := NewMem()
	for d := range m.dirs {
		n.dirs[d] = true
	}
	copies := map[*memNode]*memNode{}
	for name, node := range m.durable {
		c, ok := copies[node]
		if !ok {
			data := append([]byte(nil), node.synced...)
			c = &memNode{data: data, synced: data, mtime: node.mtime}
			copies[node] = c
		}
		n.files[name] = c
		n.durable[name] = c
	}
	return n
}

// before counts an operation and asks the injector about it. Callers hold mu.
func (m *MemFS) before(op Op, name string) error {
	m.ops++
	if m.inject != nil {
		if err := m.inject(op, name); err != nil {
			return &fs.PathError{Op: op.String(), Path: name, Err: err}
		}
	}
	return nil
}

func clean(name string) string {
	name = path.Clean(strings.ReplaceAll(name, "\\", "/"))
	return name
}

func (m *MemFS) parentExists(name string) bool {
	return m.dirs[path.Dir(name)]
}

func (m *MemFS) Create(name string) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.before(OpCreate, name); err != nil {
		return nil, err
	}
	if !m.parentExists(name) {
		return nil, &fs.PathError{Op: "create", Path: name, Err: fs.ErrNotExist}
	}
	if m.dirs[name] {
		return nil, &fs.PathError{Op: "create", Path: name, Err: errors.New("is a directory")}
	}
	node := &memNode{mtime: time.Now()}
	m.files[name] = node
	return &memFile{fs: m, name: name, node: node, write: true}, nil
}

func (m *MemFS) open(name string, write bool) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.before(OpOpen, name); err != nil {
		return nil, err
	}
	node, ok := m.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{fs: m, name: name, node: node, write: write}, nil
}

func (m *MemFS) Open(name string) (File, error)         { return m.open(name, true) }
func (m *MemFS) OpenReadOnly(name string) (File, error) { return m.open(name, false) }

func (m *MemFS) Rename(oldname, newname string) error {
	oldname, newname = clean(oldname), clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.before(OpRename, oldname+" -> "+newname); err != nil {
		return err
	}
	node, ok := m.files[oldname]
	if !ok {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fs.ErrNotExist}
	}
	if !m.parentExists(newname) {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fs.ErrNotExist}
	}
	delete(m.files, oldname)
	m.files[newname] = node
	return nil
}

func (m *MemFS) Remove(name string) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.before(OpRemove, name); err != nil {
		return err
	}
	if _, ok := m.files[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.files, name)
	return nil
}

func (m *MemFS) ReadDir(dir string) ([]string, error) {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.before(OpReadDir, dir); err != nil {
		return nil, err
	}
	if !m.dirs[dir] {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrNotExist}
	}
	var names []string
	for name := range m.files {
		if path.Dir(name) == dir {
			names = append(names, path.Base(name))
		}
	}
	for d := range m.dirs {
		if d != dir && path.Dir(d) == dir {
			names = append(names, path.Base(d))
		}
	}
	sort.Strings(names)
	return names, nil
}

func (m *MemFS) MkdirAll(dir string, perm os.FileMode) error {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.before(OpMkdirAll, dir); err != nil {
		return err
	}
	for d := dir; !m.dirs[d]; d = path.Dir(d) {
		if _, ok := m.files[d]; ok {
			return &fs.PathError{Op: "mkdir", Path: d, Err: errors.New("not a directory")}
		}
		m.dirs[d] = true
	}
	return nil
}

func (m *MemFS) SyncDir(dir string) error {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.before(OpSyncDir, dir); err != nil {
		return err
	}
	if !m.dirs[dir] {
		return &fs.PathError{Op: "syncdir", Path: dir, Err: fs.ErrNotExist}
	}
	for name := range m.durable {
		if path.Dir(name) == dir {
			if _, ok := m.files[name]; !ok {
				delete(m.durable, name)
			}
		}
	}
	for name, node := range m.files {
		if path.Dir(name) == dir {
			m.durable[name] = node
		}
	}
	return nil
}

type memFile struct {
	fs     *MemFS
	name   string
	node   *memNode
	write  bool
	closed bool
}

var errFileClosed = errors.New("file already closed")

func (f *memFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.before(OpWrite, f.name); err != nil {
		return 0, err
	}
	if f.closed {
		return 0, &fs.PathError{Op: "write", Path: f.name, Err: errFileClosed}
	}
	if !f.write {
		return 0, &fs.PathError{Op: "write", Path: f.name, Err: errors.New("file opened read-only")}
	}
	f.node.data = append(f.node.data, p...)
	f.node.mtime = time.Now()
	return len(p), nil
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.before(OpRead, f.name); err != nil {
		return 0, err
	}
	if f.closed {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: errFileClosed}
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: errors.New("negative offset")}
	}
	if off >= int64(len(f.node.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.node.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.before(OpSync, f.name); err != nil {
		return err
	}
	if f.closed {
		return &fs.PathError{Op: "sync", Path: f.name, Err: errFileClosed}
	}
	f.node.synced = append([]byte(nil), f.node.data...)
	return nil
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.name, Err: errFileClosed}
	}
	f.closed = true
	// Closing never fails by injection: real close errors on a written file
	// surface at Sync, which the engine always calls first.
	return nil
}

func (f *memFile) Stat() (os.FileInfo, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.before(OpStat, f.name); err != nil {
		return nil, err
	}
	return memInfo{name: path.Base(f.name), size: int64(len(f.node.data)), mtime: f.node.mtime}, nil
}

type memInfo struct {
	name  string
	size  int64
	mtime time.Time
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() os.FileMode  { return 0o644 }
func (i memInfo) ModTime() time.Time { return i.mtime }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
