package ingest

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// committer is the single goroutine that owns the Summary and the store
// writes of a run.
type committer struct {
	st   *store.Store
	opts Options
	sum  *Summary

	prior map[string]store.FileState
	// present holds the prior keys this run confirmed (seen on disk) or must
	// keep (unreadable); the other prior keys are deleted at the end.
	present map[string]bool
	// unreadable holds directories (relative paths) that could not be read.
	unreadable map[string]bool
	// byHash indexes the prior keys by content hash to find moves.
	byHash map[store.Hash][]string
	// deferred are added files whose content matches a prior key: moves if
	// that key turns out to be gone, plain adds otherwise.
	deferred []result

	// trained is closed once the collection's dictionary (if one is being
	// trained) is ready; nothing is committed before.
	trained <-chan struct{}

	// taken, when set, is called with each result as it is taken from
	// the queue (the workers' byte budget).
	taken func(result)

	writes  []pendingWrite
	bytes   int
	pending batchCounts
}

// pendingWrite is a write of the open batch, prepared by a worker or not
// yet (see flush).
type pendingWrite struct {
	w        store.Write
	prepared *store.PreparedWrite
	parsed   *parse.Document // w.Value's document, for OnParsed
}

// batchCounts are counted into the Summary once their batch is committed.
type batchCounts struct{ added, changed, moved, deleted int }

func newCommitter(st *store.Store, opts Options, prior map[string]store.FileState, sum *Summary, trained <-chan struct{}) *committer {
	c := &committer{st: st, opts: opts, sum: sum, prior: prior, trained: trained,
		present: make(map[string]bool, len(prior)), unreadable: map[string]bool{},
		byHash: make(map[store.Hash][]string, len(prior))}
	for key, st := range prior {
		c.byHash[st.Hash] = append(c.byHash[st.Hash], key)
	}
	return c
}

// consume handles results until the channel closes or ctx is cancelled.
func (c *committer) consume(ctx context.Context, results <-chan result) error {
	for r := range results {
		if c.taken != nil {
			c.taken(r)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.handle(r); err != nil {
			return err
		}
	}
	return nil
}

func (c *committer) handle(r result) error {
	if r.outcome == outUnreadableDir {
		c.unreadable[r.rel] = true
		c.sum.Seen++
		c.sum.skipped(SkipUnreadable)
		c.sum.warn(warningFor(r.rel+"/", r.err))
		return nil
	}
	if r.outcome == outVanished {
		return nil
	}
	c.sum.Seen++
	if r.read {
		c.sum.Read++
		c.sum.Bytes += r.state.Size
	}
	if c.opts.Progress != nil && !r.walked {
		c.opts.Progress.Add(1) // one per file counted in SetTotal
	}
	_, known := c.prior[r.key]
	switch r.outcome {
	case outUnchanged:
		c.present[r.key] = true
		c.sum.Unchanged++
		return nil
	case outTouched:
		c.present[r.key] = true
		c.sum.Unchanged++
		if r.state == c.prior[r.key] {
			return nil
		}
		return c.add(pendingWrite{w: store.Write{Key: r.key, File: &r.state}}, 0, nil)
	case outSkipped:
		c.sum.skipped(r.reason)
		if r.reason == SkipUnreadable || r.reason == SkipParseFailure {
			c.sum.warn(warningFor(r.rel, r.err))
		}
		// A file that cannot be read now may still be what the store has:
		// keep it. One that is now binary or too large is no longer indexed.
		if known && r.reason == SkipUnreadable {
			c.present[r.key] = true
			c.sum.Kept++
		}
		return nil
	}
	for _, w := range r.warns {
		c.sum.warn(w)
	}
	if r.outcome == outChanged {
		c.present[r.key] = true
		return c.add(pendingWrite{w: r.put(), prepared: r.prepared, parsed: r.parsed},
			len(r.value), func(b *batchCounts) { b.changed++ })
	}
	if len(c.byHash[r.state.Hash]) > 0 {
		c.deferred = append(c.deferred, r)
		return nil
	}
	return c.addPut(r)
}

func (c *committer) addPut(r result) error {
	return c.add(pendingWrite{w: r.put(), prepared: r.prepared, parsed: r.parsed},
		len(r.value), func(b *batchCounts) { b.added++ })
}

// add queues a write and commits the batch when it is full.
func (c *committer) add(w pendingWrite, size int, count func(*batchCounts)) error {
	c.writes = append(c.writes, w)
	c.bytes += size
	if count != nil {
		count(&c.pending)
	}
	if len(c.writes) >= c.opts.BatchDocs || c.bytes >= c.opts.BatchBytes {
		return c.flush()
	}
	return nil
}

func (c *committer) flush() error {
	if len(c.writes) == 0 {
		return nil
	}
	<-c.trained
	batch, err := c.prepare()
	if err != nil {
		return fmt.Errorf("commit a batch of %d writes: %w", len(c.writes), err)
	}
	versions, err := c.st.ApplyPrepared(c.opts.Author, batch)
	if err != nil {
		return fmt.Errorf("commit a batch of %d writes: %w", len(c.writes), err)
	}
	c.sum.Added += c.pending.added
	c.sum.Changed += c.pending.changed
	c.sum.Moved += c.pending.moved
	c.sum.Deleted += c.pending.deleted
	c.pending = batchCounts{}
	var parsed []Parsed
	if c.opts.OnParsed != nil {
		parsed = c.parsedOf(versions)
	}
	clear(c.writes) // drop the references to file contents
	c.writes, c.bytes = c.writes[:0], 0
	if c.opts.OnParsed != nil && len(parsed) > 0 {
		c.opts.OnParsed(parsed)
	}
	if c.opts.OnBatch != nil {
		c.opts.OnBatch(versions)
	}
	return nil
}

// parsedOf pairs the puts of the committed batch that carry their document
// with the versions they made. A put that made no version (same content
// and times as the key's head) is not in versions; matching by key and
// content hash keeps a version from ever getting another write's document.
func (c *committer) parsedOf(versions []store.Version) []Parsed {
	byKey := make(map[string]*pendingWrite, len(c.writes))
	for i := range c.writes {
		if w := &c.writes[i]; w.parsed != nil && w.w.Op == store.OpPut {
			byKey[w.w.Key] = w
		}
	}
	var out []Parsed
	for _, v := range versions {
		w := byKey[v.Key]
		if w == nil || v.Op != store.OpPut || v.Hash != w.w.File.Hash {
			continue
		}
		out = append(out, Parsed{Version: v, Doc: w.parsed, Content: w.w.Value})
	}
	return out
}

// prepare returns the open batch prepared, preparing (on all cores) the
// writes the workers did not: those read before the dictionary was ready,
// moves, deletes and file states.
func (c *committer) prepare() ([]store.PreparedWrite, error) {
	var todo []store.Write
	for _, w := range c.writes {
		if w.prepared == nil {
			todo = append(todo, w.w)
		}
	}
	var done []store.PreparedWrite
	if len(todo) > 0 {
		var err error
		if done, err = c.st.PrepareAll(todo); err != nil {
			return nil, err
		}
	}
	batch := make([]store.PreparedWrite, len(c.writes))
	for i, w := range c.writes {
		if w.prepared != nil {
			batch[i] = *w.prepared
		} else {
			batch[i], done = done[0], done[1:]
		}
	}
	return batch, nil
}

// finish runs once the whole folder has been seen: it turns the prior keys
// not found into moves (when a deferred added file has their content) and
// deletes, and commits the last batch.
func (c *committer) finish() error {
	gone := map[string]bool{}
	for key := range c.prior {
		if c.present[key] {
			continue
		}
		if underAny(key[len(c.sum.Collection)+1:], c.unreadable) {
			c.sum.Kept++
			continue
		}
		gone[key] = true
	}
	slices.SortFunc(c.deferred, func(a, b result) int { return strings.Compare(a.key, b.key) })
	for _, r := range c.deferred {
		from := c.moveSource(r, gone)
		if from == "" {
			if err := c.addPut(r); err != nil {
				return err
			}
			continue
		}
		delete(gone, from)
		w := store.Write{Op: store.OpMove, Key: r.key, From: from, Value: r.value, Doc: r.doc, File: &r.state}
		if err := c.add(pendingWrite{w: w}, len(r.value), func(b *batchCounts) { b.moved++ }); err != nil {
			return err
		}
	}
	for _, key := range slices.Sorted(maps.Keys(gone)) {
		if err := c.add(pendingWrite{w: store.Write{Op: store.OpDelete, Key: key}}, 0, func(b *batchCounts) { b.deleted++ }); err != nil {
			return err
		}
	}
	return c.flush()
}

// moveSource picks the gone key an added file was moved from: one with the
// same content, preferring the same base name (a move to another folder),
// then the first in key order.
func (c *committer) moveSource(r result, gone map[string]bool) string {
	var best string
	for _, key := range c.byHash[r.state.Hash] {
		if !gone[key] {
			continue
		}
		sameName := path.Base(key) == path.Base(r.key)
		switch {
		case best == "":
			best = key
		case sameName && path.Base(best) != path.Base(r.key):
			best = key
		case sameName == (path.Base(best) == path.Base(r.key)) && key < best:
			best = key
		}
	}
	return best
}
