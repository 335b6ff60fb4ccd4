package search

import (
	"slices"
	"testing"
)

// TestFirstLetterTypos: issue 3's rule, 1 edit for words of 5+ letters and
// 2 for 9+, counts an edit of the first letter (substituted, missing,
// extra, swapped with the second) as 1 like any other. Each misspelling
// finds the intended word's document, the answer says which word it was
// corrected to, and documents matching the words as written rank above
// corrected ones. Checked in the head and in a segment (whose dictionary
// walk starts from its two-rune prefixes).
func TestFirstLetterTypos(t *testing.T) {
	docs := puts(1,
		markdownDoc("v", "k8s.md", []byte("# Kubernetes\n\nRunning the collector on kubernetes clusters.\n")),
		markdownDoc("v", "col.md", []byte("# Collector\n\nThe collector receives telemetry.\n")),
		markdownDoc("v", "other.md", []byte("# Other\n\nNothing to see: rubernetes ollection.\n")),
	)
	tests := []struct {
		query string
		to    string // the correction expected among the answer's
		key   string // the intended document
		none  bool   // beyond the distance: no correction to `to`
	}{
		{"cubernetes", "kubernetes", "v/k8s.md", false},  // first letter substituted (1 of 2)
		{"ubernetes", "kubernetes", "v/k8s.md", false},   // first letter missing (1 of 2)
		{"ukbernetes", "kubernetes", "v/k8s.md", false},  // first two swapped (1 of 2)
		{"akubernetes", "kubernetes", "v/k8s.md", false}, // a letter before the first (1 of 2)
		{"xybernetes", "kubernetes", "v/k8s.md", false},  // first two substituted (2 of 2)
		{"xollector", "collector", "v/col.md", false},    // 9 letters: 1 of 2
		{"ollector", "collector", "v/col.md", false},     // 8 letters: first letter missing, 1 of 1
		{"xollectr", "collector", "v/col.md", true},      // 8 letters, 2 edits: beyond 1
		{"xyllector", "collector", "v/col.md", false},    // 9 letters, first two substituted
		{"kollectorr", "collector", "v/col.md", false},   // first letter and an extra one
		{"xyllectorr", "collector", "v/col.md", true},    // 3 edits
		{"qubernetez", "kubernetes", "v/k8s.md", false},  // first and last substituted
		{"qubernetezz", "kubernetes", "v/k8s.md", true},  // 3 edits
		{"rubernetess", "kubernetes", "v/k8s.md", false}, // rubernetes is 1 away, kubernetes 2
		{"cubernetess", "kubernetes", "v/k8s.md", false}, // 2 edits, one of them the first letter
		{"ollectorxyz", "collector", "v/col.md", true},   // 4 edits
		{"bcollector", "collector", "v/col.md", false},   // extra first letter
		{"ocllector", "collector", "v/col.md", false},    // first two swapped
		{"xcollector", "collector", "v/col.md", false},   // extra first letter
		{"cxollector", "collector", "v/col.md", false},   // extra second letter
		{"kubernetse", "kubernetes", "v/k8s.md", false},  // last two swapped
		{"kuberneets", "kubernetes", "v/k8s.md", false},  // 1 swap inside
		{"ukbernetse", "kubernetes", "v/k8s.md", false},  // two swaps, the first one at the start
		{"ukbrenetse", "kubernetes", "v/k8s.md", true},   // three swaps
		{"collecto", "collector", "v/col.md", false},     // last letter missing (control)
		{"olector", "collector", "v/col.md", true},       // 7 letters, 2 missing: beyond 1
		{"ollectors", "collectors", "", true},            // no such word (control)
	}
	run := func(t *testing.T, idx *Index) {
		for _, tt := range tests {
			res := mustSearch(t, idx, Term{Text: tt.query}, SearchOptions{Limit: 10})
			var to []string
			for _, c := range res.Corrections {
				if c.From == tt.query {
					to = append(to, c.To...)
				}
			}
			if tt.none {
				if slices.Contains(to, tt.to) {
					t.Errorf("%q: corrected to %q (%v), which is beyond its distance", tt.query, tt.to, res.Corrections)
				}
				continue
			}
			if !slices.Contains(to, tt.to) {
				t.Errorf("%q: corrections %v, want %q among them", tt.query, res.Corrections, tt.to)
				continue
			}
			found := false
			for _, h := range res.Hits {
				if h.Key != tt.key {
					continue
				}
				found = true
				if h.Exact || len(h.Corrected) == 0 {
					t.Errorf("%q: hit %s exact=%v corrected=%v, want a corrected hit saying so", tt.query, h.Key, h.Exact, h.Corrected)
				}
			}
			if !found {
				t.Errorf("%q: %s not among the hits %v", tt.query, tt.key, res.Hits)
			}
			if exact := mustSearch(t, idx, Term{Text: tt.query, Exact: true}, SearchOptions{}); exact.Total != 0 {
				t.Errorf("%q with Exact: %d hits, want 0", tt.query, exact.Total)
			}
		}
		// A word as written outranks its corrections: "rubernetes" is in
		// other.md; with Fuzzy, kubernetes (1 edit) is added, and the
		// exact hit comes first.
		res := mustSearch(t, idx, Term{Text: "rubernetes", Fuzzy: true}, SearchOptions{Limit: 10})
		if len(res.Hits) < 2 || res.Hits[0].Key != "v/other.md" || !res.Hits[0].Exact || res.Hits[1].Exact {
			t.Errorf("rubernetes (fuzzy): hits %+v, want other.md exact first, then the corrected k8s.md", res.Hits)
		}
	}
	t.Run("head", func(t *testing.T) {
		idx, _ := memIndex(t, Options{noWorker: true})
		defer idx.Close()
		mustApply(t, idx, docs)
		run(t, idx)
	})
	t.Run("segment", func(t *testing.T) {
		idx, _ := memIndex(t, Options{noWorker: true})
		defer idx.Close()
		mustApply(t, idx, docs)
		if err := idx.Flush(); err != nil {
			t.Fatal(err)
		}
		run(t, idx)
		mustCheck(t, idx)
	})
}
