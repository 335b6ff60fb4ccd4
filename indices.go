package kotadb

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/index/graph"
	"github.com/kotadb/kotadb/index/search"
	"github.com/kotadb/kotadb/internal/vfs"
	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// The derived indices live in a folder beside the database file
// (kotadb.db → kotadb.db.index/), one sub-folder per index kind:
//
//	search/  the segment index (index/search): text, trigrams, keyword
//	         and numeric fields; its manifest records the store seq it covers
//	graph/   the link graph snapshot (index/graph), with its own seq
//
// Both are rebuilt from the store's change log, never from the files, and
// each replays only the changes after the seq it has persisted. Deleting
// the folder is always safe: the next open rebuilds it.
func indexDir(dbPath string) string { return dbPath + ".index" }

// indices are the derived indices of a writable DB, opened on first use.
type indices struct {
	search *search.Index
	// graph is nil until something needs the link graph: loading it
	// resolves every link, which would dominate the open time of a
	// plain search.
	graph *graph.Graph
	texts *textCache
}

// replayBatch is how many changes are handed to the indices at once while
// catching up with the store.
const replayBatch = 512

// openIndices opens (creating if needed) the derived indices, the link
// graph only withGraph, and catches them up with the store. Only a writable
// DB has indices: catching up writes index files, and the store's write
// lock is what keeps two processes from writing them at once.
func (db *DB) openIndices(withGraph bool) (*indices, error) {
	db.idxMu.Lock()
	defer db.idxMu.Unlock()
	if db.readOnly {
		return nil, fmt.Errorf("search needs the database opened for writing (the indices catch up with the store): %w", ErrReadOnly)
	}
	dir := indexDir(db.Path())
	ix := db.idx
	if ix == nil {
		texts := newTextCache(db.st, 64<<20)
		si, err := search.Open(vfs.OS, dir+"/search", search.Options{TextSource: texts.get})
		if err != nil {
			return nil, fmt.Errorf("open indices: %w (delete %s to rebuild it from the store)", err, dir)
		}
		ix = &indices{search: si, texts: texts}
	}
	if withGraph && ix.graph == nil {
		g, err := graph.Open(dir + "/graph")
		if err != nil {
			if db.idx == nil {
				ix.close()
			}
			return nil, fmt.Errorf("open indices: %w (delete %s to rebuild it from the store)", err, dir)
		}
		ix.graph = g
	}
	if err := db.catchUp(ix); err != nil {
		if db.idx == nil {
			ix.close()
		}
		return nil, err
	}
	db.idx = ix
	return ix, nil
}

// refreshIndices brings open indices up to date after a write; indices
// that are not open yet catch up when they are opened.
func (db *DB) refreshIndices() error {
	db.idxMu.Lock() // held so that the graph is not opened meanwhile
	defer db.idxMu.Unlock()
	if db.idx == nil {
		return nil
	}
	return db.catchUp(db.idx)
}

// catchUp replays the store's change log after the older of the two
// indices' seqs; each index skips what it already has.
func (db *DB) catchUp(ix *indices) error {
	db.catchMu.Lock()
	defer db.catchMu.Unlock()
	from := ix.search.Seq()
	if ix.graph != nil {
		from = min(from, ix.graph.Seq())
	}
	if from >= db.st.LastSeq() {
		return nil
	}
	batch := make([]index.Change, 0, replayBatch)
	apply := func() error {
		if err := applyAfter(ix.search.Seq(), batch, ix.search.Apply); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		if ix.graph != nil {
			if err := applyAfter(ix.graph.Seq(), batch, ix.graph.Apply); err != nil {
				return fmt.Errorf("graph index: %w", err)
			}
		}
		batch = batch[:0]
		return nil
	}
	err := db.st.Changes(from, func(v store.Version) error {
		c, err := db.change(v)
		if err != nil {
			return err
		}
		batch = append(batch, c)
		if len(batch) == replayBatch {
			return apply()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = apply()
	}
	if err != nil {
		return fmt.Errorf("update indices: %w", err)
	}
	return nil
}

// applyAfter hands an index the changes it has not seen yet.
func applyAfter(seq uint64, batch []index.Change, apply func([]index.Change) error) error {
	i := 0
	for i < len(batch) && batch[i].Seq <= seq {
		i++
	}
	if i == len(batch) {
		return nil
	}
	return apply(batch[i:])
}

// change turns a version of the change log into what the indices consume.
func (db *DB) change(v store.Version) (index.Change, error) {
	c := index.Change{Seq: v.Seq, Key: v.Key}
	if v.Op == store.OpDelete {
		c.Delete = true
		return c, nil
	}
	doc, err := db.indexDoc(v)
	if err != nil {
		return c, fmt.Errorf("%s@%d: %w", v.Key, v.Seq, err)
	}
	c.Doc = doc
	return c, nil
}

// indexDoc rebuilds the index.Doc of a stored version.
func (db *DB) indexDoc(v store.Version) (*index.Doc, error) {
	content, err := db.st.Blob(v.Hash)
	if err != nil {
		return nil, err
	}
	var meta []byte
	if v.Meta != (store.Hash{}) {
		if meta, err = db.st.Blob(v.Meta); err != nil {
			return nil, err
		}
	}
	return db.buildDoc(v, content, meta)
}

// docAt is the query catalog's DocSource: the index.Doc of key as it was
// at seq, for the values (frontmatter, tags, links) a query projects,
// sorts or aggregates.
func (db *DB) docAt(key string, seq uint64) (*index.Doc, error) {
	e, err := db.st.GetAtSeq(key, seq)
	if err != nil {
		return nil, err
	}
	return db.buildDoc(e.Version, e.Value, e.Meta)
}

// buildDoc makes the index.Doc of a version from its content and metadata.
// Markdown and text files are parsed again from their bytes, because the
// metadata JSON loses the frontmatter's types (dates, integers) that field
// indices need; the file times come from the stored metadata, so the result
// is what ingestion saw. JSON documents (put) index their top-level fields.
func (db *DB) buildDoc(v store.Version, content, metaJSON []byte) (*index.Doc, error) {
	var meta parse.Document
	if metaJSON != nil {
		if err := json.Unmarshal(metaJSON, &meta); err != nil {
			return nil, &CorruptionError{Path: db.Path(), Where: "meta of " + v.Key, Detail: "undecodable metadata", Err: err}
		}
	}
	collection := store.Collection(v.Key)
	rel := v.Key[len(collection)+1:]
	doc := &meta
	if meta.Kind != kindJSON {
		parsed, err := parse.Parse(parse.FileInfo{Path: rel, ModTime: meta.Updated, Birth: meta.Created}, content)
		if err != nil && !errors.Is(err, ErrBinary) {
			return nil, err
		}
		if parsed != nil {
			doc = parsed
		}
	}
	return toIndexDoc(v, collection, rel, doc, content), nil
}

// toIndexDoc maps the document model onto the indices' input.
func toIndexDoc(v store.Version, collection, rel string, d *parse.Document, content []byte) *index.Doc {
	out := &index.Doc{
		Key: v.Key, Seq: v.Seq, Collection: collection, Path: rel,
		Title: d.Title, Tags: d.Tags, Aliases: d.Aliases, Fields: d.Frontmatter,
		Created: d.Created, Updated: d.Updated,
		Text: content, BodyStart: d.Body, Lang: d.Lang,
	}
	for _, h := range d.Headings {
		out.Headings = append(out.Headings, index.Heading{Level: h.Level, Text: h.Text, Line: h.Line})
	}
	for _, l := range d.Links {
		out.Links = append(out.Links, index.Link{Kind: string(l.Kind), Target: l.Target, Heading: l.Heading, Line: l.Line})
	}
	return out
}

func (ix *indices) close() error {
	err := ix.search.Close()
	if ix.graph == nil {
		return err
	}
	if ferr := ix.graph.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	if cerr := ix.graph.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// textCache serves the raw text of indexed versions to the search engine
// (snippets, substring and regex verification). Segments keep no copy of
// the text, so without a cache every candidate would decompress its blob
// again. The cache is bounded; when full it starts over, which keeps it
// simple and is cheap compared with the work it saves.
type textCache struct {
	st    *store.Store
	limit int

	mu    sync.Mutex
	size  int
	texts map[textKey][]byte
}

type textKey struct {
	key string
	seq uint64
}

func newTextCache(st *store.Store, limit int) *textCache {
	return &textCache{st: st, limit: limit, texts: map[textKey][]byte{}}
}

func (c *textCache) get(key string, seq uint64) ([]byte, error) {
	k := textKey{key, seq}
	c.mu.Lock()
	t, ok := c.texts[k]
	c.mu.Unlock()
	if ok {
		return t, nil
	}
	e, err := c.st.GetAtSeq(key, seq)
	if err != nil {
		return nil, err
	}
	if e.Seq != seq {
		return nil, fmt.Errorf("text of %s@%d: the store has version %d there: %w", key, seq, e.Seq, ErrNotFound)
	}
	c.mu.Lock()
	if c.size+len(e.Value) > c.limit {
		clear(c.texts)
		c.size = 0
	}
	c.texts[k] = e.Value
	c.size += len(e.Value)
	c.mu.Unlock()
	return e.Value, nil
}
