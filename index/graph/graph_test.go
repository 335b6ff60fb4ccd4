package graph

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kotadb/kotadb/index"
)

// note builds a document of collection "v" whose links are written as
// "kind:target" ("wikilink:Roadmap", "markdown:../a.md"); a '#' in the
// target splits off the heading as the parser does.
func note(path string, links ...string) *index.Doc {
	d := &index.Doc{Key: "v/" + path, Collection: "v", Path: path}
	for i, l := range links {
		kind, target, _ := strings.Cut(l, ":")
		target, heading, _ := strings.Cut(target, "#")
		d.Links = append(d.Links, index.Link{Kind: kind, Target: target, Heading: heading, Line: i + 1})
	}
	return d
}

func withAliases(d *index.Doc, aliases ...string) *index.Doc {
	d.Aliases = aliases
	return d
}

func put(seq uint64, d *index.Doc) index.Change {
	return index.Change{Seq: seq, Key: d.Key, Doc: d}
}

func del(seq uint64, key string) index.Change {
	return index.Change{Seq: seq, Key: key, Delete: true}
}

// build applies docs as one batch.
func build(t testing.TB, docs ...*index.Doc) *Graph {
	t.Helper()
	g := New()
	var changes []index.Change
	for i, d := range docs {
		changes = append(changes, put(uint64(i+1), d))
	}
	if err := g.Apply(changes); err != nil {
		t.Fatal(err)
	}
	return g
}

// targets lists where each link of key resolved ("" for unresolved).
func targets(g *Graph, key string) []string {
	var out []string
	for _, e := range g.Outgoing(key) {
		out = append(out, e.To)
	}
	return out
}

func TestResolve(t *testing.T) {
	vault := []*index.Doc{
		note("Roadmap.md"),
		note("projects/kota/README.md"),
		note("projects/kota/Plan.md"),
		note("archive/Plan.md"),
		note("deep/er/archive/Plan.md"),
		note("notes/Meeting Notes.md"),
		withAliases(note("notes/Large Language Models.md"), "LLM", "Big Models"),
		note("scripts/build.go"),
		note("docs/guide/_index.md"),
		note("Case.md"),
		note("case.md"),
	}
	tests := []struct {
		name string
		src  *index.Doc
		want []string
	}{
		{"name, case-insensitive", note("a.md", "wikilink:roadmap", "wikilink:ROADMAP"), []string{"v/Roadmap.md", "v/Roadmap.md"}},
		{"name with .md", note("a.md", "wikilink:Roadmap.md"), []string{"v/Roadmap.md"}},
		{"heading kept off the target", note("a.md", "wikilink:Roadmap#Goals"), []string{"v/Roadmap.md"}},
		{"same-name notes: shortest path", note("x/a.md", "wikilink:Plan"), []string{"v/archive/Plan.md"}},
		{"same-name notes: source folder wins", note("projects/kota/a.md", "wikilink:Plan"), []string{"v/projects/kota/Plan.md"}},
		{"path suffix picks among same names", note("a.md", "wikilink:er/archive/Plan", "wikilink:kota/Plan"), []string{"v/deep/er/archive/Plan.md", "v/projects/kota/Plan.md"}},
		{"path from root", note("x/a.md", "wikilink:projects/kota/Plan"), []string{"v/projects/kota/Plan.md"}},
		{"path suffix must match whole folders", note("a.md", "wikilink:ota/Plan"), []string{""}},
		{"alias", note("a.md", "wikilink:llm", "embed:Big Models"), []string{"v/notes/Large Language Models.md", "v/notes/Large Language Models.md"}},
		{"space in name", note("a.md", "wikilink:meeting notes"), []string{"v/notes/Meeting Notes.md"}},
		{"non-markdown needs its extension", note("a.md", "wikilink:build.go", "wikilink:build"), []string{"v/scripts/build.go", ""}},
		{"missing", note("a.md", "wikilink:Nowhere", "embed:image.png"), []string{"", ""}},
		{"heading-only link is a self link", note("a.md", "wikilink:#Intro"), []string{"v/a.md"}},
		{"markdown relative", note("projects/kota/x.md", "markdown:Plan.md", "markdown:../../Roadmap.md", "markdown:./README.md"), []string{"v/projects/kota/Plan.md", "v/Roadmap.md", "v/projects/kota/README.md"}},
		{"markdown url-decoded, .md optional", note("notes/x.md", "markdown:Meeting%20Notes.md", "markdown:Meeting%20Notes"), []string{"v/notes/Meeting Notes.md", "v/notes/Meeting Notes.md"}},
		{"markdown root-absolute and folder index", note("a.md", "markdown:/docs/guide/", "markdown:docs/guide", "markdown:/projects/kota"), []string{"v/docs/guide/_index.md", "v/docs/guide/_index.md", "v/projects/kota/README.md"}},
		{"markdown falls back to name resolution", note("x/y.md", "markdown:Roadmap.md"), []string{"v/Roadmap.md"}},
		{"markdown out of the collection", note("a.md", "markdown:../../etc/passwd", "markdown:https://example.com/a.md"), []string{"", ""}},
		{"markdown bad escape kept as written", note("a.md", "markdown:100%.md"), []string{""}},
		{"frontmatter", note("a.md", "frontmatter:Roadmap", "frontmatter:projects/kota/Plan"), []string{"v/Roadmap.md", "v/projects/kota/Plan.md"}},
		{"case-only twins: exact case first", note("a.md", "wikilink:Case", "wikilink:case", "wikilink:CASE"), []string{"v/Case.md", "v/case.md", "v/Case.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := build(t, append(vault, tt.src)...)
			if diff := cmp.Diff(tt.want, targets(g, tt.src.Key)); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveOtherCollectionIsolated(t *testing.T) {
	other := &index.Doc{Key: "w/Roadmap.md", Collection: "w", Path: "Roadmap.md"}
	g := build(t, other, note("a.md", "wikilink:Roadmap"))
	if got := targets(g, "v/a.md"); got[0] != "" {
		t.Errorf("a link resolved across collections to %q", got[0])
	}
	if got := g.Resolve("[[Roadmap]]"); !cmp.Equal(got, []string{"w/Roadmap.md"}) {
		t.Errorf("Resolve = %v", got)
	}
}

func TestResolveQueryReference(t *testing.T) {
	g := build(t, note("Roadmap.md"), withAliases(note("x/LLM notes.md"), "LLM"), note("projects/kota/README.md"))
	tests := []struct {
		ref  string
		want []string
	}{
		{"Roadmap", []string{"v/Roadmap.md"}},
		{"[[roadmap|the plan]]", []string{"v/Roadmap.md"}},
		{"[[Roadmap#Goals]]", []string{"v/Roadmap.md"}},
		{"v/Roadmap.md", []string{"v/Roadmap.md"}},
		{"projects/kota/README.md", []string{"v/projects/kota/README.md"}},
		{"kota/README", []string{"v/projects/kota/README.md"}},
		{"llm", []string{"v/x/LLM notes.md"}},
		{"nothing", nil},
		{"[[]]", nil},
	}
	for _, tt := range tests {
		if got := g.Resolve(tt.ref); !cmp.Equal(got, tt.want) {
			t.Errorf("Resolve(%q) = %v, want %v", tt.ref, got, tt.want)
		}
	}
}

// A link to a deleted note becomes unresolved; creating a note with that
// name resolves it again; renaming moves the edges.
func TestLinksFollowDeleteCreateRename(t *testing.T) {
	g := build(t, note("a.md", "wikilink:Target", "markdown:Target.md"), note("Target.md"))
	steps := []struct {
		name    string
		changes []index.Change
		want    []string // where a.md's two links resolve
		back    []string // sources of backlinks of the note now named Target
		backKey string
	}{
		{"initial", nil, []string{"v/Target.md", "v/Target.md"}, []string{"v/a.md", "v/a.md"}, "v/Target.md"},
		{"delete", []index.Change{del(10, "v/Target.md")}, []string{"", ""}, nil, "v/Target.md"},
		{"recreate elsewhere", []index.Change{put(11, note("sub/target.md"))}, []string{"v/sub/target.md", "v/sub/target.md"}, []string{"v/a.md", "v/a.md"}, "v/sub/target.md"},
		{"rename to another name", []index.Change{del(12, "v/sub/target.md"), put(13, note("sub/Other.md"))}, []string{"", ""}, nil, "v/sub/Other.md"},
		{"rename back", []index.Change{del(14, "v/sub/Other.md"), put(15, note("Target.md"))}, []string{"v/Target.md", "v/Target.md"}, []string{"v/a.md", "v/a.md"}, "v/Target.md"},
		{"a closer twin takes over", []index.Change{put(16, note("z/x/Target.md")), put(17, note("x.md")), del(18, "v/Target.md")}, []string{"v/z/x/Target.md", "v/z/x/Target.md"}, []string{"v/a.md", "v/a.md"}, "v/z/x/Target.md"},
		{"source edited", []index.Change{put(19, note("a.md", "wikilink:x"))}, []string{"v/x.md"}, nil, "v/z/x/Target.md"},
		{"replayed old change is skipped", []index.Change{put(3, note("a.md"))}, []string{"v/x.md"}, nil, "v/z/x/Target.md"},
	}
	for _, s := range steps {
		if err := g.Apply(s.changes); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if diff := cmp.Diff(s.want, targets(g, "v/a.md")); diff != "" {
			t.Errorf("%s: targets (-want +got):\n%s", s.name, diff)
		}
		var back []string
		for _, e := range g.Backlinks(s.backKey) {
			back = append(back, e.From)
		}
		if diff := cmp.Diff(s.back, back); diff != "" {
			t.Errorf("%s: backlinks of %s (-want +got):\n%s", s.name, s.backKey, diff)
		}
		if err := g.check(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
}

func TestApplyRejectsPutWithoutDoc(t *testing.T) {
	g := New()
	if err := g.Apply([]index.Change{{Seq: 1, Key: "v/a.md"}}); err == nil || !strings.Contains(err.Error(), "v/a.md") {
		t.Errorf("err = %v, want one naming the key", err)
	}
}

func TestClosed(t *testing.T) {
	g := New()
	g.Close()
	if err := g.Apply(nil); err == nil {
		t.Error("Apply after Close succeeded")
	}
	if err := g.Flush(); err == nil {
		t.Error("Flush after Close succeeded")
	}
}

// chainVault: a → b → c → d → e → f → g, plus x ↔ a by embed and an orphan.
func chainVault() []*index.Doc {
	return []*index.Doc{
		note("a.md", "wikilink:b", "embed:x"),
		note("b.md", "wikilink:c"),
		note("c.md", "markdown:d.md", "wikilink:c"),
		note("d.md", "wikilink:e"),
		note("e.md", "frontmatter:f"),
		note("f.md", "wikilink:g", "wikilink:missing"),
		note("g.md"),
		note("x.md", "wikilink:a"),
		note("lonely.md", "wikilink:lonely", "wikilink:ghost"),
	}
}

func TestNeighborhood(t *testing.T) {
	g := build(t, chainVault()...)
	tests := []struct {
		origin string
		tr     Traversal
		want   string
	}{
		{"a", Traversal{Depth: 1}, "b:1 x:1"},
		{"a", Traversal{Depth: 2}, "b:1 x:1 c:2"},
		{"a", Traversal{Depth: 2, Direction: Out}, "b:1 x:1 c:2"},
		{"a", Traversal{Depth: 2, Direction: In}, "x:1"},
		{"a", Traversal{Depth: 5, Kinds: Wikilink}, "b:1 x:1 c:2"},
		{"a", Traversal{Depth: 5, Kinds: Wikilink | Markdown}, "b:1 x:1 c:2 d:3 e:4"},
		{"d", Traversal{Depth: 5, Direction: In}, "c:1 b:2 a:3 x:4"},
		{"c", Traversal{Depth: 1}, "b:1 d:1"},
		{"lonely", Traversal{Depth: 5}, ""},
		{"nope", Traversal{Depth: 2}, ""},
	}
	for _, tt := range tests {
		hops, err := g.Neighborhood([]string{"v/" + tt.origin + ".md"}, tt.tr)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hops {
			got = append(got, fmt.Sprintf("%s:%d", strings.TrimSuffix(strings.TrimPrefix(h.Key, "v/"), ".md"), h.Depth))
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("Neighborhood(%s, %+v) = %q, want %q", tt.origin, tt.tr, s, tt.want)
		}
	}
	for _, depth := range []int{0, MaxDepth + 1} {
		if _, err := g.Neighborhood([]string{"v/a.md"}, Traversal{Depth: depth}); err == nil {
			t.Errorf("depth %d accepted", depth)
		}
	}
}

func TestShortestPath(t *testing.T) {
	g := build(t, chainVault()...)
	tests := []struct {
		from, to string
		tr       Traversal
		want     string
	}{
		{"a", "d", Traversal{Depth: 5}, "a b c d"},
		{"x", "e", Traversal{Depth: 5, Direction: Out}, "x a b c d e"},
		{"e", "x", Traversal{Depth: 5, Direction: Out}, ""},
		{"e", "x", Traversal{Depth: 5}, "e d c b a x"},
		{"e", "x", Traversal{Depth: 4}, ""},
		{"a", "a", Traversal{Depth: 1}, "a"},
		{"a", "g", Traversal{Depth: 5, Kinds: Wikilink}, ""},
		{"a", "lonely", Traversal{Depth: 5}, ""},
	}
	for _, tt := range tests {
		p, err := g.ShortestPath([]string{"v/" + tt.from + ".md"}, []string{"v/" + tt.to + ".md"}, tt.tr)
		if err != nil {
			t.Fatal(err)
		}
		for i := range p {
			p[i] = strings.TrimSuffix(strings.TrimPrefix(p[i], "v/"), ".md")
		}
		if s := strings.Join(p, " "); s != tt.want {
			t.Errorf("ShortestPath(%s, %s, %+v) = %q, want %q", tt.from, tt.to, tt.tr, s, tt.want)
		}
	}
}

func TestOrphansAndUnresolved(t *testing.T) {
	g := build(t, chainVault()...)
	if got := g.Orphans(); !cmp.Equal(got, []string{"v/lonely.md"}) {
		t.Errorf("Orphans = %v", got)
	}
	if !g.IsOrphan("v/lonely.md") || g.IsOrphan("v/a.md") || g.IsOrphan("v/none.md") {
		t.Error("IsOrphan disagrees with Orphans")
	}
	var got []string
	for _, u := range g.Unresolved() {
		for _, e := range u.Links {
			got = append(got, u.Target+"<-"+e.From)
		}
	}
	if want := []string{"ghost<-v/lonely.md", "missing<-v/f.md"}; !cmp.Equal(got, want) {
		t.Errorf("Unresolved = %v, want %v", got, want)
	}
	if !g.HasUnresolved("v/f.md") || g.HasUnresolved("v/a.md") {
		t.Error("HasUnresolved wrong")
	}
	st := g.Stats()
	if st.Notes != 9 || st.Links != 12 || st.Unresolved != 2 || st.Resolved != 10 || st.ByKind["wikilink"] != 9 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestKindNames(t *testing.T) {
	for _, k := range []Kind{Wikilink, Embed, Markdown, Frontmatter} {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	if _, err := ParseKind("hyperlink"); err == nil {
		t.Error("ParseKind accepted an unknown kind")
	}
	if s := (Wikilink | Embed).String(); s != "wikilink|embed" {
		t.Errorf("set String = %q", s)
	}
	for _, d := range []Direction{Both, Out, In} {
		if got, err := ParseDirection(d.String()); err != nil || got != d {
			t.Errorf("ParseDirection(%q) = %v, %v", d.String(), got, err)
		}
	}
	if _, err := ParseDirection("up"); err == nil {
		t.Error("ParseDirection accepted up")
	}
}

// Readers run while changes are applied (go test -race checks the locking).
func TestConcurrentReaders(t *testing.T) {
	g := build(t, chainVault()...)
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := g.Neighborhood([]string{"v/a.md"}, Traversal{Depth: 3}); err != nil {
					t.Error(err)
					return
				}
				g.Backlinks("v/b.md")
				g.Resolve("c")
				g.Unresolved()
				g.Orphans()
			}
		}()
	}
	for i := range 200 {
		seq := uint64(100 + i)
		if i%2 == 0 {
			err := g.Apply([]index.Change{del(seq, "v/c.md")})
			if err != nil {
				t.Fatal(err)
			}
		} else if err := g.Apply([]index.Change{put(seq, note("c.md", "markdown:d.md"))}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	readers.Wait()
	if err := g.check(); err != nil {
		t.Fatal(err)
	}
}
