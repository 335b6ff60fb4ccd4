package ignore

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var oracleSeed = flag.Uint64("oracle.seed", 0, "seed for TestGitOracle (0: time-based)")

// TestGitOracle generates random trees with random .gitignore files and
// compares the files a walk with this package keeps against
// `git ls-files --others --exclude-standard`, which applies git's own rules.
func TestGitOracle(t *testing.T) {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not on PATH: the oracle test needs it")
	}
	seed := *oracleSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -oracle.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	trees := 120
	if testing.Short() {
		trees = 25
	}
	home := t.TempDir()
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	kept, total := 0, 0
	for i := range trees {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("tree%d", i))
		ignoreFiles := generateTree(t, rng, dir)
		git := func(args ...string) []byte {
			cmd := exec.Command(gitPath, args...)
			cmd.Dir, cmd.Env = dir, env
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("git %v: %v", args, err)
			}
			return out
		}
		git("init", "-q", ".")
		var want []string
		for _, f := range bytes.Split(git("ls-files", "-z", "--others", "--exclude-standard"), []byte{0}) {
			if len(f) > 0 {
				want = append(want, string(f))
			}
		}
		got := walkKept(t, dir)
		kept += len(got)
		total += countFiles(t, dir)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			var desc strings.Builder
			for _, d := range slices.Sorted(maps.Keys(ignoreFiles)) {
				fmt.Fprintf(&desc, "--- %s/.gitignore\n%s\n", d, ignoreFiles[d])
			}
			t.Fatalf("tree %d (seed %d) differs from git:\nonly ours: %q\nonly git:  %q\n%s",
				i, seed, diff(got, want), diff(want, got), desc.String())
		}
	}
	t.Logf("%d trees: %d files, %d kept, %d ignored", trees, total, kept, total-kept)
	// A generator that ignores nothing or everything would prove nothing.
	if kept == 0 || kept == total {
		t.Fatalf("degenerate trees: %d of %d files kept", kept, total)
	}
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if d != nil && d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// walkKept walks root like the ingester does (minus its hidden-file rule):
// each directory's .gitignore is pushed before its entries are matched and
// ignored directories are not entered. It returns the kept files, sorted.
func walkKept(t *testing.T, root string) []string {
	var kept []string
	var walk func(rel string, m *Matcher)
	walk = func(rel string, m *Matcher) {
		abs := filepath.Join(root, filepath.FromSlash(rel))
		if data, err := os.ReadFile(filepath.Join(abs, ".gitignore")); err == nil {
			m = m.Push(Parse(rel, filepath.Join(rel, ".gitignore"), data))
		}
		entries, err := os.ReadDir(abs)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() == ".git" {
				continue
			}
			p := e.Name()
			if rel != "" {
				p = rel + "/" + p
			}
			if ign, _ := m.Match(p, e.IsDir()); ign {
				continue
			}
			if e.IsDir() {
				walk(p, m)
			} else {
				kept = append(kept, p)
			}
		}
	}
	walk("", nil)
	slices.Sort(kept)
	return kept
}

// Names include glob and escape characters so the escapes get exercised.
var oracleNames = []string{"a", "b", "c", "ab", "ba", "abc", "a.md", "b.md", "c.txt",
	"foo", "bar", "x*", "q?", "#h", "!n", "s p", "t ", "[ab]", `b\`}

// generateTree writes a random tree under dir and returns the .gitignore
// contents by directory.
func generateTree(t *testing.T, rng *rand.Rand, dir string) map[string]string {
	ignores := map[string]string{}
	var gen func(rel string, depth int)
	gen = func(rel string, depth int) {
		abs := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(abs, 0o755); err != nil {
			t.Fatal(err)
		}
		if rel == "" || rng.IntN(3) == 0 {
			var lines []string
			for range 1 + rng.IntN(5) {
				lines = append(lines, randomPattern(rng))
			}
			content := strings.Join(lines, "\n")
			if rng.IntN(2) == 0 {
				content += "\n"
			}
			ignores[rel] = content
			if err := os.WriteFile(filepath.Join(abs, ".gitignore"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 + rng.IntN(4) {
			name := oracleNames[rng.IntN(len(oracleNames))]
			p := name
			if rel != "" {
				p = rel + "/" + name
			}
			if _, err := os.Lstat(filepath.Join(abs, name)); err == nil {
				continue
			}
			if depth < 3 && rng.IntN(3) == 0 {
				gen(p, depth+1)
				continue
			}
			if err := os.WriteFile(filepath.Join(abs, name), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	gen("", 0)
	return ignores
}

var segmentAtoms = []string{"a", "b", "ab", "foo", "bar", "*", "**", "?", "*.md", "a*",
	"*b", "[ab]", "[!a]", "[a-c]*", `x\*`, `q\?`, "[[:alpha:]]*", `\#h`, `\!n`, `t\ `, "s p",
	`b\\`, `\[ab]`}

func randomPattern(rng *rand.Rand) string {
	switch rng.IntN(14) {
	case 0:
		return "# comment"
	case 1:
		return ""
	}
	var segs []string
	for range 1 + rng.IntN(3) {
		segs = append(segs, segmentAtoms[rng.IntN(len(segmentAtoms))])
	}
	p := strings.Join(segs, "/")
	switch rng.IntN(6) {
	case 0:
		p = "/" + p
	case 1:
		p = "**/" + p
	}
	switch rng.IntN(6) {
	case 0:
		p += "/"
	case 1:
		p += "/**"
	case 2:
		p += "  "
	}
	if rng.IntN(4) == 0 {
		p = "!" + p
	}
	if rng.IntN(20) == 0 {
		p += "\r"
	}
	return p
}
