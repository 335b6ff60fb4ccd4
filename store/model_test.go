package store

// A randomized test against a simple in-memory model: random batches of
// puts, deletes, moves and file-state writes (some of which must fail as a
// whole), clock steps (backwards too), reopens and a dictionary training;
// then every read API is compared with the model and Check must pass.

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kotadb/kotadb/errs"
)

// model is the obvious implementation of the store's contract.
type model struct {
	log      []Version           // log[i].Seq == i+1
	hist     map[string][]uint64 // key -> its seqs
	blobs    map[Hash][]byte
	files    map[string]FileState
	lastTime time.Time
}

func newModel() *model {
	return &model{hist: map[string][]uint64{}, blobs: map[Hash][]byte{}, files: map[string]FileState{}}
}

func (m *model) clone() *model {
	c := &model{log: slices.Clone(m.log), hist: map[string][]uint64{}, blobs: maps.Clone(m.blobs),
		files: maps.Clone(m.files), lastTime: m.lastTime}
	for k, v := range m.hist {
		c.hist[k] = slices.Clone(v)
	}
	return c
}

func (m *model) head(key string) (Version, bool) {
	h := m.hist[key]
	if len(h) == 0 {
		return Version{}, false
	}
	return m.log[h[len(h)-1]-1], true
}

func (m *model) live(key string) (Version, bool) {
	v, ok := m.head(key)
	return v, ok && v.Op != OpDelete
}

func (m *model) add(v Version) Version {
	v.Seq = uint64(len(m.log) + 1)
	if h, ok := m.head(v.Key); ok {
		v.Prev = h.Seq
	}
	m.log = append(m.log, v)
	m.hist[v.Key] = append(m.hist[v.Key], v.Seq)
	return v
}

func (m *model) store(b []byte) Hash {
	if len(b) == 0 {
		return Hash{}
	}
	h := sha256.Sum256(b)
	m.blobs[h] = b
	return h
}

// apply returns the model after the batch, or the error the store must give.
func (m *model) apply(author string, now time.Time, writes []Write) (*model, []Version, error) {
	n := m.clone()
	t := now.UTC()
	if t.Before(m.lastTime) {
		t = m.lastTime
	}
	for _, w := range writes {
		if ValidateKey(w.Key) != nil {
			return nil, nil, errs.ErrInvalidKey
		}
	}
	var made []Version
	for _, w := range writes {
		base := Version{Time: t, Key: w.Key, Author: author}
		switch w.Op {
		case 0:
			n.files[w.Key] = *w.File
			continue
		case OpPut:
			h := sha256.Sum256(w.Value)
			n.blobs[h] = w.Value
			base.Op, base.Hash, base.Size, base.Meta, base.Doc = OpPut, h, int64(len(w.Value)), n.store(w.Meta), w.Doc
			if cur, ok := n.live(w.Key); !ok || cur.Hash != base.Hash || cur.Meta != base.Meta || !cur.Doc.Equal(base.Doc) {
				made = append(made, n.add(base))
			}
		case OpDelete:
			if _, ok := n.live(w.Key); !ok {
				return nil, nil, errs.ErrNotFound
			}
			base.Op = OpDelete
			made = append(made, n.add(base))
			delete(n.files, w.Key)
			continue
		case OpMove:
			src, ok := n.live(w.From)
			if !ok {
				return nil, nil, errs.ErrNotFound
			}
			made = append(made, n.add(Version{Op: OpDelete, Time: t, Key: w.From, Author: author}))
			delete(n.files, w.From)
			base.Op, base.From, base.Hash, base.Size, base.Meta, base.Doc = OpMove, w.From, src.Hash, src.Size, src.Meta, src.Doc
			if w.Value != nil {
				base.Hash, base.Size = sha256.Sum256(w.Value), int64(len(w.Value))
				n.blobs[base.Hash] = w.Value
			}
			if w.Value != nil || w.Meta != nil || w.Doc.Kind != DocNone {
				base.Meta, base.Doc = n.store(w.Meta), w.Doc
			}
			made = append(made, n.add(base))
		}
		if w.File != nil {
			n.files[w.Key] = *w.File
		}
	}
	if len(made) > 0 {
		n.lastTime = t
	}
	return n, made, nil
}

// generator makes random batches over a small key space so that keys are
// rewritten, deleted, moved and revived often.
type generator struct {
	rng    *rand.Rand
	keys   []string
	values [][]byte
	metas  [][]byte
	docs   []DocInfo
}

func newGenerator(seed uint64) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(seed, 99))}
	for _, col := range []string{"a", "ab", "b"} {
		for _, p := range []string{"x.md", "y.md", "z/1.md", "z/2.md"} {
			g.keys = append(g.keys, col+"/"+p)
		}
	}
	words := strings.Fields("the quick brown fox jumps over lazy dogs tags: [go, db] ## heading [[link]] - item")
	for i := range 10 {
		if i < 4 {
			g.values = append(g.values, []byte(fmt.Sprintf("v%d", i%3)))
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: note %d\n---\n", i)
		for range 50 + g.rng.IntN(600) {
			b.WriteString(words[g.rng.IntN(len(words))])
			b.WriteByte(" \n"[g.rng.IntN(2)])
		}
		g.values = append(g.values, []byte(b.String()))
	}
	g.values = append(g.values, []byte{})
	g.metas = [][]byte{nil, nil, []byte(`{"title":"m1"}`), []byte(`{"title":"m2"}`)}
	t0 := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	// The same instant in another zone is another document (its JSON shows
	// the offset); times before 1970 and past 2262 exceed int64 ns.
	g.docs = []DocInfo{{Kind: DocJSON}, {Kind: DocFile, ModTime: t0},
		{Kind: DocFile, ModTime: t0.In(time.FixedZone("CEST", 2*3600))},
		{Kind: DocFile, ModTime: t0.Add(time.Hour), Birth: t0.Add(-time.Hour)},
		{Kind: DocFile, ModTime: time.Date(1901, 1, 1, 0, 0, 0, 1, time.UTC), Birth: time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Kind: DocFile}}
	return g
}

func (g *generator) key() string { return g.keys[g.rng.IntN(len(g.keys))] }

// liveKey mostly picks a live key (so deletes and moves usually succeed),
// sometimes any key (so some fail and take their batch down with them).
func (g *generator) liveKey(m *model) string {
	var live []string
	for _, k := range g.keys {
		if _, ok := m.live(k); ok {
			live = append(live, k)
		}
	}
	if len(live) == 0 || g.rng.IntN(10) == 0 {
		return g.key()
	}
	return live[g.rng.IntN(len(live))]
}

func (g *generator) batch(m *model) []Write {
	var ws []Write
	for range 1 + g.rng.IntN(5) {
		w := Write{Key: g.key()}
		switch r := g.rng.IntN(100); {
		case r < 50:
			w.Op, w.Value, w.Meta = OpPut, g.values[g.rng.IntN(len(g.values))], g.metas[g.rng.IntN(len(g.metas))]
			if w.Meta == nil && g.rng.IntN(2) == 0 {
				w.Doc = g.docs[g.rng.IntN(len(g.docs))]
			}
		case r < 68:
			w.Op, w.Key = OpDelete, g.liveKey(m)
		case r < 85:
			w.Op, w.From = OpMove, g.liveKey(m)
			if w.From == w.Key {
				w.Op = OpDelete
			} else if g.rng.IntN(2) == 0 {
				w.Value = g.values[g.rng.IntN(len(g.values))]
			}
			if g.rng.IntN(3) == 0 {
				w.Meta = g.metas[2+g.rng.IntN(2)]
			} else if w.Op == OpMove && g.rng.IntN(4) == 0 {
				w.Doc = g.docs[g.rng.IntN(len(g.docs))]
			}
		case r < 98:
			w.Op = 0
		case g.rng.IntN(4) == 0:
			w.Op, w.Key, w.Value = OpPut, "no-collection", []byte("x")
		default:
			w.Op, w.Value = OpPut, []byte("x")
		}
		if w.Op == 0 || g.rng.IntN(3) == 0 {
			w.File = &FileState{Size: g.rng.Int64N(1000), ModTime: g.rng.Int64(), Hash: Hash{byte(g.rng.IntN(256))}}
		}
		ws = append(ws, w)
	}
	return ws
}

func TestRandomizedAgainstModel(t *testing.T) {
	steps := 400
	if testing.Short() {
		steps = 120
	}
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			runModel(t, seed, steps)
		})
	}
}

func runModel(t *testing.T, seed uint64, steps int) {
	g := newGenerator(seed)
	clock := newClock()
	path := filepath.Join(t.TempDir(), "kotadb.db")
	opts := &Options{NoSync: true, Now: clock.now}
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { closeChecked(t, s) }()
	m := newModel()
	failed := 0
	for step := range steps {
		switch r := g.rng.IntN(10); {
		case r < 6:
			clock.advance(time.Duration(1+g.rng.IntN(5000)) * time.Millisecond)
		case r < 8:
			clock.advance(-time.Duration(g.rng.IntN(10)) * time.Second)
		}
		writes := g.batch(m)
		next, wantMade, wantErr := m.apply("gen", clock.now(), writes)
		made, err := applyVia(s, g.rng.IntN(3), "gen", writes)
		switch {
		case wantErr != nil:
			failed++
			if !errors.Is(err, wantErr) {
				t.Fatalf("step %d: Apply(%s) = %v, want %v", step, describe(writes), err, wantErr)
			}
		case err != nil:
			t.Fatalf("step %d: Apply(%s) = %v", step, describe(writes), err)
		default:
			if diff := cmp.Diff(wantMade, made); diff != "" {
				t.Fatalf("step %d: versions made (-model +store):\n%s", step, diff)
			}
			m = next
		}
		if step == steps/3 {
			if _, err := s.TrainDictionary("a", g.values); err != nil {
				t.Fatalf("TrainDictionary: %v", err)
			}
		}
		if step%50 == 49 {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s, err = Open(path, opts); err != nil {
				t.Fatalf("reopen at step %d: %v", step, err)
			}
			compareWithModel(t, s, m, g)
		}
	}
	if failed == 0 {
		t.Error("no batch failed: the generator should make some invalid ones")
	}
	compareWithModel(t, s, m, g)
	t.Logf("%d steps, %d versions, %d batches failed as a whole", steps, len(m.log), failed)
}

// applyVia commits writes with Apply (way 0), PrepareAll and
// ApplyPrepared (1), or one Prepare per write and ApplyPrepared (2): the
// three must be indistinguishable.
func applyVia(s *Store, way int, author string, writes []Write) ([]Version, error) {
	switch way {
	case 1:
		ps, err := s.PrepareAll(writes)
		if err != nil {
			return nil, err
		}
		return s.ApplyPrepared(author, ps)
	case 2:
		ps := make([]PreparedWrite, len(writes))
		for i, w := range writes {
			p, err := s.Prepare(w)
			if err != nil {
				return nil, err
			}
			ps[i] = p
		}
		return s.ApplyPrepared(author, ps)
	}
	return s.Apply(author, writes)
}

func compareWithModel(t *testing.T, s *Store, m *model, g *generator) {
	t.Helper()
	if s.LastSeq() != uint64(len(m.log)) {
		t.Fatalf("LastSeq = %d, model %d", s.LastSeq(), len(m.log))
	}
	entry := func(v Version) Entry {
		e := Entry{Version: v}
		if v.Op != OpDelete {
			e.Value = m.blobs[v.Hash]
		}
		if v.Meta != (Hash{}) {
			e.Meta = m.blobs[v.Meta]
		}
		return e
	}
	// want is the model's answer for the version found (or none / a delete).
	check := func(what string, got Entry, err error, v Version, ok bool) {
		t.Helper()
		if !ok || v.Op == OpDelete {
			if !errors.Is(err, errs.ErrNotFound) {
				t.Fatalf("%s = %+v, %v; want ErrNotFound", what, got.Version, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want := entry(v)
		if !sameVersion(want.Version, got.Version) || !bytes.Equal(want.Value, got.Value) || !bytes.Equal(want.Meta, got.Meta) {
			t.Fatalf("%s: version diff (-model +store):\n%s\nvalue %q / %q, meta %q / %q", what, cmp.Diff(want.Version, got.Version), want.Value, got.Value, want.Meta, got.Meta)
		}
	}
	for _, key := range g.keys {
		h, ok := m.head(key)
		got, err := s.Get(key)
		check("Get("+key+")", got, err, h, ok)

		hist, err := s.History(key)
		var want []Version
		for _, seq := range m.hist[key] {
			want = append(want, m.log[seq-1])
		}
		if len(want) == 0 {
			if !errors.Is(err, errs.ErrNotFound) {
				t.Fatalf("History(%s) of a key never written = %v", key, err)
			}
		} else if err != nil || !sameVersions(want, hist) {
			t.Fatalf("History(%s) %v (-model +store):\n%s", key, err, cmp.Diff(want, hist))
		}

		// Every seq around the key's versions, and a spread of the others.
		seqs := map[uint64]bool{0: true, uint64(len(m.log)) + 1: true}
		for _, sq := range m.hist[key] {
			seqs[sq-1], seqs[sq], seqs[sq+1] = true, true, true
		}
		for sq := uint64(0); sq <= uint64(len(m.log)); sq += uint64(max(1, len(m.log)/50)) {
			seqs[sq] = true
		}
		for seq := range seqs {
			var at Version
			found := false
			for _, sq := range m.hist[key] {
				if sq <= seq {
					at, found = m.log[sq-1], true
				}
			}
			got, err := s.GetAtSeq(key, seq)
			check(fmt.Sprintf("GetAtSeq(%s, %d)", key, seq), got, err, at, found)
		}
		for i := 0; i < len(m.log); i += max(1, len(m.log)/50) {
			v := m.log[i]
			for _, when := range []time.Time{v.Time.Add(-time.Nanosecond), v.Time} {
				var at Version
				found := false
				for _, sq := range m.hist[key] {
					if !m.log[sq-1].Time.After(when) {
						at, found = m.log[sq-1], true
					}
				}
				got, err := s.GetAt(key, when)
				check(fmt.Sprintf("GetAt(%s, %s)", key, when), got, err, at, found)
			}
		}
	}
	for _, prefix := range []string{"", "a", "a/", "ab/", "b/z/", "zz"} {
		var want, got []Version
		for _, key := range slices.Sorted(maps.Keys(m.hist)) {
			if v, ok := m.live(key); ok && strings.HasPrefix(key, prefix) {
				want = append(want, v)
			}
		}
		if err := s.Scan(prefix, func(v Version) error { got = append(got, v); return nil }); err != nil {
			t.Fatal(err)
		}
		if !sameVersions(want, got) {
			t.Fatalf("Scan(%q) (-model +store):\n%s", prefix, cmp.Diff(want, got))
		}
	}
	for _, since := range []uint64{0, uint64(len(m.log) / 2), uint64(len(m.log))} {
		var got []Version
		if err := s.Changes(since, func(v Version) error { got = append(got, v); return nil }); err != nil {
			t.Fatal(err)
		}
		if !sameVersions(m.log[since:], got) {
			t.Fatalf("Changes(%d) (-model +store):\n%s", since, cmp.Diff(m.log[since:], got, cmpopts.EquateEmpty()))
		}
	}
	for _, col := range []string{"a", "ab", "b"} {
		want := map[string]FileState{}
		for k, st := range m.files {
			if Collection(k) == col {
				want[k] = st
			}
		}
		got := map[string]FileState{}
		if err := s.FileStates(col, func(k string, st FileState) error { got[k] = st; return nil }); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("FileStates(%s) (-model +store):\n%s", col, diff)
		}
	}
	compareStats(t, s, m)
	if err := s.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

func compareStats(t *testing.T, s *Store, m *model) {
	t.Helper()
	want := map[string]CollectionStats{}
	for _, v := range m.log {
		c := want[Collection(v.Key)]
		c.Versions++
		if v.Op == OpDelete {
			c.Deletes++
		}
		want[Collection(v.Key)] = c
	}
	for key := range m.hist {
		if v, ok := m.live(key); ok {
			c := want[Collection(key)]
			c.Docs++
			c.RawBytes += v.Size
			want[Collection(key)] = c
		}
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]CollectionStats{}
	for col, c := range st.Collections {
		if c.Versions > 0 {
			got[col] = CollectionStats{Docs: c.Docs, Versions: c.Versions, Deletes: c.Deletes, RawBytes: c.RawBytes}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Stats (-model +store):\n%s", diff)
	}
}

// describe lists a batch briefly for failure messages.
func describe(writes []Write) string {
	var parts []string
	for _, w := range writes {
		p := fmt.Sprintf("%s %s", w.Op, w.Key)
		if w.From != "" {
			p += " from " + w.From
		}
		parts = append(parts, fmt.Sprintf("%s (%d bytes, meta %q, doc %d %s %s, file %v)", p, len(w.Value), w.Meta, w.Doc.Kind, w.Doc.ModTime, w.Doc.Birth, w.File != nil))
	}
	return strings.Join(parts, "; ")
}

// sameVersion compares versions with time.Time.Equal (cmp.Diff is far too
// slow for the thousands of comparisons the model test makes).
func sameVersion(a, b Version) bool {
	if !a.Time.Equal(b.Time) || !a.Doc.Equal(b.Doc) {
		return false
	}
	a.Time, b.Time = time.Time{}, time.Time{}
	a.Doc, b.Doc = DocInfo{}, DocInfo{}
	return a == b
}

func sameVersions(a, b []Version) bool {
	return slices.EqualFunc(a, b, sameVersion)
}
