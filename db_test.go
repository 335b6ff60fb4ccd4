package kotadb

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kotadb/kotadb/store"
)

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		name, kotadbDB, xdg, home, want string
	}{
		{"KOTADB_DB wins", "/data/k.db", "/xdg", "/home/u", "/data/k.db"},
		{"XDG_DATA_HOME", "", "/xdg", "/home/u", "/xdg/kotadb/kotadb.db"},
		{"home", "", "", "/home/u", "/home/u/.local/share/kotadb/kotadb.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KOTADB_DB", tt.kotadbDB)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			got, err := DefaultPath()
			if err != nil || got != filepath.FromSlash(tt.want) {
				t.Errorf("DefaultPath() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestOpenReadOnlyMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none", "kotadb.db")
	_, err := Open(path, &Options{ReadOnly: true})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open read-only of a missing file: %v; want ErrNotFound naming the path", err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only open created %s", filepath.Dir(path))
	}
}

func TestCheckIndexDir(t *testing.T) {
	root := t.TempDir()
	vault := filepath.Join(root, "vault")
	if err := os.MkdirAll(filepath.Join(vault, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(vault, "a.md")
	if err := os.WriteFile(file, []byte("# a"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, db, dir, wantErr string
	}{
		{"db beside the vault", filepath.Join(root, "kotadb.db"), vault, ""},
		{"db in a sibling with a common prefix", filepath.Join(root, "vault2", "kotadb.db"), vault, ""},
		{"db in the vault", filepath.Join(vault, "kotadb.db"), vault, "is inside that folder"},
		{"db in a subfolder of the vault", filepath.Join(vault, "sub", "x", "kotadb.db"), vault, "is inside that folder"},
		{"db path relative to a vault given with ..", filepath.Join(vault, "kotadb.db"), filepath.Join(vault, "sub", ".."), "is inside that folder"},
		{"missing folder", filepath.Join(root, "kotadb.db"), filepath.Join(root, "nope"), "no such folder"},
		{"a file", filepath.Join(root, "kotadb.db"), file, "not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckIndexDir(tt.db, tt.dir)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("CheckIndexDir(%s, %s) = %v", tt.db, tt.dir, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("CheckIndexDir(%s, %s) = %v; want %q", tt.db, tt.dir, err, tt.wantErr)
			}
		})
	}
}

// TestFolderCollectionsAreReadOnly: put and rm on a collection that mirrors
// a folder would be undone by the next index, so they are refused.
func TestFolderCollectionsAreReadOnly(t *testing.T) {
	db := openTestDB(t)
	if _, err := db.Index(context.Background(), exampleVault, IndexOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Put("vault/new.json", []byte(`{}`), "test"); err == nil || !strings.Contains(err.Error(), "indexes the folder") {
		t.Errorf("Put into a folder collection: %v", err)
	}
	if _, err := db.Delete("vault/inbox.md", "test"); err == nil || !strings.Contains(err.Error(), "indexes the folder") {
		t.Errorf("Delete from a folder collection: %v", err)
	}
	if _, err := db.Get("vault/inbox.md"); err != nil {
		t.Errorf("inbox.md after a refused delete: %v", err)
	}
	if _, err := db.Put("nocollection", []byte(`{}`), "test"); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Put without a collection: %v; want ErrInvalidKey", err)
	}
}

// TestPutDeleteModel runs random puts and deletes against a map and checks
// Get, GetAtSeq, History and Ls after every step.
func TestPutDeleteModel(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			db := openTestDB(t)
			keys := []string{"a/x", "a/y", "a/z/1", "b/x", "b/long/path/key"}
			values := []string{`{"n":1}`, `{"n":2}`, `[1,2]`, `"s"`, `{"title":"T","tags":["t"]}`}

			live := map[string]string{}          // the model: key -> value
			history := map[string][]string{}     // key -> ops ("put:<value>" or "delete")
			snapshots := []map[string]string{{}} // snapshots[seq] = live after seq
			for step := range 120 {
				key := keys[rng.IntN(len(keys))]
				if rng.IntN(4) == 0 {
					_, err := db.Delete(key, "model")
					_, wasLive := live[key]
					if wasLive != (err == nil) || (!wasLive && !errors.Is(err, ErrNotFound)) {
						t.Fatalf("step %d: Delete(%s) = %v, live %v", step, key, err, wasLive)
					}
					if wasLive {
						delete(live, key)
						history[key] = append(history[key], "delete")
						snapshots = append(snapshots, clone(live))
					}
				} else {
					val := values[rng.IntN(len(values))]
					v, err := db.Put(key, []byte(val), "model")
					if err != nil {
						t.Fatalf("step %d: Put(%s): %v", step, key, err)
					}
					if old, ok := live[key]; !ok || old != val {
						live[key] = val
						history[key] = append(history[key], "put:"+val)
						snapshots = append(snapshots, clone(live))
						if v.Seq != uint64(len(snapshots)-1) {
							t.Fatalf("step %d: Put(%s) made seq %d, want %d", step, key, v.Seq, len(snapshots)-1)
						}
					} else if v.Seq >= uint64(len(snapshots)) || v.Op != 1 {
						t.Fatalf("step %d: unchanged Put(%s) returned %+v, want the key's head", step, key, v)
					}
				}
				checkModel(t, db, keys, live, history)
				seq := uint64(rng.IntN(len(snapshots)))
				for _, k := range keys {
					e, err := db.GetAtSeq(k, seq)
					want, ok := snapshots[seq][k]
					if ok != (err == nil) || (ok && string(e.Value) != want) {
						t.Fatalf("step %d: GetAtSeq(%s, %d) = %q, %v; want %q (live %v)", step, k, seq, e.Value, err, want, ok)
					}
				}
			}
		})
	}
}

func checkModel(t *testing.T, db *DB, keys []string, live map[string]string, history map[string][]string) {
	t.Helper()
	for _, k := range keys {
		e, err := db.Get(k)
		want, ok := live[k]
		if ok != (err == nil) || (ok && string(e.Value) != want) {
			t.Fatalf("Get(%s) = %q, %v; want %q (live %v)", k, e.Value, err, want, ok)
		}
		vs, err := db.History(k)
		if len(history[k]) == 0 {
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("History(%s) of a key never written: %v, %v", k, vs, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var ops []string
		for _, v := range vs {
			if v.Op == store.OpDelete {
				ops = append(ops, "delete")
				continue
			}
			ops = append(ops, fmt.Sprintf("put:%x", v.Hash))
		}
		var wantOps []string
		for _, op := range history[k] {
			if val, ok := strings.CutPrefix(op, "put:"); ok {
				op = fmt.Sprintf("put:%x", sha256.Sum256([]byte(val)))
			}
			wantOps = append(wantOps, op)
		}
		if !slices.Equal(ops, wantOps) {
			t.Fatalf("History(%s) = %v, want %v (values %v)", k, ops, wantOps, history[k])
		}
	}
	var got []string
	if err := db.Ls("", func(v Version) error { got = append(got, v.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	var want []string
	for k := range live {
		want = append(want, k)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("Ls = %v, want %v", got, want)
	}
}

func clone(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
