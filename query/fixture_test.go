package query_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/query"
	"github.com/kotadb/kotadb/query/memcat"
)

// note is a fixture document of collection "v". links are "kind:target".
type note struct {
	path     string
	title    string
	tags     []string
	fields   map[string]any
	created  string // 2006-01-02
	updated  string
	body     string
	links    []string
	aliases  []string
	headings []string
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func (n note) doc() index.Doc {
	text := n.body
	if n.title != "" {
		text = "# " + n.title + "\n" + n.body
	}
	d := index.Doc{Key: "v/" + n.path, Collection: "v", Path: n.path, Title: n.title, Tags: n.tags,
		Aliases: n.aliases, Fields: n.fields, Created: day(n.created), Updated: day(n.updated),
		Text: []byte(text), Lang: "markdown"}
	if strings.HasSuffix(n.path, ".go") {
		d.Lang = "go"
	}
	for i, h := range n.headings {
		d.Headings = append(d.Headings, index.Heading{Level: 2, Text: h, Line: i + 2})
	}
	for i, l := range n.links {
		kind, target, _ := strings.Cut(l, ":")
		d.Links = append(d.Links, index.Link{Kind: kind, Target: target, Line: i + 1})
	}
	return d
}

// fixture is a small vault whose answers can be checked by hand.
func fixture() []index.Doc {
	notes := []note{
		{path: "projects/kota/README.md", title: "Kota", tags: []string{"project/kota"},
			fields:  map[string]any{"status": "active", "priority": int64(3), "owner": []any{"Ana", "Bo"}},
			created: "2025-01-05", updated: "2025-03-10",
			body:  "Rust error handling for the Kota engine. See the Roadmap.",
			links: []string{"wikilink:Roadmap", "markdown:Plan.md"}, headings: []string{"Goals", "Rust"}},
		{path: "projects/kota/Plan.md", title: "Plan", tags: []string{"project/kota", "planning"},
			fields:  map[string]any{"status": "paused", "priority": int64(2), "due": day("2025-04-01")},
			created: "2025-01-06", updated: "2025-02-01",
			body: "The plan: rust first, then go. Error handling later.", links: []string{"wikilink:Roadmap"}},
		{path: "Roadmap.md", title: "Roadmap", tags: []string{"planning"}, aliases: []string{"RM"},
			fields:  map[string]any{"status": "Active", "priority": 5.0, "due": day("2025-06-30")},
			created: "2024-11-20", updated: "2025-03-11",
			body: "Milestones for kota and friends.", links: []string{"wikilink:projects/kota/README", "embed:diagram.png"}},
		{path: "archive/old-kota.md", title: "Old Kota", tags: []string{"archive", "project/kota"},
			fields:  map[string]any{"status": "done", "priority": int64(1)},
			created: "2023-05-01", updated: "2023-06-01",
			body: "Rust rust rust. The old error handling notes.", links: []string{"wikilink:Kota"}},
		{path: "notes/rust.md", title: "Rust", tags: []string{"lang/rust"},
			fields:  map[string]any{"priority": "1", "draft": true},
			created: "2025-02-14", updated: "2025-03-12",
			body:  "Rust error handling with Result and the ? operator; error handling is explicit.",
			links: []string{"wikilink:Ghost", "frontmatter:Roadmap"}},
		{path: "notes/go.md", title: "Go", tags: []string{"lang/go"},
			fields:  map[string]any{"status": "active", "draft": false},
			created: "2025-02-15", updated: "2025-02-20",
			body: "Go errors are values. Goroutines and channels.", links: []string{"markdown:rust.md"}},
		{path: "notes/lonely.md", title: "Lonely", created: "2024-01-01", updated: "2024-01-02",
			body: "Nobody links here and it links nowhere."},
		{path: "notes/daily/2025-03-11.md", title: "2025-03-11", tags: []string{"daily"},
			created: "2025-03-11", updated: "2025-03-11",
			body: "Worked on kota planning. Met about the roadmap.", links: []string{"wikilink:RM", "wikilink:Missing Note"}},
		{path: "scripts/build.go", title: "", created: "2025-01-01", updated: "2025-01-01",
			body: "package main // builds kota"},
		{path: "UX Research/Persona.md", title: "Persona", tags: []string{"ux"},
			fields:  map[string]any{"status": "active", "priority": int64(2)},
			created: "2024-06-01", updated: "2024-06-02",
			body: "What is a persona? A user model.", links: []string{"wikilink:Lonely Note"}},
	}
	docs := make([]index.Doc, len(notes))
	for i, n := range notes {
		docs[i] = n.doc()
	}
	return docs
}

func fixtureCatalog(t testing.TB) *memcat.Catalog {
	t.Helper()
	c, err := memcat.New(fixture())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var testOpts = &query.Options{Now: testNow}
