package search

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/query"
)

// Per-document values. The units store each version's key, title, seq and
// body offset, and the numeric doc values hold created and updated; those
// answer Value directly. Everything else (tags, aliases, links, language,
// frontmatter) is read from the document, rebuilt at most once per catalog:
// sorting, projecting and aggregating touch few documents, so keeping
// another copy of the frontmatter in every segment is not worth it.

// docLoader rebuilds the indexed version key@seq; text is the version's
// text when the unit still holds it (heads), else nil.
type docLoader func(m docMeta, text []byte) (*index.Doc, error)

// Value implements query.Catalog with the names of query.DocValue.
func (c *QueryCatalog) Value(id query.DocID, name string) (any, bool) {
	if !c.begin() {
		return nil, false
	}
	defer c.end()
	return c.value(id, name)
}

func (c *QueryCatalog) value(id query.DocID, name string) (any, bool) {
	if !c.live.Contains(id) {
		return nil, false
	}
	switch name {
	case "key", "collection", "path", "folder", "title":
		m, ok := c.meta(id)
		if !ok {
			return nil, false
		}
		coll, rel := splitKey(m.key)
		switch name {
		case "key":
			return m.key, true
		case "collection":
			return coll, true
		case "path":
			return rel, true
		case "folder":
			return query.Folder(rel), true
		}
		return m.title, m.title != ""
	case NumericCreated, NumericUpdated:
		f := c.timeOf(name, id)
		if math.IsNaN(f) {
			return nil, false
		}
		return query.NumberTime(f), true
	}
	d := c.doc(id)
	if d == nil {
		return nil, false
	}
	return query.DocValue(d, name)
}

// splitKey splits a key into its collection and the path inside it, as
// the store does.
func splitKey(key string) (collection, rel string) {
	if c, r, ok := strings.Cut(key, "/"); ok {
		return c, r
	}
	return "", key
}

// meta returns the stored info of a document.
func (c *QueryCatalog) meta(id query.DocID) (docMeta, bool) {
	vi, local, ok := c.locate(id)
	if !ok {
		return docMeta{}, false
	}
	var m docMeta
	var err error
	c.read(func() { m, err = c.snap.views[vi].r.docMeta(local) })
	if err != nil {
		c.noteErr(fmt.Errorf("search catalog: %w", err))
		return docMeta{}, false
	}
	return m, true
}

// timeOf returns the created or updated doc value of a document (NaN when
// it has none). The first call reads the whole column of every unit.
func (c *QueryCatalog) timeOf(field string, id query.DocID) float64 {
	cols, ok := c.times[field]
	if !ok {
		cols = make([][]float64, len(c.snap.views))
		c.read(func() {
			for vi := range c.snap.views {
				v := &c.snap.views[vi]
				col := make([]float64, v.limit)
				for i := range col {
					col[i] = math.NaN()
				}
				v.r.numeric(field, func(d uint32, x float64) {
					if d < v.limit {
						col[d] = x
					}
				})
				cols[vi] = col
			}
		})
		c.times[field] = cols
	}
	vi, local, ok := c.locate(id)
	if !ok {
		return math.NaN()
	}
	return cols[vi][local]
}

// doc returns the indexed document of id, rebuilding it on first use; nil
// when it cannot be rebuilt (the error is kept for Err).
func (c *QueryCatalog) doc(id query.DocID) *index.Doc {
	if d, ok := c.full[id]; ok {
		return d
	}
	vi, local, ok := c.locate(id)
	if !ok {
		return nil
	}
	var m docMeta
	var text []byte
	var err error
	c.read(func() {
		v := &c.snap.views[vi]
		if m, err = v.r.docMeta(local); err == nil && v.hd != nil {
			text, _ = v.hd.text(local) // nil: from the text source
		}
	})
	var d *index.Doc
	if err == nil {
		d, err = c.docs(m, text)
	}
	if err == nil && d.Key != m.key {
		err = fmt.Errorf("document source returned %q for %s@%d", d.Key, m.key, m.seq)
	}
	if err != nil {
		c.noteErr(fmt.Errorf("search catalog: rebuilding %s@%d: %w", m.key, m.seq, err))
		d = nil
	}
	c.full[id] = d
	return d
}

// fromSource adapts a DocSource: it is asked for every version.
func fromSource(src DocSource) docLoader {
	return func(m docMeta, _ []byte) (*index.Doc, error) {
		if src == nil {
			return nil, errors.New("no document source")
		}
		d, err := src(m.key, m.seq)
		if err == nil && d == nil {
			err = errors.New("document source returned no document")
		}
		return d, err
	}
}

// parsedDocs rebuilds documents by parsing their text (from the head, else
// from textSource) the way ingestion does. The stored title and body offset
// are kept as indexed; file times are not in the text, so created and
// updated come from the doc values (catalog.value), not from here.
func parsedDocs(textSource func(key string, seq uint64) ([]byte, error)) docLoader {
	return func(m docMeta, text []byte) (*index.Doc, error) {
		if text == nil {
			if textSource == nil {
				return nil, errors.New("no text source for versions flushed to segments")
			}
			var err error
			if text, err = textSource(m.key, m.seq); err != nil {
				return nil, err
			}
		}
		coll, rel := splitKey(m.key)
		d := &index.Doc{Key: m.key, Seq: m.seq, Collection: coll, Path: rel, Title: m.title,
			Text: text, BodyStart: m.bodyStart, Lang: parse.Language(rel)}
		pd, err := parse.Parse(parse.FileInfo{Path: rel}, text)
		if errors.Is(err, errs.ErrBinary) {
			return d, nil
		}
		if err != nil {
			return nil, err
		}
		d.Tags, d.Aliases, d.Fields, d.Lang = pd.Tags, pd.Aliases, pd.Frontmatter, pd.Lang
		for _, h := range pd.Headings {
			d.Headings = append(d.Headings, index.Heading{Level: h.Level, Text: h.Text, Line: h.Line})
		}
		for _, l := range pd.Links {
			d.Links = append(d.Links, index.Link{Kind: string(l.Kind), Target: l.Target, Heading: l.Heading, Line: l.Line})
		}
		return d, nil
	}
}
