package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"best practices", []string{"best", "practices"}},
		{"  how to  take?  ", []string{"how", "to", "take?"}},
		{"a - b", []string{"a", "b"}},
		{"fs.readFile", []string{"fs.readFile"}},
		{"可观测性 ?!", []string{"可观测性"}},
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Words(tt.in)); diff != "" {
			t.Errorf("Words(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestFieldWords(t *testing.T) {
	for in, want := range map[string]string{"sig:Comms": "sig Comms", "a:b:c": "a b:c", "plain": "plain", ":x": " x"} {
		if got := FieldWords(in); got != want {
			t.Errorf("FieldWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDirBytes(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]int{"a": 10, "sub/b": 32} {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := DirBytes(dir)
	if err != nil || got != 42 {
		t.Errorf("DirBytes = %d, %v; want 42", got, err)
	}
	if _, err := DirBytes(filepath.Join(dir, "missing")); err == nil {
		t.Error("DirBytes of a missing folder succeeded")
	}
}
