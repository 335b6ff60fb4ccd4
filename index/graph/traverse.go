package graph

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
)

// MaxDepth bounds neighbourhood and path searches: beyond five hops nearly
// every note of a real vault is "near", which answers nothing.
const MaxDepth = 5

// Outgoing returns the links key makes, resolved or not (To is empty for an
// unresolved link), in the order they appear in the note.
func (g *Graph) Outgoing(key string) []Edge {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n, ok := g.nodes[key]
	if !ok {
		return nil
	}
	out := make([]Edge, len(n.links))
	for i, l := range n.links {
		out[i] = n.edge(l)
	}
	return out
}

// Backlinks returns the resolved links to key, sorted by source and line.
func (g *Graph) Backlinks(key string) []Edge {
	g.mu.RLock()
	defer g.mu.RUnlock()
	in := make([]Edge, len(g.in[key]))
	for i, e := range g.in[key] {
		in[i] = e.Edge
	}
	slices.SortFunc(in, compareEdges)
	return in
}

func compareEdges(a, b Edge) int {
	return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.To, b.To), cmp.Compare(a.Target, b.Target), cmp.Compare(a.Kind, b.Kind))
}

// Traversal says which edges a neighbourhood or path search follows.
type Traversal struct {
	Depth     int       // hops, 1..MaxDepth (ShortestPath: the longest path looked for)
	Kinds     Kind      // link kinds to follow; 0 means all
	Direction Direction // Both (default), Out or In
}

func (t Traversal) check() error {
	if t.Depth < 1 || t.Depth > MaxDepth {
		return fmt.Errorf("graph: depth %d out of range: expected 1 to %d", t.Depth, MaxDepth)
	}
	return nil
}

// Hop is a note reached by a traversal and its distance from the start.
type Hop struct {
	Key   string
	Depth int
}

// Neighborhood returns the notes within t.Depth hops of any of the origins,
// excluding the origins themselves, sorted by depth then key. Unknown origins
// are ignored.
func (g *Graph) Neighborhood(origins []string, t Traversal) ([]Hop, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	seen := map[*node]bool{}
	frontier := make([]*node, 0, len(origins))
	for _, o := range origins {
		if n, ok := g.nodes[o]; ok && !seen[n] {
			seen[n] = true
			frontier = append(frontier, n)
		}
	}
	var hops []Hop
	for depth := 1; depth <= t.Depth && len(frontier) > 0; depth++ {
		var next []*node
		for _, n := range frontier {
			g.neighbours(n, t, func(nb *node) {
				if !seen[nb] {
					seen[nb] = true
					next = append(next, nb)
					hops = append(hops, Hop{nb.key, depth})
				}
			})
		}
		frontier = next
	}
	slices.SortFunc(hops, func(a, b Hop) int { return cmp.Or(cmp.Compare(a.Depth, b.Depth), cmp.Compare(a.Key, b.Key)) })
	return hops, nil
}

// neighbours calls fn for every note one hop from n along t's edges; a
// note may be reported more than once.
func (g *Graph) neighbours(n *node, t Traversal, fn func(*node)) {
	kinds := t.Kinds
	if kinds == 0 {
		kinds = AllKinds
	}
	if t.Direction != In {
		for _, l := range n.links {
			if l.toNode != nil && l.toNode != n && l.kind&kinds != 0 {
				fn(l.toNode)
			}
		}
	}
	if t.Direction != Out {
		for _, e := range g.in[n.key] {
			if e.from != n && e.Kind&kinds != 0 {
				fn(e.from)
			}
		}
	}
}

// ShortestPath returns a shortest chain of notes from one of from to one of
// to (both ends included), at most t.Depth hops long, or nil when there is
// none. Among equally short paths it returns the one that is first in key
// order, so the answer does not depend on the order links were added.
func (g *Graph) ShortestPath(from, to []string, t Traversal) ([]string, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	goal := map[*node]bool{}
	for _, k := range to {
		if n, ok := g.nodes[k]; ok {
			goal[n] = true
		}
	}
	prev := map[*node]*node{}
	var frontier []*node
	for _, k := range slices.Sorted(slices.Values(from)) {
		n, ok := g.nodes[k]
		if !ok {
			continue
		}
		if goal[n] {
			return []string{k}, nil
		}
		if _, seen := prev[n]; !seen {
			prev[n] = nil
			frontier = append(frontier, n)
		}
	}
	for depth := 1; depth <= t.Depth && len(frontier) > 0; depth++ {
		var next []*node
		for _, n := range frontier {
			var nbs []*node
			g.neighbours(n, t, func(nb *node) { nbs = append(nbs, nb) })
			slices.SortFunc(nbs, func(a, b *node) int { return strings.Compare(a.key, b.key) })
			for _, nb := range slices.Compact(nbs) {
				if _, seen := prev[nb]; seen {
					continue
				}
				prev[nb] = n
				if goal[nb] {
					return chain(prev, nb), nil
				}
				next = append(next, nb)
			}
		}
		frontier = next
	}
	return nil, nil
}

func chain(prev map[*node]*node, end *node) []string {
	var p []string
	for n := end; n != nil; n = prev[n] {
		p = append(p, n.key)
	}
	slices.Reverse(p)
	return p
}

// UnresolvedLink is a link target that names no note, with every link to it.
type UnresolvedLink struct {
	Collection string
	Target     string // lower-cased target as written (markdown: the path it points to)
	Links      []Edge // To is empty
}

// Unresolved lists the dangling link targets of every collection, sorted by
// collection and target; each target's links are sorted by source and line.
func (g *Graph) Unresolved() []UnresolvedLink {
	g.mu.RLock()
	defer g.mu.RUnlock()
	groups := map[scoped][]Edge{}
	for _, n := range g.nodes {
		for _, l := range n.links {
			if l.to == "" {
				s := scoped{n.coll, n.danglingName(l)}
				groups[s] = append(groups[s], n.edge(l))
			}
		}
	}
	out := make([]UnresolvedLink, 0, len(groups))
	for s, edges := range groups {
		slices.SortFunc(edges, compareEdges)
		out = append(out, UnresolvedLink{Collection: s.coll, Target: s.name, Links: edges})
	}
	slices.SortFunc(out, func(a, b UnresolvedLink) int {
		return cmp.Or(cmp.Compare(a.Collection, b.Collection), cmp.Compare(a.Target, b.Target))
	})
	return out
}

// danglingName groups unresolved links that mean the same missing note:
// wikilinks by their lower-cased target, markdown links by the path they
// point to from the collection root.
func (n *node) danglingName(l link) string {
	t := strings.TrimSpace(l.target)
	if l.kind == Markdown {
		if d := decodeTarget(t); strings.HasPrefix(d, "/") {
			t = path.Clean(d[1:])
		} else if !isURL(d) {
			t = path.Join(path.Dir(n.path), d)
		}
	}
	return strings.ToLower(t)
}

// HasUnresolved reports whether key has at least one unresolved link.
func (g *Graph) HasUnresolved(key string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n, ok := g.nodes[key]
	if !ok {
		return false
	}
	for _, l := range n.links {
		if l.to == "" {
			return true
		}
	}
	return false
}

// Orphans returns, sorted, the notes with no resolved link to or from
// another note (links to themselves and unresolved links do not count).
func (g *Graph) Orphans() []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []string
	for key, n := range g.nodes {
		if !g.linked(n) {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// IsOrphan reports whether key is a note with no link to or from another.
func (g *Graph) IsOrphan(key string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n, ok := g.nodes[key]
	return ok && !g.linked(n)
}

func (g *Graph) linked(n *node) bool {
	for _, l := range n.links {
		if l.to != "" && l.to != n.key {
			return true
		}
	}
	for _, e := range g.in[n.key] {
		if e.From != n.key {
			return true
		}
	}
	return false
}

// Stats counts what the graph holds.
type Stats struct {
	Notes      int
	Links      int // every link, resolved or not
	Resolved   int
	Unresolved int
	ByKind     map[string]int // links per kind name
}

// Stats counts notes and links.
func (g *Graph) Stats() Stats {
	g.mu.RLock()
	defer g.mu.RUnlock()
	s := Stats{Notes: len(g.nodes), ByKind: map[string]int{}}
	for _, n := range g.nodes {
		for _, l := range n.links {
			s.Links++
			s.ByKind[l.kind.String()]++
			if l.to == "" {
				s.Unresolved++
			} else {
				s.Resolved++
			}
		}
	}
	return s
}
