package kotadb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// crashChildEnv makes the test binary act as the child of
// TestCrashDuringIndex: it indexes the folder named by the variable into
// the database named by crashDBEnv and exits.
const (
	crashChildEnv = "KOTADB_TEST_CRASH_VAULT"
	crashDBEnv    = "KOTADB_TEST_CRASH_DB"
)

func TestMain(m *testing.M) {
	if vault := os.Getenv(crashChildEnv); vault != "" {
		os.Exit(crashChild(vault, os.Getenv(crashDBEnv)))
	}
	os.Exit(m.Run())
}

func crashChild(vault, path string) int {
	db, err := Open(path, &Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := db.Index(context.Background(), vault, IndexOptions{Name: "v", BatchDocs: 64}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := db.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestCrashDuringIndex kills a process that is indexing (store batches,
// then index building and flushing) with SIGKILL at random moments. After
// every kill the database must open, verify clean, and its recovered
// indices must answer exactly like indices rebuilt from the store alone.
// Between kills the vault changes, so runs are incremental too.
func TestCrashDuringIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped in -short mode")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	vault := t.TempDir()
	writeRandomVault(t, rng, vault, 1200)
	dbPath := filepath.Join(t.TempDir(), "k.db")
	// Time one whole run of a child on a scratch database, so the kills
	// below land inside runs of that length.
	start := time.Now()
	full := childIndex(vault, filepath.Join(t.TempDir(), "full.db"))
	if err := full.Run(); err != nil {
		t.Fatalf("child run to completion: %v", err)
	}
	span := time.Since(start)
	const kills = 8
	killed := 0
	i := 0
	for ; i < 3*kills && killed < kills; i++ {
		cmd := childIndex(vault, dbPath)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(span))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++ // it died mid-run, not after finishing
		}
		checkRecovered(t, dbPath)
		writeRandomVault(t, rng, vault, 800) // rewrite many notes, add others
	}
	t.Logf("%d of %d runs killed mid-run", killed, i)
	if killed < kills/2 {
		t.Fatalf("only %d runs were killed mid-run: the vault is too small to test crashes", killed)
	}
}

// childIndex is a child process that indexes vault into dbPath.
func childIndex(vault, dbPath string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+vault, crashDBEnv+"="+dbPath)
	cmd.Stderr = os.Stderr
	return cmd
}

// checkRecovered opens the database after a crash, verifies the store, and
// compares the recovered indices with indices rebuilt from scratch.
func checkRecovered(t *testing.T, dbPath string) {
	t.Helper()
	db, err := Open(dbPath, &Options{NoSync: true})
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	if err := db.Store().Check(); err != nil {
		t.Fatalf("store after crash: %v", err)
	}
	qs := []string{"alpha", "bravo charlie", `"delta echo"`, "foxtrot OR golf", "hotel -india", "sub:juliet", "kilo*"}
	recovered := answersLimit(t, db, qs)
	ix, err := db.openIndices(true)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.search.Check(); err != nil {
		t.Fatalf("recovered search index: %v", err)
	}
	db.Close()

	rebuilt := t.TempDir() + "/k.db"
	copyFile(t, dbPath, rebuilt)
	db2, err := Open(rebuilt, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if diff := cmp.Diff(answersLimit(t, db2, qs), recovered); diff != "" {
		t.Fatalf("recovered indices differ from a rebuild (-rebuilt +recovered):\n%s", diff)
	}
}

func answersLimit(t *testing.T, db *DB, qs []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, q := range qs {
		res, err := db.Search(context.Background(), q, SearchOptions{Limit: 1000, NoSnippets: true, Exact: true})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var ks []string
		for _, h := range res.Hits {
			ks = append(ks, fmt.Sprintf("%s %.9f", h.Key, h.Score))
		}
		out[q] = ks
	}
	return out
}

var crashWords = strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango")

// writeRandomVault writes n notes with random words, tags and links.
func writeRandomVault(t *testing.T, rng *rand.Rand, dir string, n int) {
	t.Helper()
	for range n {
		name := fmt.Sprintf("n%04d.md", rng.IntN(1500))
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntags: [%s]\n---\n# %s\n", crashWords[rng.IntN(len(crashWords))], crashWords[rng.IntN(len(crashWords))])
		for range 40 + rng.IntN(200) {
			b.WriteString(crashWords[rng.IntN(len(crashWords))])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "\n[[n%04d]]\n", rng.IntN(1500))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
