package kotadb

import (
	"errors"
	"fmt"
	"runtime"
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

// A chunk, what a catch-up worker takes at a time and the applier hands
// the indices at once, ends at replayChunk changes or replayChunkBytes of
// content. An analyzed document is about eight times its text, so what is
// in flight (about two chunks per core) is kept small.
const (
	replayChunk      = 16
	replayChunkBytes = 64 << 10
)

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
	if err := db.replay(ix, from); err != nil {
		return fmt.Errorf("update indices: %w", err)
	}
	return nil
}

// chunk is a run of consecutive changes on its way through replay.
type chunk struct {
	versions []store.Version
	bytes    int64 // content size of the versions
	changes  []index.Change
	prepared []*search.Prepared
	err      error
	done     chan struct{} // closed when changes and prepared (or err) are set
}

// replay feeds the indices the changes after from as a pipeline: one
// goroutine reads the log in chunks, one worker per core turns each
// version into a document (the one Index parsed for it, see parsedDocs, or
// else read and decompress the blob and parse it again)
// and analyzes it for the search index, and the calling goroutine applies
// the chunks in log order. The chunks in flight are bounded, so memory
// does not grow with the log. The indices see exactly what a one-by-one
// replay would give them.
func (db *DB) replay(ix *indices, from uint64) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	todo := make(chan *chunk, workers)
	ordered := make(chan *chunk, workers)
	quit := make(chan struct{})
	searchSeq := ix.search.Seq()
	var wg sync.WaitGroup
	var readErr error // set by the reader before it closes ordered
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(todo)
		defer close(ordered)
		var cur *chunk
		send := func() error {
			for _, ch := range []chan *chunk{ordered, todo} {
				select {
				case ch <- cur:
				case <-quit:
					return errStopReplay
				}
			}
			cur = nil
			return nil
		}
		err := db.st.Changes(from, func(v store.Version) error {
			if cur == nil {
				cur = &chunk{done: make(chan struct{})}
			}
			cur.versions = append(cur.versions, v)
			cur.bytes += v.Size
			if len(cur.versions) == replayChunk || cur.bytes >= replayChunkBytes {
				return send()
			}
			return nil
		})
		if err == nil && cur != nil {
			err = send()
		}
		if err != nil && err != errStopReplay {
			readErr = err
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var an search.Analyzer
			for c := range todo {
				select {
				case <-quit:
				default:
					c.err = db.prepareChunk(c, searchSeq, &an)
				}
				close(c.done)
			}
		}()
	}
	var gf *graphFeed
	if ix.graph != nil {
		gf = startGraphFeed(ix.graph)
	}
	var err error
	for c := range ordered {
		if err != nil {
			continue // drain: the reader stops at quit
		}
		<-c.done
		if err = c.err; err == nil {
			err = ix.applySearch(c)
		}
		if err == nil && gf != nil {
			gf.send(c.changes)
		}
		if err != nil {
			close(quit)
		}
	}
	wg.Wait()
	if gf != nil {
		if gerr := gf.close(); err == nil {
			err = gerr
		}
	}
	if err == nil {
		err = readErr
	}
	return err
}

var errStopReplay = errors.New("replay stopped")

// prepareChunk builds the changes of a chunk's versions and analyzes the
// documents the search index has not seen (those at or below searchSeq
// are only replayed for the graph).
func (db *DB) prepareChunk(c *chunk, searchSeq uint64, an *search.Analyzer) error {
	c.changes = make([]index.Change, len(c.versions))
	c.prepared = make([]*search.Prepared, len(c.versions))
	for i, v := range c.versions {
		ch, err := db.change(v)
		if err != nil {
			return err
		}
		c.changes[i] = ch
		if ch.Doc != nil && v.Seq > searchSeq {
			c.prepared[i] = an.Prepare(ch.Doc)
		}
	}
	c.versions = nil
	return nil
}

// applySearch hands a chunk to the search index, skipping what it has.
func (ix *indices) applySearch(c *chunk) error {
	seq := ix.search.Seq()
	i := 0
	for i < len(c.changes) && c.changes[i].Seq <= seq {
		i++
	}
	if i < len(c.changes) {
		if err := ix.search.ApplyPrepared(c.changes[i:], c.prepared[i:]); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	c.prepared = nil
	return nil
}

// graphBatch is how many changes the link graph takes at once. Apply
// re-resolves every link that a name the batch adds or removes could
// satisfy, so in a bulk build (where "index" or "readme" come back in every
// batch) small batches would resolve the same links over and over.
const graphBatch = 512

// graphFeed applies changes to the link graph on a goroutine of its own,
// beside the search index, in batches of graphBatch.
type graphFeed struct {
	g     *graph.Graph
	in    chan []index.Change
	done  chan struct{}
	err   error // set before done is closed
	batch []index.Change
}

func startGraphFeed(g *graph.Graph) *graphFeed {
	f := &graphFeed{g: g, in: make(chan []index.Change, 4), done: make(chan struct{})}
	go f.run()
	return f
}

// send queues changes, keeping of their documents only what the graph
// reads (not the text).
func (f *graphFeed) send(changes []index.Change) {
	slim := make([]index.Change, len(changes))
	for i, c := range changes {
		slim[i] = c
		if d := c.Doc; d != nil {
			slim[i].Doc = &index.Doc{Key: d.Key, Seq: d.Seq, Collection: d.Collection, Path: d.Path, Aliases: d.Aliases, Links: d.Links}
		}
	}
	f.in <- slim
}

func (f *graphFeed) run() {
	defer close(f.done)
	for cs := range f.in {
		if f.err != nil {
			continue
		}
		f.batch = append(f.batch, cs...)
		if len(f.batch) >= graphBatch {
			f.flush()
		}
	}
	if f.err == nil {
		f.flush()
	}
}

func (f *graphFeed) flush() {
	if len(f.batch) == 0 {
		return
	}
	if err := applyAfter(f.g.Seq(), f.batch, f.g.Apply); err != nil {
		f.err = fmt.Errorf("graph index: %w", err)
	}
	clear(f.batch)
	f.batch = f.batch[:0]
}

// close applies what is queued and returns the first error.
func (f *graphFeed) close() error {
	close(f.in)
	<-f.done
	return f.err
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
	doc, ok, err := db.parsedIndexDoc(v)
	if err == nil && !ok {
		doc, err = db.indexDoc(v)
	}
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

// buildDoc makes the index.Doc of a version from its content and metadata:
// the document DB.Document derives (document.go), so a query sees what
// `get --meta` shows. A value stored without a document (through the
// store directly) is parsed as a file without times.
func (db *DB) buildDoc(v store.Version, content, metaJSON []byte) (*index.Doc, error) {
	collection := store.Collection(v.Key)
	rel := v.Key[len(collection)+1:]
	doc, err := documentOf(db.Path(), v, content, metaJSON)
	if err != nil {
		return nil, err
	}
	if doc == nil {
		if doc, err = parse.Parse(parse.FileInfo{Path: rel}, content); err != nil && !errors.Is(err, ErrBinary) {
			return nil, err
		}
		if doc == nil {
			doc = &parse.Document{}
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

// close flushes and closes the indices. The graph's snapshot is written
// while the search index writes its last segment: both end with fsyncs.
func (ix *indices) close() error {
	var gerr error
	var wg sync.WaitGroup
	if ix.graph != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gerr = ix.graph.Flush()
			if cerr := ix.graph.Close(); gerr == nil {
				gerr = cerr
			}
		}()
	}
	err := ix.search.Close()
	wg.Wait()
	if err == nil {
		err = gerr
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
