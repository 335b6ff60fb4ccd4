package store

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// testdata/format1.kotadb was written by the format-1 build (before file times
// moved into version records) from format1Steps: puts with metadata blobs,
// raw, plain zstd and dictionary blobs, a file-state-only write, a delete,
// moves with and without a new value, a blob shared by two collections, an
// unchanged put and a clock step back. Every later build must read it as
// that build did: the model replays the same steps and every read API is
// compared with it. (A bbolt file; not named .db, which .gitignore drops.)

// format1Step is a batch (writes by author), a dictionary training or a
// source registration, at a time.
type format1Step struct {
	at     time.Time
	author string
	writes []Write
	train  string
	source *Source
}

func format1Note(i int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: Note %d\ntags: [kota, note%d]\n---\n# Note %d\n\n", i, i%5, i)
	for j := range 8 + i%7 {
		fmt.Fprintf(&b, "Paragraph %d of note %d links to [[Note %d]] and talks about versioned stores.\n\n", j, i, (i+j)%40)
	}
	return []byte(b.String())
}

func format1Meta(i int) []byte {
	return fmt.Appendf(nil, `{"path":"note%d.md","kind":"markdown","title":"Note %d","tags":["kota","note%d"]}`, i, i, i%5)
}

func format1Steps() []format1Step {
	at := func(min, sec int) time.Time { return time.Date(2025, 3, 1, 10, min, sec, 0, time.UTC) }
	file := func(i int) *FileState {
		return &FileState{Size: int64(len(format1Note(i))), ModTime: at(0, i).UnixNano(), Hash: Hash{byte(i)}}
	}
	big := []byte(strings.Repeat(string(format1Note(2)), 20))
	return []format1Step{
		{at: at(0, 0), source: &Source{Name: "a", Path: "/vault/a", Added: at(0, 0), Indexed: at(0, 0), MaxSize: 1 << 20}},
		{at: at(1, 0), author: "fs", writes: []Write{
			{Op: OpPut, Key: "a/x.md", Value: format1Note(0), Meta: format1Meta(0), File: file(0)},
			{Op: OpPut, Key: "a/y.md", Value: format1Note(1), Meta: format1Meta(1), File: file(1)},
			{Op: OpPut, Key: "a/z/1.md", Value: []byte("tiny"), Meta: []byte(`{"title":"t"}`)},
			{Op: OpPut, Key: "a/z/2.md", Value: big},
		}},
		{at: at(2, 0), train: "a"},
		{at: at(3, 0), author: "fs", writes: []Write{
			{Op: OpPut, Key: "a/x.md", Value: format1Note(3), Meta: format1Meta(3), File: file(3)},
			{Op: OpPut, Key: "b/x.md", Value: format1Note(4), Meta: format1Meta(4)},
			{Key: "a/y.md", File: file(7)},
		}},
		{at: at(4, 0), author: "fs", writes: []Write{{Op: OpDelete, Key: "a/y.md"}}},
		{at: at(5, 0), author: "fs", writes: []Write{
			{Op: OpMove, Key: "b/z/1.md", From: "a/z/1.md"},
			{Op: OpMove, Key: "a/y.md", From: "a/z/2.md", Value: format1Note(5), Meta: format1Meta(5), File: file(5)},
		}},
		{at: at(6, 0), author: "cli", writes: []Write{
			{Op: OpPut, Key: "b/y.md", Value: format1Note(0), Meta: format1Meta(0)},
			{Op: OpPut, Key: "b/x.md", Value: format1Note(4), Meta: format1Meta(4)},
		}},
		{at: at(5, 30), author: "cli", writes: []Write{{Op: OpPut, Key: "b/x.md", Value: format1Note(6), Meta: format1Meta(6)}}},
	}
}

// openFormat1 opens a copy of testdata/format1.kotadb (opening for writing
// writes a lock file beside it).
func openFormat1(t *testing.T, opts *Options) (*Store, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "format1.kotadb"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kotadb.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("open the format-1 database: %v", err)
	}
	return s, path
}

func TestFormat1DatabaseReads(t *testing.T) {
	m := newModel()
	for i, step := range format1Steps() {
		if len(step.writes) == 0 {
			continue
		}
		next, _, err := m.apply(step.author, step.at, step.writes)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		m = next
	}
	g := &generator{keys: []string{"a/x.md", "a/y.md", "a/z/1.md", "a/z/2.md", "b/x.md", "b/y.md", "b/z/1.md", "b/none.md"}}
	for _, ro := range []bool{true, false} {
		s, _ := openFormat1(t, &Options{ReadOnly: ro})
		compareWithModel(t, s, m, g)
		src, err := s.Source("a")
		if err != nil || src.Path != "/vault/a" || src.MaxSize != 1<<20 {
			t.Errorf("Source(a) = %+v, %v", src, err)
		}
		if id := s.dictFor("a"); id == 0 {
			t.Error("collection a lost its dictionary")
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A format-1 file takes format-2 writes: the first version with a DocInfo
// marks it format 2, and what it held reads as before.
func TestFormat1DatabaseUpgrades(t *testing.T) {
	s, path := openFormat1(t, nil)
	before, err := s.History("a/x.md")
	if err != nil {
		t.Fatal(err)
	}
	// A plain put (no DocInfo) leaves the format alone.
	mustApply(t, s, put("b/plain.md", "plain"))
	if f := formatOf(t, s); f != 1 {
		t.Fatalf("format %d after a format-1 write, want 1", f)
	}
	mod := time.Date(2025, 4, 1, 8, 0, 0, 42, time.FixedZone("", 3600))
	doc := DocInfo{Kind: DocFile, ModTime: mod}
	made := mustApply(t, s, Write{Op: OpPut, Key: "a/x.md", Value: format1Note(9), Doc: doc})
	if len(made) != 1 || !made[0].Doc.Equal(doc) || made[0].Meta != (Hash{}) {
		t.Fatalf("made %+v", made)
	}
	if f := formatOf(t, s); f != FormatVersion {
		t.Fatalf("format %d after a format-2 write, want %d", f, FormatVersion)
	}
	// Verify notices a format-2 record in a file that says format 1.
	setFormat(t, s, 1)
	var problems []string
	if _, err := s.Verify(func(p Problem) { problems = append(problems, p.String()) }); err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "a format-2 record in a format-1 file") {
		t.Errorf("Verify of a format-2 record in a format-1 file: %q", problems)
	}
	setFormat(t, s, FormatVersion)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeChecked(t, s)
	hist, err := s.History("a/x.md")
	if err != nil || len(hist) != len(before)+1 || !sameVersions(before, hist[:len(before)]) {
		t.Fatalf("History after the upgrade = %+v, %v; before %+v", hist, err, before)
	}
	e, err := s.Get("a/x.md")
	if err != nil || !e.Doc.Equal(doc) || e.Meta != nil || string(e.Value) != string(format1Note(9)) {
		t.Fatalf("Get = %+v, %v", e, err)
	}
	if _, off := e.Doc.ModTime.Zone(); off != 3600 {
		t.Errorf("modification time came back with offset %d, want 3600", off)
	}
	old, err := s.GetAtSeq("a/x.md", before[len(before)-1].Seq)
	if err != nil || string(old.Meta) != string(format1Meta(3)) || old.Doc.Kind != DocNone {
		t.Fatalf("format-1 version after the upgrade = %+v, %v", old, err)
	}
}

func formatOf(t *testing.T, s *Store) uint64 {
	t.Helper()
	var f uint64
	err := s.view("test", func(tx *bolt.Tx) error {
		d := decoder{buf: tx.Bucket(bucketMeta).Get(metaFormat)}
		f = d.uvarint("format")
		return d.end()
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func setFormat(t *testing.T, s *Store, f uint64) {
	t.Helper()
	err := s.update("test", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(metaFormat, binary.AppendUvarint(nil, f))
	})
	if err != nil {
		t.Fatal(err)
	}
}
