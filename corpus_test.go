package kotadb

import (
	"context"
	"testing"

	"github.com/kotadb/kotadb/internal/testcorpus"
)

// TestIndexCorpus indexes a real Obsidian vault and checks that the figures
// agree with each other: every added file is a document, the store verifies
// clean, a second run changes nothing.
func TestIndexCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 885 files; skipped with -short")
	}
	dir := testcorpus.Dir(t, "dwarves-brain")
	db := openTestDB(t)
	ctx := context.Background()
	sum, err := db.Index(ctx, dir, IndexOptions{Name: "brain"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added < 800 || sum.Added+sum.SkippedTotal() != sum.Seen {
		t.Errorf("summary does not add up: %s", sum)
	}
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Documents != int64(sum.Added) || st.Versions != st.Documents || st.Tags == 0 || st.Links == 0 {
		t.Errorf("stats: %d documents, %d versions, %d tags, %d links after %s", st.Documents, st.Versions, st.Tags, st.Links, sum)
	}
	// The corpus README counts 662 distinct tags (nested ones included).
	if st.Tags != 662 {
		t.Errorf("stats: %d distinct tags, the corpus README counts 662", st.Tags)
	}
	if st.Warnings != len(st.ParseWarnings) {
		t.Errorf("stats: %d warnings but %d listed", st.Warnings, len(st.ParseWarnings))
	}
	r, err := db.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != VerdictClean {
		t.Errorf("verify: %s: %+v", r.Verdict, r.Problems)
	}
	again, err := db.Index(ctx, dir, IndexOptions{Name: "brain"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Added+again.Changed+again.Deleted+again.Moved != 0 {
		t.Errorf("re-index changed something: %s", again)
	}
	t.Logf("%s; %d tags, %d links, %d warnings, %.2fx", sum, st.Tags, st.Links, st.Warnings, st.Ratio)
}
