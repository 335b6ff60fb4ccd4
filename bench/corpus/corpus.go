package corpus

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// File is one file of a corpus.
type File struct {
	Rel  string // path relative to the data folder, forward slashes
	Abs  string // absolute path
	Size int64
}

// Corpus is a benchmark corpus folder: DIR/data, DIR/queries.tsv, DIR/queries.txt.
type Corpus struct {
	Name    string // base name of DIR
	Dir     string // absolute DIR
	DataDir string // absolute DIR/data
	Files   []File // every regular file under data/, sorted by Rel; dot-folders skipped
	Bytes   int64  // total size of Files
	Queries []Query
	// FirstQuery is line 1 of queries.txt: the query used to time
	// open-to-first-answer.
	FirstQuery string
}

// Load reads a corpus folder. It lists the files but does not read them.
func Load(dir string) (*Corpus, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	c := &Corpus{Name: filepath.Base(abs), Dir: abs, DataDir: filepath.Join(abs, "data")}
	if c.Files, c.Bytes, err = ListFiles(c.DataDir); err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	if len(c.Files) == 0 {
		return nil, fmt.Errorf("corpus %s: no files under %s", dir, c.DataDir)
	}
	tsv := filepath.Join(abs, "queries.tsv")
	f, err := os.Open(tsv)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	c.Queries, err = ParseQueries(f, tsv)
	f.Close()
	if err != nil {
		return nil, err
	}
	if c.FirstQuery, err = firstLine(filepath.Join(abs, "queries.txt")); err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	return c, nil
}

// ListFiles returns every regular file under root (skipping folders whose
// name starts with '.'), sorted by relative path, and their total size.
func ListFiles(root string) ([]File, int64, error) {
	var files []File
	var total int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files = append(files, File{Rel: filepath.ToSlash(rel), Abs: p, Size: info.Size()})
		total += info.Size()
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("listing %s: %w", root, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Rel < files[j].Rel })
	return files, total, nil
}

func firstLine(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			return s, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return "", fmt.Errorf("%s: %w", path, errors.New("no query in file"))
}

// FindShared returns the shared corpus folder (repoRoot/../shared/corpus)
// by walking up from the working directory to the kotadb root go.mod (the
// one without a "/bench" module path). ok is false when it is absent.
func FindShared() (dir string, ok bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil &&
			strings.Contains(string(b), "module github.com/kotadb/kotadb\n") {
			dir = filepath.Join(d, "..", "shared", "corpus")
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				return dir, true
			}
			return "", false
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}
