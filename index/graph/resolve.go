package graph

import (
	"net/url"
	"path"
	"slices"
	"strings"
)

// resolveLink finds the document a link of src points to, or "".
//
// Wikilinks, embeds and frontmatter links resolve the way Obsidian does:
// case-insensitively, first as a path from the collection root, then by note
// name (the file name without .md; `[[a/b]]` keeps only notes whose path
// ends in a/b), then by frontmatter alias. When several notes qualify, one in
// the source's folder wins, else the one with the shortest path.
//
// Markdown links are paths relative to the source's folder (or to the
// collection root when they start with '/'), URL-decoded, with .md optional;
// a link to a folder finds its index.md, _index.md or README.md. When that
// finds nothing they fall back to wikilink resolution, as Obsidian does for
// links written with "shortest path when possible".
func (g *Graph) resolveLink(src *node, l link) string {
	target := strings.TrimSpace(l.target)
	if l.kind == Markdown {
		target = decodeTarget(target)
		if isURL(target) {
			return ""
		}
		if key := g.resolveRelative(src, target); key != "" {
			return key
		}
	}
	if target == "" {
		return src.key // [[#Heading]] links into the note itself
	}
	return g.resolveName(src.coll, path.Dir(src.path), target)
}

// decodeTarget URL-decodes a markdown link target and drops its query
// string; a target that is not valid percent-encoding is kept as written.
func decodeTarget(t string) string {
	if i := strings.IndexByte(t, '?'); i >= 0 {
		t = t[:i]
	}
	if d, err := url.PathUnescape(t); err == nil {
		return d
	}
	return t
}

// isURL reports whether a markdown link target leaves the collection.
func isURL(t string) bool {
	return strings.Contains(t, "://") || strings.HasPrefix(strings.ToLower(t), "mailto:")
}

func (g *Graph) resolveRelative(src *node, target string) string {
	if target == "" {
		return ""
	}
	var p string
	if strings.HasPrefix(target, "/") {
		p = path.Clean(target[1:])
	} else {
		p = path.Join(path.Dir(src.path), target)
	}
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return ""
	}
	for _, cand := range []string{p, p + "/index", p + "/_index", p + "/readme"} {
		if key := g.byExactPath(src.coll, cand); key != "" {
			return key
		}
	}
	return ""
}

// byExactPath finds the note at p (with or without .md), preferring an exact
// match of case when notes differ only by case.
func (g *Graph) byExactPath(coll, p string) string {
	keys := g.byPath[scoped{coll, strings.ToLower(p)}]
	switch len(keys) {
	case 0:
		return ""
	case 1:
		return keys[0]
	}
	for _, k := range keys {
		if np := g.nodes[k].path; np == p || strings.TrimSuffix(np, ".md") == p {
			return k
		}
	}
	return keys[0]
}

// resolveName resolves a wikilink-style target within coll for a source in
// folder dir ("" when there is no source, as for a query's note reference).
func (g *Graph) resolveName(coll, dir, target string) string {
	raw := strings.Trim(strings.TrimSpace(target), "/")
	if raw == "" {
		return ""
	}
	if key := g.byExactPath(coll, raw); key != "" {
		return key
	}
	t := strings.ToLower(raw)
	name := noteName(t)
	cands := g.byName[scoped{coll, name}]
	if strings.Contains(t, "/") {
		suffix := "/" + strings.TrimSuffix(t, path.Base(t)) + name
		var kept []string
		for _, k := range cands {
			if strings.HasSuffix(g.nodes[k].folderName, suffix) {
				kept = append(kept, k)
			}
		}
		cands = kept
	}
	if len(cands) == 0 {
		cands = g.byAlias[scoped{coll, t}]
	}
	return g.pick(cands, dir)
}

// pick chooses among notes that share a name: one in the source's folder,
// else the shortest path (fewest folders, then fewest bytes, then bytewise
// order so that the choice does not depend on insertion order).
func (g *Graph) pick(cands []string, dir string) string {
	switch len(cands) {
	case 0:
		return ""
	case 1:
		return cands[0]
	}
	if dir != "" {
		for _, k := range cands {
			if path.Dir(g.nodes[k].path) == dir {
				return k
			}
		}
	}
	return slices.MinFunc(cands, func(a, b string) int {
		pa, pb := g.nodes[a].path, g.nodes[b].path
		if c := strings.Count(pa, "/") - strings.Count(pb, "/"); c != 0 {
			return c
		}
		if c := len(pa) - len(pb); c != 0 {
			return c
		}
		return strings.Compare(pa, pb)
	})
}

// Resolve finds the notes a reference from a query names: a full key
// ("collection/path"), a path or a note name as in a wikilink (`[[Name]]`,
// with or without the brackets) or an alias, in every collection. The result
// is sorted; it is empty when nothing matches.
func (g *Graph) Resolve(ref string) []string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, "[[") && strings.HasSuffix(ref, "]]") {
		ref = strings.TrimSpace(ref[2 : len(ref)-2])
	}
	if i := strings.IndexByte(ref, '|'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.IndexByte(ref, '#'); i > 0 {
		ref = ref[:i]
	}
	if ref == "" {
		return nil
	}
	if _, ok := g.nodes[ref]; ok {
		return []string{ref}
	}
	var out []string
	for coll := range g.colls {
		if key := g.resolveName(coll, "", ref); key != "" {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}
