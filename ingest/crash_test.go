package ingest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kotadb/kotadb/internal/testcorpus"
	"github.com/kotadb/kotadb/store"
)

// Environment of the crash child: the test binary re-executed to index a
// folder while the parent kills it.
const (
	envCrashChild = "KOTADB_INGEST_CRASH_CHILD" // store path
	envCrashDir   = "KOTADB_INGEST_CRASH_DIR"
	envCrashName  = "KOTADB_INGEST_CRASH_NAME"
	envCrashBatch = "KOTADB_INGEST_CRASH_BATCH"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(envCrashChild); path != "" {
		os.Exit(crashChild(path))
	}
	os.Exit(m.Run())
}

// ackedBatch is the line the child prints after each committed batch.
type ackedBatch struct {
	Versions []ackedVersion `json:"v"`
}

type ackedVersion struct {
	Seq uint64   `json:"s"`
	Op  store.Op `json:"o"`
	Key string   `json:"k"`
}

// crashChild indexes with durable commits and prints one JSON line per
// committed batch with a single write, so a line that arrives whole was
// acknowledged after its batch was on disk.
func crashChild(path string) int {
	batch, _ := strconv.Atoi(os.Getenv(envCrashBatch))
	st, err := store.Open(path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	opts := Options{Name: os.Getenv(envCrashName), BatchDocs: batch, OnBatch: func(vs []store.Version) {
		var b ackedBatch
		for _, v := range vs {
			b.Versions = append(b.Versions, ackedVersion{v.Seq, v.Op, v.Key})
		}
		line, _ := json.Marshal(b)
		_, _ = os.Stdout.Write(append(line, '\n'))
	}}
	if _, err := Index(context.Background(), st, os.Getenv(envCrashDir), opts); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if err := st.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	_, _ = os.Stdout.Write([]byte("done\n"))
	return 0
}

// TestCrashRecovery kills an indexing process with SIGKILL at random
// points and checks that the store is intact, holds every acknowledged
// batch, and that the next run brings it exactly in line with the folder.
func TestCrashRecovery(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	vaultDir := t.TempDir()
	model := map[string][]byte{}
	files := 1200
	if raceEnabled {
		files = 300
	}
	for i := range files {
		rel := fmt.Sprintf("area%02d/topic%d/note%04d.md", i%15, i%4, i)
		content := fmt.Appendf(nil, "---\ntags: [t%d]\n---\n# Note %d\n\nLinks to [[note%04d]] and [[note%04d]].\n%s\n",
			i%9, i, (i+1)%files, (i*7)%files, strings.Repeat("Some words of the body. ", 5+i%20))
		writeFile(t, vaultDir, rel, content)
		model[rel] = content
	}
	var storePath string
	crashes := 0
	for iter := range 20 {
		// Runs commit batches of 32 writes; the kill comes after a random
		// number of them, short of the last.
		writes := files
		if iter%4 == 0 {
			storePath = filepath.Join(t.TempDir(), "kota.db") // a cold run, dictionary included
		} else {
			writes = mutateVault(t, rng, vaultDir, model)
		}
		batches := max(1, writes/32)
		killed := crashOnce(t, rng, storePath, vaultDir, "vault", 32, batches)
		if killed {
			crashes++
		}
		recoverAndCompare(t, storePath, vaultDir, "vault", model)
		if t.Failed() {
			t.Fatalf("iteration %d failed (seed %d)", iter, seed)
		}
	}
	if crashes < 15 {
		t.Errorf("only %d of 20 runs were killed before finishing", crashes)
	}

	// The real vault, when it is there.
	if dir, err := testcorpus.Find("dwarves-brain"); err == nil {
		want := map[string][]byte{}
		for rel := range onDisk(t, dir) {
			data, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			want[rel] = data
		}
		runs := 3
		if raceEnabled {
			runs = 1
		}
		for range runs {
			storePath := filepath.Join(t.TempDir(), "kota.db")
			crashOnce(t, rng, storePath, dir, "brain", 64, 14)
			recoverAndCompare(t, storePath, dir, "brain", want)
		}
	} else {
		t.Logf("crash runs on the generated vault only: %v", err)
	}
}

// crashOnce runs the child on dir and kills it after a random number (below
// batches) of acknowledged batches plus a random delay. It reports whether
// the child was killed before it finished, and checks what it acknowledged.
func crashOnce(t *testing.T, rng *rand.Rand, storePath, dir, name string, batch, batches int) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashChild+"="+storePath, envCrashDir+"="+dir,
		envCrashName+"="+name, envCrashBatch+"="+strconv.Itoa(batch))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		r := bufio.NewReader(out)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return // a line cut by the kill has no newline: not acknowledged
			}
			lines <- strings.TrimSuffix(line, "\n")
		}
	}()
	var acked []ackedBatch
	done := false
	waitFor := rng.IntN(batches)
	readLine := func(l string) {
		if l == "done" {
			done = true
			return
		}
		var b ackedBatch
		if err := json.Unmarshal([]byte(l), &b); err != nil {
			t.Errorf("child printed %q: %v", l, err)
		}
		acked = append(acked, b)
	}
	for len(acked) < waitFor && !done {
		l, ok := <-lines
		if !ok {
			break
		}
		readLine(l)
	}
	time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
	_ = cmd.Process.Kill()
	for l := range lines {
		readLine(l)
	}
	werr := cmd.Wait()
	// A child that finished may still be killed before it exits; only an
	// exit status of its own is a failure.
	if ee, ok := werr.(*exec.ExitError); ok && ee.ExitCode() > 0 {
		t.Fatalf("child failed: %v\n%s", werr, stderr.String())
	}
	if !done && stderr.Len() > 0 {
		t.Logf("child stderr: %s", stderr.String())
	}
	checkAcked(t, storePath, acked)
	versions := 0
	for _, b := range acked {
		versions += len(b.Versions)
	}
	t.Logf("%s: killed=%v after %d acknowledged batches (%d versions)", name, !done, len(acked), versions)
	return !done
}

// checkAcked reopens the store after the kill: it must verify clean and
// hold every acknowledged version.
func checkAcked(t *testing.T, storePath string, acked []ackedBatch) {
	t.Helper()
	if _, err := os.Stat(storePath); os.IsNotExist(err) && len(acked) == 0 {
		return // killed before the store was created
	}
	st, err := store.Open(storePath, nil)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer st.Close()
	verifyClean(t, st)
	for _, b := range acked {
		for _, v := range b.Versions {
			hist, err := st.History(v.Key)
			if err != nil {
				t.Errorf("acknowledged %s of %s at seq %d: %v", v.Op, v.Key, v.Seq, err)
				continue
			}
			found := false
			for _, h := range hist {
				found = found || (h.Seq == v.Seq && h.Op == v.Op)
			}
			if !found {
				t.Errorf("acknowledged %s of %s at seq %d is missing from its history", v.Op, v.Key, v.Seq)
			}
			if v.Seq > st.LastSeq() {
				t.Errorf("acknowledged seq %d is past the store's last seq %d", v.Seq, st.LastSeq())
			}
		}
	}
}

func verifyClean(t *testing.T, st *store.Store) {
	t.Helper()
	problems := 0
	res, err := st.Verify(func(p store.Problem) {
		if problems++; problems <= 10 {
			t.Errorf("verify: %+v", p)
		}
	})
	if err != nil || problems > 0 {
		t.Fatalf("verify: %d problems, %v (%+v)", problems, err, res)
	}
}

// recoverAndCompare completes the interrupted run in-process and checks the
// collection against the folder.
func recoverAndCompare(t *testing.T, storePath, dir, name string, want map[string][]byte) {
	t.Helper()
	st, err := store.Open(storePath, &store.Options{NoSync: true})
	if err != nil {
		t.Fatalf("reopen to complete the run: %v", err)
	}
	defer st.Close()
	index(t, st, dir, Options{Name: name})
	checkMatches(t, st, name, want)
}

// mutateVault changes about a quarter of the files: edits, deletes,
// renames and additions, mirrored in model. It returns how many changes it
// made.
func mutateVault(t *testing.T, rng *rand.Rand, dir string, model map[string][]byte) int {
	t.Helper()
	changes := 0
	for _, rel := range keysOf(model) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		op := rng.IntN(20)
		if op < 5 {
			changes++
		}
		switch op {
		case 0, 1: // edit
			content := append(model[rel], fmt.Sprintf("edit %d\n", rng.IntN(1000))...)
			writeFile(t, dir, rel, content)
			model[rel] = content
		case 2: // delete
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			delete(model, rel)
		case 3: // rename within the vault
			to := "moved/" + strings.ReplaceAll(rel, "/", "-")
			if _, ok := model[to]; ok {
				continue
			}
			if err := os.MkdirAll(filepath.Join(dir, "moved"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(p, filepath.Join(dir, filepath.FromSlash(to))); err != nil {
				t.Fatal(err)
			}
			model[to] = model[rel]
			delete(model, rel)
		case 4: // add
			to := fmt.Sprintf("new/%d.md", rng.IntN(1<<30))
			content := fmt.Appendf(nil, "# new %s\n", to)
			writeFile(t, dir, to, content)
			model[to] = content
		}
	}
	return changes
}
