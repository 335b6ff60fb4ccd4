package search

import (
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/analysis"
)

// TestHeadStemsLazy: the stem aliases a head computes lazily, in catch-ups
// between additions (queries) and in one large parallel one (a flush), are
// what stemming each term as it was added gave: every stem's terms other
// than itself, in term id order.
func TestHeadStemsLazy(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4)) // the parallel catch-up too
	rng := rand.New(rand.NewPCG(5, 6))
	suffixes := []string{"", "s", "ing", "ed", "ation", "ness", "ly", "er", "ies"}
	word := func() string {
		var b strings.Builder
		for range 3 + rng.IntN(5) {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		b.WriteString(suffixes[rng.IntN(len(suffixes))])
		switch rng.IntN(10) {
		case 0:
			b.WriteString("42") // not stemmable
		case 1:
			return "x" + b.String()[:1] // too short
		}
		return b.String()
	}
	h := newHead()
	probe := func(stem string) {
		var got []textList
		h.stemAliases([]byte(stem), func(l textList) { got = append(got, l) })
	}
	for round := range 6 {
		for d := range 40 {
			var text strings.Builder
			for range 150 {
				text.WriteString(word() + " ")
			}
			doc := &index.Doc{Key: "c/d.md", Seq: uint64(round*100 + d + 1), Text: []byte(text.String())}
			h.add(doc)
		}
		if round < 4 {
			probe("run") // a query's catch-up of the terms added so far
		}
	}
	if len(h.termList)-h.stemmed < 2*stemChunk {
		t.Fatalf("only %d terms left for the last catch-up: the parallel path would not run", len(h.termList)-h.stemmed)
	}
	if h.stemmed == 0 {
		t.Fatal("no catch-up ran between additions")
	}
	in := headInput(h) // the flush's catch-up
	_ = in.stemAliases()
	if h.stemmed != len(h.termList) {
		t.Fatalf("%d of %d terms stemmed after the flush's catch-up", h.stemmed, len(h.termList))
	}

	var st analysis.Stemmer
	want := map[string][]uint32{}
	for id := range h.termList {
		term := h.term(uint32(id))
		if s := st.Stem(term); analysis.Stemmable(term) && s != string(term) {
			want[s] = append(want[s], uint32(id))
		}
	}
	if len(want) < 1000 {
		t.Fatalf("only %d stems with aliases: the test would prove little", len(want))
	}
	if !reflect.DeepEqual(h.stemAlias, want) {
		for s, ids := range want {
			if !reflect.DeepEqual(h.stemAlias[s], ids) {
				t.Fatalf("stem %q: aliases %v, want %v", s, h.stemAlias[s], ids)
			}
		}
		t.Fatalf("%d stems with aliases, want %d", len(h.stemAlias), len(want))
	}
}
