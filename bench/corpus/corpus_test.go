package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "data", "b.md"), "bravo")
	writeFile(t, filepath.Join(dir, "data", "a dir", "a.md"), "alpha!")
	writeFile(t, filepath.Join(dir, "data", ".obsidian", "x.json"), "{}")
	writeFile(t, filepath.Join(dir, "queries.tsv"), header+"word\talpha\t1\t1\t\n")
	writeFile(t, filepath.Join(dir, "queries.txt"), "\nalpha\n")
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, f := range c.Files {
		rels = append(rels, f.Rel)
	}
	if diff := cmp.Diff([]string{"a dir/a.md", "b.md"}, rels); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if c.Bytes != 11 {
		t.Errorf("Bytes = %d, want 11", c.Bytes)
	}
	if c.FirstQuery != "alpha" || len(c.Queries) != 1 || c.Name != filepath.Base(dir) {
		t.Errorf("corpus = %+v", c)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no data folder", map[string]string{"queries.tsv": header}, "no such file"},
		{"empty data folder", map[string]string{"data/.keep/x": "", "queries.tsv": header}, "no files under"},
		{"no queries.tsv", map[string]string{"data/a.md": "a"}, "queries.tsv"},
		{"bad queries.tsv", map[string]string{"data/a.md": "a", "queries.tsv": "nope\n"}, "queries.tsv:1:1: header has 1 columns"},
		{"no queries.txt", map[string]string{"data/a.md": "a", "queries.tsv": header}, "queries.txt"},
		{"empty queries.txt", map[string]string{"data/a.md": "a", "queries.tsv": header, "queries.txt": "\n\n"}, "no query in file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, s := range tt.files {
				writeFile(t, filepath.Join(dir, p), s)
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
