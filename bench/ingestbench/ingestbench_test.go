package ingestbench

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kotadb/kotadb/bench/corpus"
)

func tinyCorpus(t *testing.T) *corpus.Corpus {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"data/a.md":     "---\ntitle: A\ntags: [x]\n---\n# A\nalpha [[b]]\n",
		"data/sub/b.md": "# B\nbravo\n",
		"data/c.txt":    "charlie\n",
		"queries.tsv":   "class\tquery\tdf_all_terms\tdf_phrase\tnote\nword\talpha\t1\t1\t\n",
		"queries.txt":   "alpha\n",
	}
	for p, s := range files {
		abs := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := corpus.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMeasure(t *testing.T) {
	c := tinyCorpus(t)
	run, err := Measure(context.Background(), c, Config{NoChangeRuns: 2, OpenRuns: 3})
	if err != nil {
		t.Fatal(err)
	}
	if run.Added != 3 || run.Files != 3 || run.ReadBytes != c.Bytes || run.Collection == "" {
		t.Errorf("cold ingest: %+v", run)
	}
	if run.IngestNS <= 0 || run.CloseNS <= 0 || run.DBBytes <= 0 || run.IndexBytes <= 0 || run.PeakRSS <= 0 {
		t.Errorf("figures missing: %+v", run)
	}
	if len(run.NoChangeNS) != 2 || len(run.OpenNS) != 3 {
		t.Errorf("%d no-change runs, %d opens; want 2 and 3", len(run.NoChangeNS), len(run.OpenNS))
	}
	if _, err := Measure(context.Background(), c, Config{}); err == nil {
		t.Error("Measure with zero runs succeeded")
	}
}

func TestMeasureCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Measure(ctx, tinyCorpus(t), Default); err == nil {
		t.Error("Measure with a canceled context succeeded")
	}
}
