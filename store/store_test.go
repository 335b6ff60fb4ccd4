package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kotadb/kotadb/errs"
)

func TestValidateKey(t *testing.T) {
	tests := []struct {
		key  string
		want string // "" = valid, else a substring of the error
	}{
		{"notes/a.md", ""},
		{"notes/dir/sub/a.md", ""},
		{"n/é 漢字.md", ""},
		{"notes/" + strings.Repeat("x", MaxKeyLen-6), ""},
		{"notes/" + strings.Repeat("x", MaxKeyLen-5), "longer than"},
		{"", "no '/'"},
		{"notes", "no '/'"},
		{"/a.md", "empty collection"},
		{"notes/", "empty path"},
		{"notes/a\x00b", "NUL"},
		{"notes/\xff", "UTF-8"},
	}
	for _, tt := range tests {
		err := ValidateKey(tt.key)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ValidateKey(%q) = %v, want nil", tt.key, err)
		case tt.want != "" && (err == nil || !errors.Is(err, errs.ErrInvalidKey) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey mentioning %q", tt.key, err, tt.want)
		}
	}
	for _, name := range []string{"", "a/b", "a\x00"} {
		if err := ValidateCollection(name); !errors.Is(err, errs.ErrInvalidKey) {
			t.Errorf("ValidateCollection(%q) = %v, want ErrInvalidKey", name, err)
		}
	}
}

func TestApplyErrors(t *testing.T) {
	s := openTest(t, nil)
	mustApply(t, s, put("c/live", "x"))
	mustApply(t, s, put("c/gone", "x"))
	mustApply(t, s, Write{Op: OpDelete, Key: "c/gone"})
	tests := []struct {
		name   string
		writes []Write
		want   error
	}{
		{"invalid key", []Write{put("nocollection", "x")}, errs.ErrInvalidKey},
		{"invalid key later in batch", []Write{put("c/ok", "x"), put("c/\x00", "x")}, errs.ErrInvalidKey},
		{"delete absent", []Write{{Op: OpDelete, Key: "c/absent"}}, errs.ErrNotFound},
		{"delete deleted", []Write{{Op: OpDelete, Key: "c/gone"}}, errs.ErrNotFound},
		{"delete twice in batch", []Write{{Op: OpDelete, Key: "c/live"}, {Op: OpDelete, Key: "c/live"}}, errs.ErrNotFound},
		{"move absent", []Write{{Op: OpMove, From: "c/absent", Key: "c/new"}}, errs.ErrNotFound},
		{"move onto itself", []Write{{Op: OpMove, From: "c/live", Key: "c/live"}}, errs.ErrInvalidKey},
		{"move bad source", []Write{{Op: OpMove, From: "bad", Key: "c/new"}}, errs.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.LastSeq()
			_, err := s.Apply("test", tt.writes)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Apply = %v, want %v", err, tt.want)
			}
			if s.LastSeq() != before {
				t.Fatalf("failed batch moved LastSeq from %d to %d", before, s.LastSeq())
			}
			if _, err := s.Get("c/ok"); !errors.Is(err, errs.ErrNotFound) {
				t.Fatalf("failed batch left c/ok behind: %v", err)
			}
		})
	}
	if _, err := s.Apply("test", []Write{{Op: 0, Key: "c/x"}}); err == nil || !strings.Contains(err.Error(), "File is nil") {
		t.Errorf("Op 0 without File = %v, want an error about File", err)
	}
	if _, err := s.Apply("test", []Write{{Op: 9, Key: "c/x"}}); err == nil || !strings.Contains(err.Error(), "unknown op") {
		t.Errorf("Op 9 = %v, want unknown op", err)
	}
	mod := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		w    Write
		want string
	}{
		{Write{Op: OpPut, Key: "c/x", Value: []byte("x"), Doc: DocInfo{Kind: 3}}, "unknown document kind"},
		{Write{Op: OpPut, Key: "c/x", Value: []byte("x"), Meta: []byte("m"), Doc: DocInfo{Kind: DocFile}}, "without a metadata blob"},
		{Write{Op: OpDelete, Key: "c/live", Doc: DocInfo{Kind: DocJSON}}, "without a metadata blob"},
		{Write{Op: OpPut, Key: "c/x", Value: []byte("x"), Doc: DocInfo{Kind: DocJSON, ModTime: mod}}, "not a file"},
		{Write{Op: OpPut, Key: "c/x", Value: []byte("x"), Doc: DocInfo{Birth: mod}}, "not a file"},
	} {
		if _, err := s.Apply("test", []Write{tt.w}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Apply(%+v) = %v, want an error containing %q", tt.w, err, tt.want)
		}
	}
}

func TestPutGetNoOpAndMeta(t *testing.T) {
	clock := newClock()
	s := openTest(t, &Options{NoSync: true, Now: clock.now})
	v1, err := s.Put("notes/a.md", []byte("# A\n"), []byte(`{"title":"A"}`), "cli")
	if err != nil {
		t.Fatal(err)
	}
	want := Version{Seq: 1, Time: clock.t, Op: OpPut, Key: "notes/a.md", Hash: sha256.Sum256([]byte("# A\n")),
		Size: 4, Meta: sha256.Sum256([]byte(`{"title":"A"}`)), Author: "cli"}
	if diff := cmp.Diff(want, v1); diff != "" {
		t.Fatalf("Put version (-want +got):\n%s", diff)
	}
	clock.advance(time.Second)
	same, err := s.Put("notes/a.md", []byte("# A\n"), []byte(`{"title":"A"}`), "cli")
	if err != nil || same.Seq != 1 || s.LastSeq() != 1 {
		t.Fatalf("unchanged Put = %+v, %v, LastSeq %d; want the old head and no new version", same, err, s.LastSeq())
	}
	v2, err := s.Put("notes/a.md", []byte("# A\n"), nil, "cli") // metadata dropped: a change
	if err != nil || v2.Seq != 2 || v2.Prev != 1 || v2.Meta != (Hash{}) {
		t.Fatalf("Put without meta = %+v, %v", v2, err)
	}
	e, err := s.Get("notes/a.md")
	if err != nil || string(e.Value) != "# A\n" || e.Meta != nil || e.Seq != 2 {
		t.Fatalf("Get = %+v, %v", e, err)
	}
	old, err := s.GetAtSeq("notes/a.md", 1)
	if err != nil || string(old.Meta) != `{"title":"A"}` {
		t.Fatalf("GetAtSeq(1) = %+v, %v", old, err)
	}
	if _, err := s.Get("notes/missing.md"); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("Get(missing) = %v, want ErrNotFound", err)
	}
	if b, err := s.Blob(v1.Meta); err != nil || string(b) != `{"title":"A"}` {
		t.Fatalf("Blob(meta) = %q, %v", b, err)
	}
	if _, err := s.Blob(Hash{1}); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("Blob(unknown) = %v, want ErrNotFound", err)
	}
}

func TestMoveAndFileStates(t *testing.T) {
	s := openTest(t, nil)
	st := &FileState{Size: 3, ModTime: 77, Hash: sha256.Sum256([]byte("abc"))}
	mustApply(t, s, Write{Op: OpPut, Key: "c/old.md", Value: []byte("abc"), Meta: []byte("m"), File: st})
	vs := mustApply(t, s, Write{Op: OpMove, From: "c/old.md", Key: "c/new.md", File: st})
	if len(vs) != 2 || vs[0].Op != OpDelete || vs[0].Key != "c/old.md" || vs[1].Op != OpMove || vs[1].From != "c/old.md" {
		t.Fatalf("move versions = %+v", vs)
	}
	e, err := s.Get("c/new.md")
	if err != nil || string(e.Value) != "abc" || string(e.Meta) != "m" {
		t.Fatalf("Get(moved) = %+v, %v; want content and meta of the source", e, err)
	}
	if _, err := s.Get("c/old.md"); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("Get(move source) = %v, want ErrNotFound", err)
	}
	vs = mustApply(t, s, Write{Op: OpMove, From: "c/new.md", Key: "d/x.md", Value: []byte("changed")})
	if e, err := s.Get("d/x.md"); err != nil || string(e.Value) != "changed" || e.Meta != nil || vs[1].Size != 7 {
		t.Fatalf("move with a value: Get = %+v, %v", e, err)
	}
	// Op 0 only updates the file state.
	st2 := FileState{Size: 7, ModTime: 99}
	before := s.LastSeq()
	mustApply(t, s, Write{Key: "d/x.md", File: &st2})
	if s.LastSeq() != before {
		t.Fatal("file-state-only write made a version")
	}
	got := map[string]FileState{}
	for _, col := range []string{"c", "d"} {
		if err := s.FileStates(col, func(k string, st FileState) error { got[k] = st; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(map[string]FileState{"d/x.md": st2}, got); diff != "" {
		t.Fatalf("file states (-want +got):\n%s", diff)
	}
}

func TestGetAtWithClockGoingBack(t *testing.T) {
	clock := newClock()
	s := openTest(t, &Options{NoSync: true, Now: clock.now})
	t0 := clock.t
	mustApply(t, s, put("c/k", "one"))
	clock.advance(-time.Hour) // the clock steps back: commit times must not
	mustApply(t, s, put("c/k", "two"))
	clock.advance(2 * time.Hour)
	t2 := clock.t
	mustApply(t, s, Write{Op: OpDelete, Key: "c/k"})
	hist, err := s.History("c/k")
	if err != nil || len(hist) != 3 {
		t.Fatalf("History = %+v, %v", hist, err)
	}
	if !hist[1].Time.Equal(t0) {
		t.Fatalf("version after a clock step back has time %s, want %s (never before the previous)", hist[1].Time, t0)
	}
	tests := []struct {
		at   time.Time
		want string // "" = not found
	}{
		{t0.Add(-time.Nanosecond), ""},
		{t0, "two"}, // both versions share t0: the later one wins
		{t2.Add(-time.Nanosecond), "two"},
		{t2, ""},
	}
	for _, tt := range tests {
		e, err := s.GetAt("c/k", tt.at)
		if tt.want == "" {
			if !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("GetAt(%s) = %q, %v; want ErrNotFound", tt.at, e.Value, err)
			}
		} else if err != nil || string(e.Value) != tt.want {
			t.Errorf("GetAt(%s) = %q, %v; want %q", tt.at, e.Value, err, tt.want)
		}
	}
}

func TestScanChangesAndCallbacksMayWrite(t *testing.T) {
	s := openTest(t, nil)
	var writes []Write
	for i := range 600 { // more than iterBatch, to cross batch boundaries
		writes = append(writes, put(fmt.Sprintf("c/%04d", i), fmt.Sprint(i)))
	}
	writes = append(writes, put("cc/x", "other collection"), put("b/x", "before"))
	mustApply(t, s, writes...)
	mustApply(t, s, Write{Op: OpDelete, Key: "c/0003"})
	var keys []string
	err := s.Scan("c/", func(v Version) error {
		keys = append(keys, v.Key)
		if v.Key == "c/0300" { // writing from a callback must not deadlock
			_, err := s.Put("z/written-during-scan", []byte("x"), nil, "test")
			return err
		}
		return nil
	})
	if err != nil || len(keys) != 599 || keys[0] != "c/0000" || keys[3] != "c/0004" {
		t.Fatalf("Scan(c/) = %d keys (%v…), %v", len(keys), keys[:min(5, len(keys))], err)
	}
	var seqs []uint64
	if err := s.Changes(600, func(v Version) error { seqs = append(seqs, v.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{601, 602, 603, 604}, seqs); diff != "" {
		t.Fatalf("Changes(600) seqs (-want +got):\n%s", diff)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.Changes(0, func(Version) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Changes stopping = %v after %d calls", err, n)
	}
}

func TestSources(t *testing.T) {
	s := openTest(t, nil)
	added := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, name := range []string{"vault", "docs"} {
		if err := s.PutSource(Source{Name: name, Path: "/data/" + name, Added: added}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutSource(Source{Name: "a/b"}); !errors.Is(err, errs.ErrInvalidKey) {
		t.Fatalf("PutSource(a/b) = %v, want ErrInvalidKey", err)
	}
	st := &FileState{Size: 1}
	mustApply(t, s, Write{Op: OpPut, Key: "vault/a", Value: []byte("a"), File: st}, Write{Op: OpPut, Key: "docs/a", Value: []byte("a"), File: st})
	all, err := s.Sources()
	if err != nil || len(all) != 2 || all[0].Name != "docs" || !all[1].Added.Equal(added) {
		t.Fatalf("Sources = %+v, %v", all, err)
	}
	if err := s.DeleteSource("vault"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Source("vault"); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("Source after delete = %v", err)
	}
	if err := s.DeleteSource("vault"); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("DeleteSource twice = %v", err)
	}
	n := 0
	_ = s.FileStates("vault", func(string, FileState) error { n++; return nil })
	_ = s.FileStates("docs", func(string, FileState) error { n += 10; return nil })
	if n != 10 {
		t.Fatalf("file states after DeleteSource(vault): count code %d, want only docs' (10)", n)
	}
	if _, err := s.Get("vault/a"); err != nil {
		t.Fatalf("versions must survive DeleteSource: %v", err)
	}
}

func TestReadOnlyClosedAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "kotadb.db")
	if _, err := Open(path, &Options{ReadOnly: true}); err == nil {
		t.Fatal("read-only Open of a missing file succeeded")
	}
	s, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, put("c/a", "a"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("c/a"); !errors.Is(err, errs.ErrClosed) {
		t.Fatalf("Get after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Apply("t", []Write{put("c/b", "b")}); !errors.Is(err, errs.ErrClosed) {
		t.Fatalf("Apply after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeChecked(t, ro)
	if e, err := ro.Get("c/a"); err != nil || string(e.Value) != "a" || ro.LastSeq() != 1 {
		t.Fatalf("read-only Get = %q, %v, LastSeq %d", e.Value, err, ro.LastSeq())
	}
	if _, err := ro.Put("c/b", []byte("b"), nil, "t"); !errors.Is(err, errs.ErrReadOnly) {
		t.Fatalf("Put on read-only = %v, want ErrReadOnly", err)
	}
	if err := ro.PutSource(Source{Name: "c"}); !errors.Is(err, errs.ErrReadOnly) {
		t.Fatalf("PutSource on read-only = %v, want ErrReadOnly", err)
	}
	if _, err := ro.TrainDictionary("c", [][]byte{bytes.Repeat([]byte("sample text "), 200)}); !errors.Is(err, errs.ErrReadOnly) {
		t.Fatalf("TrainDictionary on read-only = %v, want ErrReadOnly", err)
	}
}

func TestConcurrentReadersAndWriters(t *testing.T) {
	s := openTest(t, nil)
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := range 40 {
				if _, err := s.Put(fmt.Sprintf("c/w%d-%d", w, i%10), []byte(strings.Repeat("x", i)), nil, "w"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 3 {
		wg.Go(func() {
			for range 40 {
				_ = s.Scan("c/", func(v Version) error {
					if _, err := s.Get(v.Key); err != nil {
						t.Error(err)
					}
					return nil
				})
			}
		})
	}
	wg.Wait()
	st, err := s.Stats()
	if err != nil || st.Docs != 30 || st.Versions != 120 || st.LastSeq != 120 {
		t.Fatalf("Stats = %+v, %v; want 30 docs, 120 versions", st, err)
	}
}

func TestMmapSizeFor(t *testing.T) {
	for _, tt := range []struct {
		goos string
		bits int
		want int
	}{
		{"linux", 64, initialMmapSize},
		{"darwin", 64, initialMmapSize},
		{"windows", 64, 0}, // the file would grow to the mapping
		{"linux", 32, 0},   // address space is short
	} {
		if got := mmapSizeFor(tt.goos, tt.bits); got != tt.want {
			t.Errorf("mmapSizeFor(%s, %d) = %d, want %d", tt.goos, tt.bits, got, tt.want)
		}
	}
}
