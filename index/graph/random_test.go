package graph

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/kotadb/kotadb/index"
)

// check verifies the incremental state against a graph rebuilt from scratch
// from the same notes: every link resolves the same way, the incoming lists
// and the lookup indices are identical. That is the model the randomized
// test compares against.
func (g *Graph) check() error {
	fresh := New()
	affected := map[scoped]struct{}{}
	for _, n := range g.nodes {
		c := *n
		c.links = slices.Clone(n.links)
		fresh.addNode(&c, affected)
	}
	for _, n := range fresh.nodes {
		fresh.resolveNode(n)
	}
	for key, n := range g.nodes {
		for i, l := range n.links {
			if l.toNode != g.nodes[l.to] {
				return fmt.Errorf("%s link %d points to a stale node of %q", key, i, l.to)
			}
			if want := fresh.nodes[key].links[i].to; l.to != want {
				return fmt.Errorf("%s link %d (%s %q) resolves to %q, from scratch to %q", key, i, l.kind, l.target, l.to, want)
			}
		}
	}
	norm := func(m map[string][]inEdge) map[string][]Edge {
		out := map[string][]Edge{}
		for k, in := range m {
			var v []Edge
			for _, e := range in {
				if e.from != g.nodes[e.From] && e.from != fresh.nodes[e.From] {
					v = append(v, Edge{From: "stale source pointer"})
				}
				v = append(v, e.Edge)
			}
			slices.SortFunc(v, compareEdges)
			out[k] = v
		}
		return out
	}
	if d := gocmp.Diff(norm(fresh.in), norm(g.in)); d != "" {
		return fmt.Errorf("incoming edges differ from scratch (-scratch +incremental):\n%s", d)
	}
	for name, pair := range map[string][2]any{
		"byName": {fresh.byName, g.byName}, "byAlias": {fresh.byAlias, g.byAlias},
		"byPath": {fresh.byPath, g.byPath}, "refs": {fresh.refs, g.refs}, "colls": {fresh.colls, g.colls},
	} {
		if d := gocmp.Diff(pair[0], pair[1], gocmp.AllowUnexported(scoped{})); d != "" {
			return fmt.Errorf("%s differs from scratch:\n%s", name, d)
		}
	}
	return nil
}

// randomNote draws a note from small pools of folders, names and targets so
// that names collide, links dangle and resolve again, and aliases shadow.
func randomNote(r *rand.Rand) *index.Doc {
	folders := []string{"", "a/", "b/", "a/c/", "b/c/"}
	names := []string{"Alpha", "beta", "Gamma", "delta", "index", "README"}
	p := folders[r.IntN(len(folders))] + names[r.IntN(len(names))]
	if r.IntN(6) == 0 {
		p += ".go"
	} else {
		p += ".md"
	}
	if r.IntN(8) == 0 {
		p = strings.ToUpper(p[:1]) + p[1:]
	}
	d := &index.Doc{Key: "v/" + p, Collection: "v", Path: p}
	if r.IntN(4) == 0 {
		d.Aliases = []string{[]string{"ALPHA", "Zeta", "b/beta", "eta"}[r.IntN(4)]}
	}
	kinds := []string{"wikilink", "embed", "markdown", "frontmatter"}
	targets := []string{"alpha", "Beta", "c/gamma", "a/c/Gamma", "zeta", "eta", "delta.md", "index", "Alpha.go", "b/beta", "", "c", "a"}
	mdTargets := []string{"../alpha.md", "gamma.md", "c/", "../b/beta", "/a/c/Gamma.md", "./delta", "Zeta%20x.md", "c"}
	for i := range r.IntN(5) {
		k := kinds[r.IntN(len(kinds))]
		t := targets[r.IntN(len(targets))]
		if k == "markdown" {
			t = mdTargets[r.IntN(len(mdTargets))]
		}
		d.Links = append(d.Links, index.Link{Kind: k, Target: t, Line: i + 1})
	}
	return d
}

func TestRandomAgainstRebuild(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 99))
		g, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		live := map[string]bool{}
		seq := uint64(0)
		for step := range 50 {
			var batch []index.Change
			for range 1 + r.IntN(4) {
				seq++
				switch keys := slices.Sorted(maps.Keys(live)); {
				case len(keys) > 0 && r.IntN(4) == 0:
					k := keys[r.IntN(len(keys))]
					batch = append(batch, del(seq, k))
					delete(live, k)
				default:
					d := randomNote(r)
					batch = append(batch, put(seq, d))
					live[d.Key] = true
				}
			}
			if err := g.Apply(batch); err != nil {
				t.Fatal(err)
			}
			if err := g.check(); err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
			if g.Len() != len(live) {
				t.Fatalf("seed %d step %d: %d notes, want %d", seed, step, g.Len(), len(live))
			}
			checkTraversals(t, g, r)
			if step%25 == 24 {
				g = reopen(t, g)
			}
		}
	}
}

// checkTraversals compares Neighborhood with a plain BFS over the edges
// that Outgoing reports.
func checkTraversals(t *testing.T, g *Graph, r *rand.Rand) {
	t.Helper()
	adj := map[string][]Edge{}
	var keys []string
	for k := range g.nodes {
		keys = append(keys, k)
		for _, e := range g.Outgoing(k) {
			if e.To != "" && e.To != k {
				adj[k] = append(adj[k], e)
				adj[e.To] = append(adj[e.To], Edge{From: e.To, To: k, Kind: e.Kind})
			}
		}
	}
	if len(keys) == 0 {
		return
	}
	slices.Sort(keys)
	origin := keys[r.IntN(len(keys))]
	tr := Traversal{Depth: 1 + r.IntN(MaxDepth), Kinds: Kind(1 + r.IntN(int(AllKinds)))}
	dist := map[string]int{origin: 0}
	var want []Hop
	for frontier, depth := []string{origin}, 1; depth <= tr.Depth; depth++ {
		var next []string
		for _, k := range frontier {
			for _, e := range adj[k] {
				if _, seen := dist[e.To]; !seen && e.Kind&tr.Kinds != 0 {
					dist[e.To] = depth
					next = append(next, e.To)
					want = append(want, Hop{e.To, depth})
				}
			}
		}
		frontier = next
	}
	slices.SortFunc(want, func(a, b Hop) int { return cmp.Or(cmp.Compare(a.Depth, b.Depth), cmp.Compare(a.Key, b.Key)) })
	got, err := g.Neighborhood([]string{origin}, tr)
	if err != nil {
		t.Fatal(err)
	}
	if d := gocmp.Diff(want, got); d != "" {
		t.Fatalf("Neighborhood(%s, %+v) (-bfs +got):\n%s", origin, tr, d)
	}
	if len(want) > 0 {
		end := want[len(want)-1]
		p, err := g.ShortestPath([]string{origin}, []string{end.Key}, tr)
		if err != nil || len(p) != end.Depth+1 {
			t.Fatalf("ShortestPath(%s, %s) = %v, %v; want %d hops", origin, end.Key, p, err, end.Depth)
		}
	}
}

// reopen flushes g, opens its snapshot again and checks nothing was lost.
func reopen(t *testing.T, g *Graph) *Graph {
	t.Helper()
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	h, err := Open(g.dir)
	if err != nil {
		t.Fatal(err)
	}
	if h.Seq() != g.Seq() || h.Len() != g.Len() {
		t.Fatalf("reopened: seq %d len %d, want %d %d", h.Seq(), h.Len(), g.Seq(), g.Len())
	}
	for k := range g.nodes {
		if d := gocmp.Diff(g.Outgoing(k), h.Outgoing(k)); d != "" {
			t.Fatalf("reopened %s outgoing differ:\n%s", k, d)
		}
	}
	if d := gocmp.Diff(g.Unresolved(), h.Unresolved()); d != "" {
		t.Fatalf("reopened unresolved differ:\n%s", d)
	}
	g.Close()
	return h
}
