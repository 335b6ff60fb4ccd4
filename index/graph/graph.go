// Package graph is kotadb's link graph: which note links to which, resolved
// the way Obsidian resolves links, kept up to date from the store's change
// log like every other index and persisted as a snapshot (see snapshot.go).
//
// Every document is a node keyed by its store key ("collection/path"). Each
// link a document contains, as written (index.Link), is resolved to another
// document of the same collection or stays unresolved. Resolved links are
// edges, stored in both directions with their kind and heading. Because
// resolution depends on the whole collection (a new note can make an
// unresolved link resolve, a second note with the same name can change which
// note a link points to), Apply re-resolves every link whose target name is
// touched by a change.
//
// A Graph is safe for concurrent use: queries take a read lock, Apply and
// Flush a write lock.
package graph

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index"
)

// Kind is the kind of a link. Kinds are bits so that a set of kinds (a
// filter) is a Kind too.
type Kind uint8

const (
	Wikilink    Kind = 1 << iota // [[target]]
	Embed                        // ![[target]]
	Markdown                     // [text](../target.md)
	Frontmatter                  // related: / links: in frontmatter

	// AllKinds is the filter that accepts every kind.
	AllKinds = Wikilink | Embed | Markdown | Frontmatter
)

var kindNames = []struct {
	kind Kind
	name string
}{{Wikilink, "wikilink"}, {Embed, "embed"}, {Markdown, "markdown"}, {Frontmatter, "frontmatter"}}

// String names a single kind ("wikilink") or lists a set ("wikilink|embed").
func (k Kind) String() string {
	var names []string
	for _, kn := range kindNames {
		if k&kn.kind != 0 {
			names = append(names, kn.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// ParseKind maps a link kind name as index.Link and the query language
// write it ("wikilink", "embed", "markdown", "frontmatter") to its Kind.
func ParseKind(name string) (Kind, error) {
	for _, kn := range kindNames {
		if kn.name == name {
			return kn.kind, nil
		}
	}
	return 0, fmt.Errorf("unknown link kind %q: expected wikilink, embed, markdown or frontmatter", name)
}

// Direction says which edges a traversal follows.
type Direction uint8

const (
	Both Direction = iota // outgoing and incoming links (the zero value)
	Out                   // links the note makes
	In                    // links to the note (backlinks)
)

func (d Direction) String() string {
	switch d {
	case Out:
		return "out"
	case In:
		return "in"
	}
	return "both"
}

// ParseDirection maps "out", "in" and "both" to a Direction.
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "out":
		return Out, nil
	case "in":
		return In, nil
	case "both":
		return Both, nil
	}
	return Both, fmt.Errorf("unknown direction %q: expected out, in or both", s)
}

// Edge is one resolved link. For an unresolved link To is empty.
type Edge struct {
	From    string // source document key
	To      string // target document key
	Kind    Kind
	Target  string // the target as written
	Heading string // the part after '#', if any
	Line    int    // 1-based line of the link in the source
}

// Graph is the link graph. The zero value is not usable: call New or Open.
type Graph struct {
	mu     sync.RWMutex
	dir    string // "" for an in-memory graph
	seq    uint64
	dirty  bool
	closed bool

	nodes map[string]*node
	// Resolution indices, all scoped to a collection and lower-cased.
	byName  map[scoped][]string // note name (file name without .md) → keys
	byAlias map[scoped][]string // frontmatter alias → keys
	byPath  map[scoped][]string // path, and path without .md → keys
	// refs maps a lookup name to the documents having a link that a note of
	// that name (or alias) could satisfy; Apply re-resolves them when a note
	// with that name appears or disappears.
	refs map[scoped]map[string]struct{}
	// in holds the incoming edges of every target key.
	in map[string][]inEdge
	// colls counts the notes of each collection.
	colls map[string]int
}

// scoped is a lower-cased name within a collection.
type scoped struct{ coll, name string }

type node struct {
	key, coll, path string
	name            string // lower-cased file name without .md
	// folderName is "/" + the lower-cased path with name for its file
	// name: what a link naming folders must end with (resolveName). Kept
	// so resolving needs no string building per candidate: on
	// opentelemetry-docs, whose folder notes share a name by the hundred,
	// that was most of the graph's build time.
	folderName string
	aliases    []string // lower-cased
	aliasesRaw []string // as written, for the snapshot
	links      []link
}

type link struct {
	kind    Kind
	target  string
	heading string
	line    int
	to      string // resolved key, "" when unresolved
	toNode  *node  // the node of to, so traversals need no map lookups
}

// inEdge is an incoming edge with its source node.
type inEdge struct {
	Edge
	from *node
}

// New returns an empty in-memory graph; Flush is a no-op on it.
func New() *Graph {
	return &Graph{
		nodes:   map[string]*node{},
		byName:  map[scoped][]string{},
		byAlias: map[scoped][]string{},
		byPath:  map[scoped][]string{},
		refs:    map[scoped]map[string]struct{}{},
		in:      map[string][]inEdge{},
		colls:   map[string]int{},
	}
}

// Seq is the sequence number of the last change applied; feed the graph the
// change log after it.
func (g *Graph) Seq() uint64 {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.seq
}

// Len is the number of documents (nodes) in the graph.
func (g *Graph) Len() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.nodes)
}

// Has reports whether key is a document of the graph.
func (g *Graph) Has(key string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	_, ok := g.nodes[key]
	return ok
}

// Close releases the graph without flushing; further use returns
// errs.ErrClosed.
func (g *Graph) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	return nil
}

// Apply applies changes in order. A change whose Seq is not after the
// graph's Seq at the start of the call has been applied before and is
// skipped, so replaying a stretch of the log is harmless.
func (g *Graph) Apply(changes []index.Change) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return errs.ErrClosed
	}
	start := g.seq
	affected := map[scoped]struct{}{}
	touched := map[string]struct{}{}
	for i, c := range changes {
		if c.Seq != 0 && c.Seq <= start {
			continue
		}
		if !c.Delete && c.Doc == nil {
			return fmt.Errorf("graph: change %d (seq %d, key %q) is a put without a document", i, c.Seq, c.Key)
		}
		if old, ok := g.nodes[c.Key]; ok {
			g.removeNode(old, affected, touched)
		}
		if !c.Delete {
			n := newNode(c.Key, c.Doc)
			g.addNode(n, affected)
			touched[n.key] = struct{}{}
		}
		g.seq = max(g.seq, c.Seq)
		g.dirty = true
	}
	for name := range affected {
		for src := range g.refs[name] {
			touched[src] = struct{}{}
		}
	}
	for key := range touched {
		if n, ok := g.nodes[key]; ok {
			g.resolveNode(n)
		}
	}
	return nil
}

func newNode(key string, d *index.Doc) *node {
	coll, p := d.Collection, d.Path
	if coll == "" && p == "" {
		coll, p, _ = strings.Cut(key, "/")
	}
	n := &node{key: key, coll: coll, path: p}
	n.setNames()
	for _, a := range d.Aliases {
		if a = strings.TrimSpace(a); a != "" {
			n.aliasesRaw = append(n.aliasesRaw, a)
			n.aliases = append(n.aliases, strings.ToLower(a))
		}
	}
	for _, l := range d.Links {
		k, err := ParseKind(l.Kind)
		if err != nil {
			k = Wikilink // an unknown kind from a newer parser still links
		}
		n.links = append(n.links, link{kind: k, target: l.Target, heading: l.Heading, line: l.Line})
	}
	return n
}

// setNames derives name and folderName from path.
func (n *node) setNames() {
	n.name = noteName(n.path)
	n.folderName = "/" + strings.ToLower(path.Join(path.Dir(n.path), n.name))
}

// noteName is how a wikilink names a note: its file name, lower-cased,
// without the .md extension (other files keep theirs, as in Obsidian).
func noteName(p string) string {
	base := strings.ToLower(path.Base(p))
	for _, ext := range []string{".md", ".markdown"} {
		if strings.HasSuffix(base, ext) && len(base) > len(ext) {
			return strings.TrimSuffix(base, ext)
		}
	}
	return base
}

// names are the lookup names under which n can be found: its name, its
// aliases and, for a folder note (index.md, _index.md, README.md), its
// folder's name, which markdown links to the folder use.
func (n *node) names() []string {
	names := append([]string{n.name}, n.aliases...)
	switch n.name {
	case "index", "_index", "readme":
		if dir := path.Dir(n.path); dir != "." {
			names = append(names, strings.ToLower(path.Base(dir)))
		}
	}
	return names
}

// lookupNames are the names whose appearance can change where l resolves.
func lookupNames(l link) []string {
	t := strings.ToLower(strings.TrimSpace(l.target))
	if l.kind == Markdown {
		t = decodeTarget(t)
	}
	t = strings.TrimRight(t, "/")
	return []string{noteName(t), t}
}

func (g *Graph) addNode(n *node, affected map[scoped]struct{}) {
	g.nodes[n.key] = n
	g.colls[n.coll]++
	for _, name := range n.names() {
		affected[scoped{n.coll, name}] = struct{}{}
	}
	addKey(g.byName, scoped{n.coll, n.name}, n.key)
	for _, a := range n.aliases {
		addKey(g.byAlias, scoped{n.coll, a}, n.key)
	}
	for _, p := range pathKeys(n.path) {
		addKey(g.byPath, scoped{n.coll, p}, n.key)
	}
	for _, l := range n.links {
		for _, name := range lookupNames(l) {
			s := scoped{n.coll, name}
			if g.refs[s] == nil {
				g.refs[s] = map[string]struct{}{}
			}
			g.refs[s][n.key] = struct{}{}
		}
	}
}

func (g *Graph) removeNode(n *node, affected map[scoped]struct{}, touched map[string]struct{}) {
	g.dropOutEdges(n)
	// Whoever linked to n must be re-resolved: the link is now dangling or
	// resolves to another note of the same name.
	for _, e := range g.in[n.key] {
		touched[e.From] = struct{}{}
	}
	for _, name := range n.names() {
		affected[scoped{n.coll, name}] = struct{}{}
	}
	removeKey(g.byName, scoped{n.coll, n.name}, n.key)
	for _, a := range n.aliases {
		removeKey(g.byAlias, scoped{n.coll, a}, n.key)
	}
	for _, p := range pathKeys(n.path) {
		removeKey(g.byPath, scoped{n.coll, p}, n.key)
	}
	for _, l := range n.links {
		for _, name := range lookupNames(l) {
			s := scoped{n.coll, name}
			delete(g.refs[s], n.key)
			if len(g.refs[s]) == 0 {
				delete(g.refs, s)
			}
		}
	}
	delete(g.nodes, n.key)
	if g.colls[n.coll]--; g.colls[n.coll] == 0 {
		delete(g.colls, n.coll)
	}
}

// pathKeys are the lower-cased paths a note is found under: with and
// without its .md extension.
func pathKeys(p string) []string {
	lp := strings.ToLower(p)
	if name := noteName(lp); name != path.Base(lp) {
		return []string{lp, path.Join(path.Dir(lp), name)}
	}
	return []string{lp}
}

func addKey(m map[scoped][]string, s scoped, key string) {
	keys := m[s]
	i, found := slices.BinarySearch(keys, key)
	if !found {
		m[s] = slices.Insert(keys, i, key)
	}
}

func removeKey(m map[scoped][]string, s scoped, key string) {
	keys := m[s]
	if i, found := slices.BinarySearch(keys, key); found {
		keys = slices.Delete(keys, i, i+1)
	}
	if len(keys) == 0 {
		delete(m, s)
		return
	}
	m[s] = keys
}

// dropOutEdges removes n's resolved links from their targets' incoming lists.
func (g *Graph) dropOutEdges(n *node) {
	for i := range n.links {
		to := n.links[i].to
		if to == "" {
			continue
		}
		in := g.in[to]
		in = slices.DeleteFunc(in, func(e inEdge) bool { return e.From == n.key })
		if len(in) == 0 {
			delete(g.in, to)
		} else {
			g.in[to] = in
		}
		n.links[i].to, n.links[i].toNode = "", nil
	}
}

// resolveNode (re-)resolves every link of n and rebuilds its edges.
func (g *Graph) resolveNode(n *node) {
	g.dropOutEdges(n)
	for i := range n.links {
		l := &n.links[i]
		l.to = g.resolveLink(n, *l)
		if l.to != "" {
			l.toNode = g.nodes[l.to]
			g.in[l.to] = append(g.in[l.to], inEdge{n.edge(*l), n})
		}
	}
}

func (n *node) edge(l link) Edge {
	return Edge{From: n.key, To: l.to, Kind: l.kind, Target: l.target, Heading: l.heading, Line: l.line}
}
