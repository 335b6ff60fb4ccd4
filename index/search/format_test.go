package search

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/internal/vfs"
)

var update = flag.Bool("update", false, "rewrite golden files and the format samples under testdata")

// v1Docs is the fixed document set of the version 1 sample index.
func v1Docs() []*index.Doc {
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	mk := func(key, title, body string, tags []string, prio int64) *index.Doc {
		d := markdownDoc("notes", key, []byte(body))
		d.Key = "notes/" + key
		d.Title = title
		d.Tags = tags
		d.Fields["priority"] = prio
		d.Created = day
		return d
	}
	return []*index.Doc{
		mk("go/goroutines.md", "Goroutines", "# Goroutines\n\nA goroutine is cheap. Use a WaitGroup to wait.\n\n## Pipelines\n\nWorker pools and pipelines.\n", []string{"golang", "engineering/backend"}, 2),
		mk("db/postgres.md", "Postgres tuning", "Set maintenance_work_mem before VACUUM.\nThe database keeps consistency.\n", []string{"database"}, 1),
		mk("ui/react.md", "React hooks", "useState and useEffect are hooks.\n\n可观测性 トレース\n", []string{"engineering/frontend"}, 3),
		mk("misc/old.md", "Old note", "This note is deleted later.\n", nil, 0),
		mk("misc/café.md", "Café", "Résumé of the café meeting: instrumentación.\n", []string{"misc"}, 5),
	}
}

// v1Queries are answered from the sample and compared with golden output.
var v1Queries = []struct {
	name string
	q    Query
}{
	{"word", Term{Text: "goroutines"}},
	{"identifier", Term{Text: "maintenance_work_mem"}},
	{"camel", Term{Text: "useState"}},
	{"cjk", Term{Text: "可观测性"}},
	{"folded", Term{Text: "cafe"}},
	{"phrase", Phrase{Terms: []string{"worker", "pools"}}},
	{"prefix", Prefix{Text: "pipe"}},
	{"typo", Term{Text: "piplines"}},
	{"tag tree", KeywordTerm{Field: "tagx", Value: "engineering"}},
	{"numeric", NumericRange{Field: "field.priority", Min: 2, Max: 3, MinInclusive: true, MaxInclusive: true}},
	{"deleted", Term{Text: "deleted"}},
	{"updated", Term{Text: "vacuum"}},
	{"regex", Regex{Pattern: `use[A-Z]\w+`}},
	{"substring", Substring{Text: "トレース", CaseInsensitive: true}},
}

const v1Dir = "testdata/format-v1"

// sampleDir is the sample index written by the build of a format version;
// -update rewrites the current version's only (older samples are what
// older builds wrote, kept to prove they still open and answer alike).
func sampleDir(version int) string { return fmt.Sprintf("testdata/format-v%d", version) }

// writeSample builds the sample: two segments, one with a tombstone
// generation (a delete and an update), like an index in real use.
func writeSample(t *testing.T, dir string) {
	os.RemoveAll(dir)
	idx, err := Open(vfs.OS, dir, Options{noWorker: true})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, idx, puts(1, v1Docs()...))
	if err := idx.Flush(); err != nil {
		t.Fatal(err)
	}
	upd := markdownDoc("notes", "db/postgres.md", []byte("Run VACUUM ANALYZE weekly; maintenance_work_mem matters.\n"))
	upd.Key, upd.Title = "notes/db/postgres.md", "Postgres tuning"
	mustApply(t, idx, []index.Change{
		{Seq: 10, Key: "notes/misc/old.md", Delete: true},
		{Seq: 11, Key: upd.Key, Doc: upd},
	})
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
}

type goldenHit struct {
	Key       string
	Seq       uint64
	Score     string // %.9f, so platform rounding noise does not matter
	Exact     bool
	Corrected []Correction `json:",omitempty"`
}

type goldenResult struct {
	Query string
	Total int
	Hits  []goldenHit
}

func TestFormatV1Sample(t *testing.T) { checkFormatSample(t, 1) }

func TestFormatV2Sample(t *testing.T) { checkFormatSample(t, 2) }

func TestFormatV3Sample(t *testing.T) { checkFormatSample(t, 3) }

// TestFormatSamplesAgree: the same documents and changes give the same
// answers whatever the format they were written in.
func TestFormatSamplesAgree(t *testing.T) {
	read := func(version int) []goldenResult {
		data, err := os.ReadFile(filepath.Join(sampleDir(version), "golden.json"))
		if err != nil {
			t.Fatal(err)
		}
		var r []goldenResult
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	v1 := read(1)
	for v := 2; v <= formatVersion; v++ {
		if diff := cmp.Diff(v1, read(v)); diff != "" {
			t.Errorf("format %d sample answers differ from format 1's (-v1 +v%d):\n%s", v, v, diff)
		}
	}
}

// checkFormatSample opens the sample of a format version, checks that its
// segments are in that version and compares its answers with its golden.
func checkFormatSample(t *testing.T, version int) {
	src := sampleDir(version)
	if *update && version == formatVersion {
		writeSample(t, src)
	}
	// Open a copy: Open removes leftovers and must never touch the sample.
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatalf("the format sample is missing (go test -run TestFormatV%dSample -update writes it with a build of that version): %v", version, err)
	}
	for _, e := range entries {
		if e.Name() == "golden.json" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name(), ".seg") {
			if v := binary.LittleEndian.Uint32(data[len(data)-footerSize+16:]); v != uint32(version) {
				t.Fatalf("%s is in format %d, not %d", e.Name(), v, version)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	texts := map[string][]byte{}
	for _, d := range v1Docs() {
		texts[d.Key] = d.Text
	}
	idx, err := Open(vfs.OS, dir, Options{noWorker: true, TextSource: func(key string, _ uint64) ([]byte, error) {
		return texts[key], nil
	}})
	if err != nil {
		t.Fatalf("opening the version %d sample: %v", version, err)
	}
	defer idx.Close()
	mustCheck(t, idx)
	if st := idx.Stats(); st.Segments != 2 || st.Seq != 11 || st.LiveDocs != 4 || st.Versions != 6 {
		t.Errorf("sample stats %+v, want 2 segments, seq 11, 4 live of 6 versions", st)
	}
	var got []goldenResult
	for _, tc := range v1Queries {
		res := mustSearch(t, idx, tc.q, SearchOptions{Limit: 10})
		r := goldenResult{Query: tc.name, Total: res.Total}
		for _, h := range res.Hits {
			r.Hits = append(r.Hits, goldenHit{Key: h.Key, Seq: h.Seq, Score: fmt.Sprintf("%.9f", h.Score), Exact: h.Exact, Corrected: h.Corrected})
		}
		got = append(got, r)
	}
	golden := filepath.Join(src, "golden.json")
	if *update && version == formatVersion {
		data, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(golden, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var want []goldenResult
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers from the version %d sample changed (-golden +got):\n%s", version, diff)
	}
	for _, r := range got {
		if r.Query != "deleted" && r.Total == 0 {
			t.Errorf("query %q found nothing in the sample", r.Query)
		}
	}
}
