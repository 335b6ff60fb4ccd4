package search

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
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

// writeV1Sample builds the sample: two segments, one with a tombstone
// generation (a delete and an update), like an index in real use.
func writeV1Sample(t *testing.T, dir string) {
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

func TestFormatV1Sample(t *testing.T) {
	if *update {
		writeV1Sample(t, v1Dir)
	}
	// Open a copy: Open removes leftovers and must never touch the sample.
	dir := t.TempDir()
	entries, err := os.ReadDir(v1Dir)
	if err != nil {
		t.Fatalf("the format sample is missing (go test -run TestFormatV1Sample -update writes it): %v", err)
	}
	for _, e := range entries {
		if e.Name() == "golden.json" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(v1Dir, e.Name()))
		if err != nil {
			t.Fatal(err)
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
		t.Fatalf("opening the version 1 sample: %v", err)
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
	golden := filepath.Join(v1Dir, "golden.json")
	if *update {
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
		t.Errorf("answers from the version 1 sample changed (-golden +got):\n%s", diff)
	}
	for _, r := range got {
		if r.Query != "deleted" && r.Total == 0 {
			t.Errorf("query %q found nothing in the sample", r.Query)
		}
	}
}
