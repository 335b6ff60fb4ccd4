package search

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/query"
	"github.com/kotadb/kotadb/query/memcat"
	"github.com/kotadb/kotadb/query/querytest"
)

// catScenario is an index in real use: documents flushed to segments (one
// of them merged), some in the head, some updated and deleted in both, and
// the live documents in a memcat oracle.
type catScenario struct {
	idx    *Index
	texts  *textStore
	live   []index.Doc
	oracle *memcat.Catalog
}

func newCatScenario(t testing.TB, docs []index.Doc, updated func(i int) index.Doc, seed uint64) *catScenario {
	t.Helper()
	texts := newTextStore()
	idx, _ := memIndex(t, Options{noWorker: true, MergeFactor: 2, MaxExpansions: 1 << 20, TextSource: texts.source})
	t.Cleanup(func() { idx.Close() })
	r := rand.New(rand.NewPCG(seed, 5))
	cur := map[string]index.Doc{}
	var seq uint64
	apply := func(changes []index.Change) {
		if len(changes) == 0 {
			return
		}
		texts.record(changes)
		mustApply(t, idx, changes)
		for _, c := range changes {
			if c.Delete {
				delete(cur, c.Key)
			} else {
				cur[c.Key] = *c.Doc
			}
		}
	}
	put := func(d index.Doc) index.Change {
		seq++
		return index.Change{Seq: seq, Key: d.Key, Doc: &d}
	}
	var deleted []int
	// churn updates and deletes some live documents among docs[:hi].
	churn := func(hi int) {
		var changes []index.Change
		for i := range hi {
			if _, live := cur[docs[i].Key]; !live {
				continue
			}
			switch r.IntN(25) {
			case 0:
				changes = append(changes, put(updated(i)))
			case 1:
				seq++
				changes = append(changes, index.Change{Seq: seq, Key: docs[i].Key, Delete: true})
				deleted = append(deleted, i)
			}
		}
		apply(changes)
	}
	n := len(docs)
	bounds := []int{0, n * 3 / 10, n * 6 / 10, n * 8 / 10, n}
	for chunk := range 4 {
		var changes []index.Change
		for i := bounds[chunk]; i < bounds[chunk+1]; i++ {
			changes = append(changes, put(docs[i]))
		}
		apply(changes)
		churn(bounds[chunk+1])
		if chunk == 3 {
			break // the last chunk stays in the head
		}
		if err := idx.Flush(); err != nil {
			t.Fatal(err)
		}
		if chunk == 1 {
			for {
				did, err := idx.mergeOnce()
				if err != nil {
					t.Fatal(err)
				}
				if !did {
					break
				}
			}
		}
	}
	// Some deleted documents come back.
	var back []index.Change
	for _, i := range deleted {
		if _, live := cur[docs[i].Key]; !live && r.IntN(3) == 0 {
			back = append(back, put(docs[i]))
		}
	}
	apply(back)
	mustCheck(t, idx)
	st := idx.Stats()
	if st.Segments == 0 || st.HeadDocs == 0 || st.Versions == st.LiveDocs || st.Merges == 0 {
		t.Fatalf("scenario does not cover segments, merges, the head and dead versions: %+v", st)
	}
	keys := make([]string, 0, len(cur))
	for k := range cur {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := &catScenario{idx: idx, texts: texts}
	for _, k := range keys {
		s.live = append(s.live, cur[k])
	}
	var err error
	if s.oracle, err = memcat.New(s.live); err != nil {
		t.Fatal(err)
	}
	return s
}

// catalog opens a catalog over the scenario, released at the end of the
// test.
func (s *catScenario) catalog(t testing.TB) *QueryCatalog {
	t.Helper()
	cat, release, err := s.idx.Catalog(s.oracle.Graph(), s.texts.source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return cat.(*QueryCatalog)
}

func catKeys(t testing.TB, cat query.Catalog, b *roaring.Bitmap) []string {
	t.Helper()
	var keys []string
	for _, id := range b.ToArray() {
		v, ok := cat.Value(id, "key")
		if !ok {
			t.Fatalf("no key for DocID %d", id)
		}
		keys = append(keys, v.(string))
	}
	sort.Strings(keys)
	return keys
}

// agreeingTexts keeps the text clauses the engine and memcat match the same
// documents for. They differ by design on some words: the engine also
// searches tags and paths and splits identifiers (useState, foo_bar) into
// parts, memcat does neither.
func agreeingTexts(t *testing.T, cat *QueryCatalog, oracle *memcat.Catalog, cands []query.Text) (agree []query.Text, differ []string) {
	ctx := context.Background()
	for _, tc := range cands {
		got, err := cat.Search(ctx, query.SearchRequest{Query: tc})
		if err != nil {
			t.Fatalf("Search(%+v): %v", tc, err)
		}
		want, err := oracle.Search(ctx, query.SearchRequest{Query: tc})
		if err != nil {
			t.Fatalf("memcat Search(%+v): %v", tc, err)
		}
		if d := cmp.Diff(catKeys(t, oracle, want.Matches), catKeys(t, cat, got.Matches), cmpopts.EquateEmpty()); d != "" {
			differ = append(differ, fmt.Sprintf("%s %q field %q exact %v: %s", tc.Kind, tc.Value, tc.Field, tc.Exact, d))
			continue
		}
		agree = append(agree, tc)
	}
	return agree, differ
}

func diffCatResults(q *query.Query, want, got *query.Result) string {
	scored := slices.Contains(q.Select, "score") || len(q.Sort) == 0 || slices.ContainsFunc(q.Sort, func(k query.SortKey) bool { return k.Field == "score" })
	opts := []cmp.Option{
		cmpopts.EquateApprox(1e-9, 1e-9),
		cmp.Comparer(func(a, b time.Time) bool { return a.Sub(b).Abs() < time.Millisecond }),
		cmpopts.EquateEmpty(),
		cmpopts.IgnoreFields(query.Hit{}, "ID"), // DocIDs are each catalog's own
	}
	if !scored {
		opts = append(opts, cmpopts.IgnoreFields(query.Hit{}, "Score"))
	}
	return cmp.Diff(want, got, opts...)
}

// withoutScores makes a query's result independent of ranking: the engine
// scores with BM25F over its own analysis, memcat with plain BM25.
func withoutScores(q *query.Query) {
	q.Sort = slices.DeleteFunc(q.Sort, func(k query.SortKey) bool { return k.Field == "score" })
	if len(q.Sort) == 0 {
		q.Sort = []query.SortKey{{Field: []string{"path", "key", "updated"}[len(q.Select)%3]}}
	}
	q.Select = slices.DeleteFunc(q.Select, func(s string) bool { return s == "score" })
}

// TestCatalogRandomQueriesVsOracle runs random queries through the planner
// over the catalog and checks the result against memcat's oracle over the
// live documents: filter queries exactly (their scores are the graph's),
// queries with text clauses ordered by other keys than score.
func TestCatalogRandomQueriesVsOracle(t *testing.T) {
	t.Run("generated", func(t *testing.T) {
		docs, updated := catGenerated(1, 400)
		s := newCatScenario(t, docs, updated, 2)
		checkCatRandom(t, s, 300, 3, true)
	})
	t.Run("dwarves-brain", func(t *testing.T) {
		docs, updated := catCorpus(t, "dwarves-brain")
		s := newCatScenario(t, docs, updated, 4)
		checkCatRandom(t, s, 300, 5, false)
	})
}

func checkCatRandom(t *testing.T, s *catScenario, n int, seed uint64, controlled bool) {
	r := rand.New(rand.NewPCG(seed, 7))
	shared := s.catalog(t)
	pool, differ := agreeingTexts(t, shared, s.oracle, textCandidates(r, s.live, 200))
	t.Logf("%d of %d text clauses match the same documents in both; e.g. %q", len(pool), len(pool)+len(differ), differ[:min(len(differ), 3)])
	switch {
	case controlled && len(differ) > 0:
		// The generated vault keeps text words out of tags and paths, so
		// every clause must agree.
		t.Fatalf("text clauses that differ from memcat on the generated vault:\n%s", strings.Join(differ, "\n"))
	case len(pool) < 160:
		t.Fatalf("only %d of 200 text clauses agree with memcat:\n%s", len(pool), strings.Join(differ, "\n"))
	}
	g := querytest.New(r, s.live, pool)
	nonEmpty, withText, ordered := 0, 0, 0
	for i := range n {
		text := i%2 == 1
		q := g.Query(text)
		if text {
			withoutScores(q)
			withText++
		}
		cat := s.catalog(t)
		p, err := query.NewPlan(q, cat, catOpts)
		if err != nil {
			t.Fatalf("NewPlan(%s): %v", q, err)
		}
		got, err := p.Execute(context.Background())
		if err != nil {
			t.Fatalf("Execute(%s): %v", q, err)
		}
		if err := cat.Err(); err != nil {
			t.Fatalf("query %s: catalog error: %v", q, err)
		}
		want, err := s.oracle.Evaluate(q, catOpts)
		if err != nil {
			t.Fatalf("oracle on %s: %v", q, err)
		}
		if want.Total > 0 {
			nonEmpty++
		}
		explain := p.Explain()
		if d := diffCatResults(q, want, got); d != "" {
			js, _ := json.Marshal(q)
			t.Fatalf("query %d: %s\n%s\ncatalog differs from the oracle (-oracle +catalog):\n%s\n%s", i, q, js, d, explain)
		}
		if strings.Contains(explain, "order: ordered scan") {
			ordered++
		}
	}
	t.Logf("%d queries (%d with text), %d with hits, %d ordered by a catalog walk", n, withText, nonEmpty, ordered)
	if ordered == 0 {
		t.Error("no query was ordered by Catalog.Ordered")
	}
	if nonEmpty < n/3 {
		t.Errorf("only %d of %d random queries matched anything; the generator is too far off the corpus", nonEmpty, n)
	}
}

// allTextKinds are text clauses of every kind, including the ones memcat
// defines differently (stemmed and fuzzy terms).
func allTextKinds(r *rand.Rand, docs []index.Doc, n int) []query.Text {
	out := textCandidates(r, docs, n)
	for i := range out {
		t := &out[i]
		if t.Kind != query.Term {
			continue
		}
		switch r.IntN(4) {
		case 0:
			t.Exact = false
		case 1:
			t.Exact, t.Fuzzy = false, 1+r.IntN(2)
		case 2:
			t.Exact, t.Value = false, t.Value+[]string{"x", "s", "ing"}[r.IntN(3)] // a misspelling or another form
		}
	}
	return out
}

// TestCatalogScoresMatchSearch checks that the catalog's text search is
// Index.Search's: the same matches with the same scores, also restricted to
// candidates and with top-k; and that SearchCount bounds the matches.
func TestCatalogScoresMatchSearch(t *testing.T) {
	ctx := context.Background()
	docs, updated := catGenerated(11, 300)
	s := newCatScenario(t, docs, updated, 12)
	cat := s.catalog(t)
	r := rand.New(rand.NewPCG(13, 1))
	for _, tc := range allTextKinds(r, s.live, 150) {
		full, err := cat.Search(ctx, query.SearchRequest{Query: tc, Score: true})
		if err != nil {
			t.Fatal(err)
		}
		eq, err := engineQuery(tc)
		if err != nil {
			t.Fatal(err)
		}
		res := mustSearch(t, s.idx, eq, SearchOptions{Limit: len(s.live) + 1})
		want := map[string]float64{}
		for _, h := range res.Hits {
			want[h.Key] = h.Score
		}
		got := map[string]float64{}
		for id, sc := range full.Scores {
			k, _ := cat.Value(id, "key")
			got[k.(string)] = sc
		}
		if d := cmp.Diff(want, got, cmpopts.EquateApprox(1e-12, 0), cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("%+v: catalog scores differ from Index.Search (-search +catalog):\n%s", tc, d)
		}
		if int(full.Matches.GetCardinality()) != len(want) || !full.Matches.Intersects(cat.Docs()) && len(want) > 0 {
			t.Fatalf("%+v: %d matches, %d scores", tc, full.Matches.GetCardinality(), len(want))
		}
		if est := cat.SearchCount(tc); est < len(want) {
			t.Errorf("%+v: SearchCount %d below the %d matches", tc, est, len(want))
		}

		// Restricted to candidates: some matches, some not.
		within := roaring.New()
		for _, id := range cat.Docs().ToArray() {
			if r.IntN(3) == 0 {
				within.Add(id)
			}
		}
		part, err := cat.Search(ctx, query.SearchRequest{Query: tc, Within: within, Score: true})
		if err != nil {
			t.Fatal(err)
		}
		if wantPart := roaring.And(full.Matches, within); !part.Matches.Equals(wantPart) {
			t.Fatalf("%+v within %d candidates: %d matches, want %d", tc, within.GetCardinality(), part.Matches.GetCardinality(), wantPart.GetCardinality())
		}
		for id, sc := range part.Scores {
			if sc != full.Scores[id] {
				t.Fatalf("%+v: score of %d is %v within candidates, %v without", tc, id, sc, full.Scores[id])
			}
		}

		// Top-k keeps at least every score as good as the k-th.
		k := 1 + r.IntN(5)
		top, err := cat.Search(ctx, query.SearchRequest{Query: tc, Score: true, TopK: k})
		if err != nil {
			t.Fatal(err)
		}
		var all []float64
		for _, sc := range full.Scores {
			all = append(all, sc)
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(all)))
		for id, sc := range full.Scores {
			if _, kept := top.Scores[id]; !kept && len(all) >= k && sc >= all[k-1] {
				t.Fatalf("%+v top %d: dropped a score %v at least the %d-th best %v", tc, k, sc, k, all[k-1])
			}
		}
		if len(top.Scores) < min(k, len(all)) {
			t.Fatalf("%+v top %d: only %d scores", tc, k, len(top.Scores))
		}
	}
}

// TestCatalogPlannerRanking runs single text clauses through the planner,
// ranked: the page is Index.Search's best documents with their scores.
func TestCatalogPlannerRanking(t *testing.T) {
	docs, updated := catGenerated(21, 300)
	s := newCatScenario(t, docs, updated, 22)
	r := rand.New(rand.NewPCG(23, 1))
	for _, tc := range allTextKinds(r, s.live, 60) {
		if tc.Kind == query.Substring || tc.Kind == query.Regex {
			continue // they filter without scoring
		}
		q := &query.Query{Where: &tc, Limit: 5, Select: []string{"score"}}
		cat := s.catalog(t)
		p, err := query.NewPlan(q, cat, catOpts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Execute(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		eq, _ := engineQuery(tc)
		res := mustSearch(t, s.idx, eq, SearchOptions{Limit: len(s.live) + 1})
		if got.Total != res.Total {
			t.Fatalf("%+v: planner total %d, Index.Search %d", tc, got.Total, res.Total)
		}
		var want []float64
		for _, h := range res.Hits {
			want = append(want, h.Score)
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(want)))
		byKey := map[string]float64{}
		for _, h := range res.Hits {
			byKey[h.Key] = h.Score
		}
		for i, h := range got.Hits {
			if math.Abs(h.Score-want[i]) > 1e-12 || math.Abs(byKey[h.Key]-h.Score) > 1e-12 {
				t.Fatalf("%+v: hit %d %s scores %v; Index.Search gives it %v and the %d-th best is %v", tc, i, h.Key, h.Score, byKey[h.Key], i+1, want[i])
			}
		}
	}
}

// TestCatalogOrdered checks every order the catalog walks against sorting
// its own values: every document with a value comes, in SortValueOf order.
// (The planner checks the order it is given and sorts itself when it is
// wrong, so the random queries alone would not catch a wrong order.)
func TestCatalogOrdered(t *testing.T) {
	docs, updated := catGenerated(31, 300)
	s := newCatScenario(t, docs, updated, 32)
	cat := s.catalog(t)
	fields := []string{"created", "updated", "path", "title", "field.priority", "field.status", "field.due",
		"field.draft", "field.meta", "field.meta.level", "field.Meta.Owner", "field.empty", "field.nosuch"}
	r := rand.New(rand.NewPCG(33, 1))
	for _, field := range fields {
		for _, desc := range []bool{false, true} {
			for _, sub := range []bool{false, true} {
				var within *roaring.Bitmap
				if sub {
					within = roaring.New()
					for _, id := range cat.Docs().ToArray() {
						if r.IntN(2) == 0 {
							within.Add(id)
						}
					}
					within.Add(cat.bases[len(cat.bases)-1] + 5) // not a document: never yielded
				}
				var got []query.DocID
				ok, err := cat.Ordered(field, desc, within, func(id query.DocID) bool { got = append(got, id); return true })
				if err != nil || !ok {
					t.Fatalf("Ordered(%s): %v, %v", field, ok, err)
				}
				want := map[query.DocID]bool{}
				for _, id := range cat.Docs().ToArray() {
					v, has := cat.Value(id, field)
					if (within == nil || within.Contains(id)) && !query.SortValueOf(field, v, has).Missing {
						want[id] = true
					}
				}
				if len(got) != len(want) {
					t.Fatalf("Ordered(%s desc=%v within=%v) yielded %d documents, %d have a value", field, desc, sub, len(got), len(want))
				}
				for i, id := range got {
					if !want[id] {
						t.Fatalf("Ordered(%s) yielded %d, which has no value or is not a candidate", field, id)
					}
					if i == 0 {
						continue
					}
					a, _ := cat.Value(got[i-1], field)
					b, _ := cat.Value(id, field)
					c := query.CompareSortValues(query.SortValueOf(field, a, true), query.SortValueOf(field, b, true))
					if desc && c < 0 || !desc && c > 0 {
						t.Fatalf("Ordered(%s desc=%v): %v before %v", field, desc, a, b)
					}
				}
				// Stopping early stops.
				n := 0
				cat.Ordered(field, desc, within, func(query.DocID) bool { n++; return n < 2 })
				if n > 2 {
					t.Fatalf("Ordered(%s) went on after yield returned false", field)
				}
			}
		}
	}
	if ok, err := cat.Ordered("key", false, nil, func(query.DocID) bool { return true }); ok || err != nil {
		t.Errorf("Ordered(key) = %v, %v; want false (the planner sorts)", ok, err)
	}
}

// TestCatalogDuringWrites plans and runs queries over catalogs while a
// writer applies changes and the background worker flushes and merges:
// each catalog stays one consistent snapshot (its segments stay open after
// a merge replaced them) and never sees a key twice.
func TestCatalogDuringWrites(t *testing.T) {
	docs, updated := catGenerated(41, 240)
	texts := newTextStore()
	idx, _ := memIndex(t, Options{FlushDocs: 30, MergeFactor: 2, TextSource: texts.source})
	defer idx.Close()
	done := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(done)
		r := rand.New(rand.NewPCG(42, 1))
		for seq := uint64(1); seq <= 900; seq++ {
			i := r.IntN(len(docs))
			c := index.Change{Seq: seq, Key: docs[i].Key}
			switch r.IntN(5) {
			case 0:
				c.Delete = true
			case 1:
				d := updated(i)
				c.Doc = &d
			default:
				d := docs[i]
				c.Doc = &d
			}
			texts.record([]index.Change{c})
			if err := idx.Apply([]index.Change{c}); err != nil {
				errc <- err
				return
			}
		}
	}()
	queries := []string{"tag:proj", `path:"work/"`, "status:active", "has:priority sort:field.priority", "rust -tag:area sort:-updated",
		"in:w group:tag agg:count", "priority:>=1 sort:title select:tags,field.due"}
	rounds := 0
	// Keep querying until the writer is done and the background worker has
	// flushed at least once (it runs on its own schedule; on a loaded
	// machine that can be after the last write), so queries overlap a flush.
	deadline := time.Now().Add(time.Minute)
	for running := true; running || rounds < 20 || (idx.Stats().Flushes == 0 && time.Now().Before(deadline)); rounds++ {
		select {
		case <-done:
			running = false
		case err := <-errc:
			t.Fatal(err)
		default:
		}
		cat, release, err := idx.Catalog(nil, texts.source)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]query.DocID{}
		for _, id := range cat.Docs().ToArray() {
			k, ok := cat.Value(id, "key")
			if !ok {
				t.Fatalf("live DocID %d has no key", id)
			}
			if other, dup := seen[k.(string)]; dup {
				t.Fatalf("key %s live twice (%d and %d)", k, other, id)
			}
			seen[k.(string)] = id
			if back, ok := cat.ID(k.(string)); !ok || back != id {
				t.Fatalf("ID(%s) = %d, %v; want %d", k, back, ok, id)
			}
		}
		q, err := query.ParseKQL(queries[rounds%len(queries)])
		if err != nil {
			t.Fatal(err)
		}
		p, err := query.NewPlan(q, cat, catOpts)
		if err == nil {
			_, err = p.Execute(context.Background())
		}
		if err == nil {
			err = cat.(*QueryCatalog).Err()
		}
		release()
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if st := idx.Stats(); st.Flushes == 0 {
		t.Errorf("no flush ran during the test: %+v", st)
	}
	t.Logf("%d rounds", rounds)
}
