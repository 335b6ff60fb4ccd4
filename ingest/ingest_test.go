package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/store"
)

// vault writes a small vault exercising the walk rules and returns the
// documents Index must store (path -> content).
func vault(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	want := map[string][]byte{}
	put := func(rel, content string, indexed bool) {
		writeFile(t, dir, rel, []byte(content))
		if indexed {
			want[rel] = []byte(content)
		}
	}
	put("README.md", "# Readme\n\nSee [[notes/a]].\n", true)
	put("notes/a.md", "---\ntags: [x]\n---\n# A\n", true)
	put("notes/b.md", "# B\n#tag\n", true)
	put("notes/deep/c.txt", "plain text\n", true)
	put("notes/broken.md", "---\ntitle: [unclosed\n---\n# Broken\n", true)
	put("notes/latin1.md", "caf\xe9 cr\xe8me\n", true)
	put("code/main.go", "package main\n", true)
	put("image.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", false)
	put("big.md", strings.Repeat("x", 3000), false)
	put(".hidden.md", "hidden\n", false)
	put(".obsidian/app.json", "{}", false)
	put(".git/HEAD", "ref: refs/heads/main\n", false)
	put("build/out.md", "generated\n", false)
	put("notes/draft.tmp", "tmp\n", false)
	put("notes/keep.tmp", "kept by negation\n", true)
	put("private/secret.md", "secret\n", false)
	put(".gitignore", "/build/\n*.tmp\n!keep.tmp\n", false)
	put("notes/.kotadbignore", "deep/ignored.md\n", false)
	put("notes/deep/ignored.md", "ignored\n", false)
	put(".kotadbignore", "private\n", false)
	return want
}

func TestIndexFirstRunAndNoChange(t *testing.T) {
	dir := t.TempDir()
	want := vault(t, dir)
	st := openStore(t)
	sum := index(t, st, dir, Options{Name: "notes", MaxSize: 2048})

	if sum.Collection != "notes" || sum.Added != len(want) || sum.Changed+sum.Deleted+sum.Unchanged+sum.Moved != 0 {
		t.Errorf("first run: %s", sum)
	}
	if diff := cmp.Diff(map[string]int{SkipBinary: 1, SkipTooLarge: 1}, sum.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if sum.Seen != len(want)+2 || sum.Read != len(want)+1 {
		t.Errorf("seen %d, read %d; want %d, %d", sum.Seen, sum.Read, len(want)+2, len(want)+1)
	}
	checkMatches(t, st, "notes", want)

	// The broken frontmatter and the invalid UTF-8 are indexed with
	// warnings that say where.
	var where []string
	for _, w := range sum.Warnings {
		where = append(where, w.Position.String())
	}
	joined := strings.Join(where, " ")
	if !strings.Contains(joined, "notes/broken.md:") || !strings.Contains(joined, "notes/latin1.md:1:") || sum.WarningCount != len(sum.Warnings) {
		t.Errorf("warnings %q (count %d) should point into broken.md and latin1.md", where, sum.WarningCount)
	}

	src, err := st.Source("notes")
	if err != nil || src.Indexed.IsZero() || src.MaxSize != 2048 {
		t.Errorf("source after the run: %+v, %v", src, err)
	}

	// Only image.png is read again: a skipped file has no file state, so
	// it is sniffed on every run (too large ones cost a stat).
	seq := st.LastSeq()
	again := index(t, st, dir, Options{})
	if again.Unchanged != len(want) || again.Read != 1 || again.Added+again.Changed+again.Deleted != 0 || st.LastSeq() != seq {
		t.Errorf("no-change run: %s; read %d files, seq %d -> %d", again, again.Read, seq, st.LastSeq())
	}
	if again.Collection != "notes" {
		t.Errorf("re-run without a name used collection %q, want the registered %q", again.Collection, "notes")
	}
}

// TestIndexIncremental applies one change at a time and checks what the
// next run reports and that the store matches the folder afterwards.
func TestIndexIncremental(t *testing.T) {
	dir := t.TempDir()
	want := map[string][]byte{}
	set := func(rel, content string) {
		writeFile(t, dir, rel, []byte(content))
		want[rel] = []byte(content)
	}
	remove := func(rel string) {
		if err := os.Remove(filepath.Join(dir, rel)); err != nil {
			t.Fatal(err)
		}
		delete(want, rel)
	}
	rename := func(from, to string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, to)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
		want[to] = want[from]
		delete(want, from)
	}
	set("a.md", "# A\n")
	set("b.md", "# B\n")
	set("sub/c.md", "# C\n")
	set("sub/d.md", "# D\n")
	st := openStore(t)
	index(t, st, dir, Options{Name: "v"})

	tests := []struct {
		name   string
		change func()
		want   Summary // only the counters are compared
		read   int
	}{
		{"modify", func() { set("a.md", "# A changed\n") }, Summary{Changed: 1, Unchanged: 3}, 1},
		{"same size rewrite", func() { set("a.md", "# A CHANGED\n") }, Summary{Changed: 1, Unchanged: 3}, 1},
		{"touch", func() {
			past = past.Add(time.Millisecond)
			if err := os.Chtimes(filepath.Join(dir, "b.md"), past, past); err != nil {
				t.Fatal(err)
			}
		}, Summary{Unchanged: 4}, 1},
		{"after touch nothing is read", func() {}, Summary{Unchanged: 4}, 0},
		{"delete", func() { remove("sub/d.md") }, Summary{Deleted: 1, Unchanged: 3}, 0},
		{"add", func() { set("sub/new.md", "# New\n") }, Summary{Added: 1, Unchanged: 3}, 1},
		{"rename", func() { rename("b.md", "b2.md") }, Summary{Moved: 1, Unchanged: 3}, 1},
		{"move to another folder", func() { rename("sub/c.md", "other/c.md") }, Summary{Moved: 1, Unchanged: 3}, 1},
		{"copy is an add", func() { set("copy.md", "# New\n") }, Summary{Added: 1, Unchanged: 4}, 1},
		{"rename and edit is delete plus add", func() {
			rename("copy.md", "copy2.md")
			set("copy2.md", "# New, edited\n")
		}, Summary{Added: 1, Deleted: 1, Unchanged: 4}, 1},
		{"becomes binary", func() {
			writeFile(t, dir, "a.md", []byte("\x00\x01binary"))
			delete(want, "a.md")
		}, Summary{Deleted: 1, Unchanged: 4, Skipped: map[string]int{SkipBinary: 1}}, 1},
		{"newly ignored", func() {
			writeFile(t, dir, ".gitignore", []byte("other/\n"))
			delete(want, "other/c.md")
		}, Summary{Deleted: 1, Unchanged: 3, Skipped: map[string]int{SkipBinary: 1}}, 1},
		{"directory removed", func() {
			if err := os.RemoveAll(filepath.Join(dir, "sub")); err != nil {
				t.Fatal(err)
			}
			delete(want, "sub/new.md")
		}, Summary{Deleted: 1, Unchanged: 2, Skipped: map[string]int{SkipBinary: 1}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.change()
			got := index(t, st, dir, Options{})
			counts := func(s Summary) Summary {
				return Summary{Added: s.Added, Changed: s.Changed, Moved: s.Moved, Deleted: s.Deleted,
					Unchanged: s.Unchanged, Kept: s.Kept, Skipped: s.Skipped}
			}
			if diff := cmp.Diff(counts(tc.want), counts(got)); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			if got.Read != tc.read {
				t.Errorf("read %d files, want %d", got.Read, tc.read)
			}
			checkMatches(t, st, "v", want)
		})
	}

	// The renames were recorded as moves from the old keys.
	hist, err := st.History("v/other/c.md")
	if err != nil || len(hist) == 0 || hist[0].Op != store.OpMove || hist[0].From != "v/sub/c.md" {
		t.Errorf("history of the moved file: %+v, %v", hist, err)
	}
}

func TestIndexUnreadableDirectoryKeepsItsKeys(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "top.md", []byte("# top\n"))
	writeFile(t, dir, "locked/a.md", []byte("# a\n"))
	writeFile(t, dir, "locked/deep/b.md", []byte("# b\n"))
	st := openStore(t)
	index(t, st, dir, Options{Name: "v"})

	// Root can read any directory, so the failure is injected where the
	// walker lists directories.
	denied := filepath.Join(dir, "locked")
	readDirHook = func(p string) ([]os.DirEntry, error) {
		if p == denied {
			return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EACCES}
		}
		return os.ReadDir(p)
	}
	t.Cleanup(func() { readDirHook = os.ReadDir })
	if err := os.Remove(filepath.Join(dir, "top.md")); err != nil {
		t.Fatal(err)
	}
	sum := index(t, st, dir, Options{})
	if sum.Kept != 2 || sum.Deleted != 1 || sum.Skipped[SkipUnreadable] != 1 {
		t.Errorf("summary: %s", sum)
	}
	if len(sum.Warnings) != 1 || sum.Warnings[0].File != "locked/" || !strings.Contains(sum.Warnings[0].Message, "permission denied") {
		t.Errorf("warnings: %v", sum.Warnings)
	}
	checkMatches(t, st, "v", map[string][]byte{"locked/a.md": []byte("# a\n"), "locked/deep/b.md": []byte("# b\n")})
	d, err := Drift(context.Background(), st, "v")
	if err != nil || len(d.Unreadable) != 1 || d.Unreadable[0] != "v/locked/" || len(d.Deleted) != 0 {
		t.Errorf("drift: %+v, %v", d, err)
	}
}

// TestIndexPermissionDenied uses real permissions, which only bind a
// non-root user.
func TestIndexPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which reads files whatever their permissions; TestIndexUnreadableDirectoryKeepsItsKeys injects the failure instead")
	}
	dir := t.TempDir()
	writeFile(t, dir, "locked/a.md", []byte("# a\n"))
	writeFile(t, dir, "secret.md", []byte("# s\n"))
	writeFile(t, dir, "ok.md", []byte("# ok\n"))
	st := openStore(t)
	index(t, st, dir, Options{Name: "v"})
	for _, p := range []string{"locked", "secret.md"} {
		if err := os.Chmod(filepath.Join(dir, p), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(filepath.Join(dir, p), 0o755) })
	}
	past = past.Add(time.Millisecond)
	if err := os.Chtimes(filepath.Join(dir, "secret.md"), past, past); err != nil {
		t.Fatal(err)
	}
	sum := index(t, st, dir, Options{})
	if sum.Kept != 2 || sum.Deleted != 0 || sum.Skipped[SkipUnreadable] != 2 || sum.WarningCount != 2 {
		t.Errorf("summary: %s", sum)
	}
	checkMatches(t, st, "v", map[string][]byte{"locked/a.md": []byte("# a\n"), "secret.md": []byte("# s\n"), "ok.md": []byte("# ok\n")})
}

func TestIndexSymlinks(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, dir, "real/a.md", []byte("# a\n"))
	writeFile(t, outside, "x.md", []byte("# x\n"))
	links := map[string]string{
		"real/loop":    "..",                             // loops back to the root
		"real/self":    "self",                           // ELOOP
		"alias":        "real",                           // a second path to real/
		"file-link.md": "real/a.md",                      // a file inside the root
		"outside":      outside,                          // a folder outside the root
		"dangling.md":  filepath.Join(dir, "nothing.md"), // broken
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skipf("cannot create symlinks here: %v", err)
		}
	}
	st := openStore(t)
	sum := index(t, st, dir, Options{Name: "v"})
	// The loops: loop and self, each seen as real/ and as alias/.
	wantSkipped := map[string]int{SkipSymlinkLoop: 4, SkipOutsideRoot: 1, SkipBrokenLink: 1}
	if diff := cmp.Diff(wantSkipped, sum.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	checkMatches(t, st, "v", map[string][]byte{
		"real/a.md": []byte("# a\n"), "alias/a.md": []byte("# a\n"), "file-link.md": []byte("# a\n"),
	})
}

func TestIndexErrors(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	writeFile(t, dir, "a.md", []byte("# a\n"))
	other := t.TempDir()
	file := filepath.Join(dir, "a.md")
	index(t, st, dir, Options{Name: "taken"})

	tests := []struct {
		name string
		dir  string
		opts Options
		want string
		is   error
	}{
		{"missing folder", filepath.Join(dir, "nope"), Options{}, "does not exist", fs.ErrNotExist},
		{"not a folder", file, Options{}, "is not a folder", nil},
		{"name taken by another folder", other, Options{Name: "taken"}, `collection "taken" is already registered for folder`, nil},
		{"folder registered under another name", dir, Options{Name: "second"}, `already indexed as collection "taken"`, nil},
		{"bad name", other, Options{Name: "Bad Name"}, `use only a-z`, errs.ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Index(context.Background(), st, tc.dir, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
		})
	}
}

func TestSanitizeName(t *testing.T) {
	tests := map[string]string{
		"notes":              "notes",
		"My Notes":           "my-notes",
		"opentelemetry-docs": "opentelemetry-docs",
		"..hidden..":         "hidden",
		"a  --  b":           "a-b",
		"Café_2024.v1":       "caf-_2024.v1",
		"日本":                 "",
		"--x--":              "x",
	}
	for in, want := range tests {
		if got := SanitizeName(in); got != want {
			t.Errorf("SanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIndexCancelStopsAfterABatch(t *testing.T) {
	dir := t.TempDir()
	want := map[string][]byte{}
	for i := range 50 {
		rel := filepath.ToSlash(filepath.Join("d", string(rune('a'+i%26)), "n"+strings.Repeat("x", i)+".md"))
		content := []byte("# note " + rel + "\n")
		writeFile(t, dir, rel, content)
		want[rel] = content
	}
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	sum, err := Index(ctx, st, dir, Options{Name: "v", BatchDocs: 5, OnBatch: func([]store.Version) {
		batches++
		cancel()
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Index after cancel: %v", err)
	}
	if batches != 1 || sum.Added != 5 {
		t.Errorf("cancelled run committed %d batches, summary %s", batches, sum)
	}
	if n := len(liveEntries(t, st, "v")); n != 5 {
		t.Errorf("%d documents stored after one batch of 5", n)
	}
	again := index(t, st, dir, Options{})
	if again.Added != 45 || again.Unchanged != 5 {
		t.Errorf("completing run: %s", again)
	}
	checkMatches(t, st, "v", want)
}

func TestDrift(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a.md", "b.md", "c.md", "d.md"} {
		writeFile(t, dir, p, []byte("# "+p+"\n"))
	}
	st := openStore(t)
	index(t, st, dir, Options{Name: "v"})
	d, err := Drift(context.Background(), st, "v")
	if err != nil || !d.Clean() || d.Path == "" {
		t.Fatalf("drift of a fresh index: %+v, %v", d, err)
	}
	writeFile(t, dir, "a.md", []byte("# a changed\n"))
	writeFile(t, dir, "b.md", []byte("# b.md\n")) // touched: same content
	if err := os.Remove(filepath.Join(dir, "c.md")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "e.md", []byte("# e\n"))
	writeFile(t, dir, "bin.dat", []byte("\x00\x00binary")) // not indexable: no drift
	writeFile(t, dir, "d.md", []byte("\x00now binary"))    // no longer indexable
	seq := st.LastSeq()
	d, err = Drift(context.Background(), st, "v")
	if err != nil {
		t.Fatal(err)
	}
	// d.md turned binary, so Index would drop it: it counts as deleted.
	want := DriftReport{Collection: "v", Path: d.Path, Added: []string{"v/e.md"}, Changed: []string{"v/a.md"},
		Deleted: []string{"v/c.md", "v/d.md"}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
	if st.LastSeq() != seq {
		t.Errorf("Drift wrote to the store")
	}
	if _, err := Drift(context.Background(), st, "nope"); !isNotFound(err) {
		t.Errorf("drift of an unknown collection: %v", err)
	}
}

type progressRecorder struct{ total, added, totals int }

func (p *progressRecorder) SetTotal(n int) { p.total = n; p.totals++ }
func (p *progressRecorder) Add(n int)      { p.added += n }

func TestIndexReportsProgress(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a.md", "b/c.md", "b/d.txt", "e.bin"} {
		writeFile(t, dir, p, []byte("# "+p+"\n"))
	}
	writeFile(t, dir, "e.bin", []byte{0, 1, 2})
	if err := os.Symlink("/nonexistent", filepath.Join(dir, "broken")); err != nil {
		t.Skip(err)
	}
	st := openStore(t)
	for _, run := range []string{"first", "no-change"} {
		var p progressRecorder
		sum := index(t, st, dir, Options{Name: "v", Progress: &p})
		if p.totals != 1 || p.total != 4 || p.added != 4 || sum.Seen != 5 {
			t.Errorf("%s run: progress %+v, summary %s", run, p, sum)
		}
	}
	var out strings.Builder
	bar := NewProgressBar(&out)
	index(t, openStore(t), dir, Options{Name: "v", Progress: bar})
	if !strings.Contains(out.String(), "indexing") {
		t.Errorf("progress bar output %q does not describe the run", out.String())
	}
}

func TestIndexTrainsDictionaryOnce(t *testing.T) {
	dir := t.TempDir()
	want := map[string][]byte{}
	for i := range 300 {
		rel := fmt.Sprintf("n/%03d.md", i)
		content := fmt.Appendf(nil, "---\ntitle: Note %d\ntags: [project, area/%d]\n---\n# Note %d\n\n%s\n",
			i, i%5, i, strings.Repeat("A sentence that notes of this vault share. ", 8))
		writeFile(t, dir, rel, content)
		want[rel] = content
	}
	st := openStore(t)
	sum := index(t, st, dir, Options{Name: "v"})
	if sum.Dict == nil || sum.Dict.ID == 0 || sum.Dict.Ratio <= 1 {
		t.Fatalf("first run trained no dictionary: %s (%+v)", sum, sum.Dict)
	}
	if !strings.Contains(sum.String(), "dictionary") {
		t.Errorf("summary does not report the dictionary: %s", sum)
	}
	checkMatches(t, st, "v", want)

	writeFile(t, dir, "n/new.md", []byte("# new\n"))
	if again := index(t, st, dir, Options{}); again.Dict != nil || again.Added != 1 {
		t.Errorf("an incremental run trained again: %s", again)
	}
	// A small folder gets no dictionary: too little to learn from.
	small := t.TempDir()
	writeFile(t, small, "a.md", []byte("# a\n"))
	if s := index(t, st, small, Options{Name: "small"}); s.Dict != nil || s.WarningCount != 0 {
		t.Errorf("small folder: %s", s)
	}
}

// TestIndexSkipsItsOwnStore: a store kept inside the indexed folder (its
// file and lock file) is not indexed.
func TestIndexSkipsItsOwnStore(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.md", []byte("# a\n"))
	st, err := store.Open(filepath.Join(dir, "kota.db"), &store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum := index(t, st, dir, Options{Name: "v"})
	if sum.Seen != 1 || sum.SkippedTotal() != 0 {
		t.Errorf("summary: %s", sum)
	}
	checkMatches(t, st, "v", map[string][]byte{"a.md": []byte("# a\n")})
	if d, err := Drift(context.Background(), st, "v"); err != nil || !d.Clean() {
		t.Errorf("drift: %+v, %v", d, err)
	}
}
