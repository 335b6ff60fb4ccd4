// Package search is kotadb's full-text search engine: an in-memory head of
// recent changes plus immutable segment files (like Lucene, Bleve scorch or
// zoekt), a manifest naming the live segments, background tiered merges and
// BM25F ranking with typo tolerance, prefix expansion, phrases, snippets and
// explanations.
//
// The index is derived from the store's change log: Apply feeds it changes
// (searchable at once), Flush makes them durable, and after a crash Open
// returns the index as of Seq() so the caller replays the store's changes
// after it. Every indexed document version keeps the store seq from which
// it is live, and dead versions keep the seq at which they stopped, so
// history is never lost by flushes or merges.
package search

import (
	"fmt"
	"path"
	"sync"
	"sync/atomic"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/index"
	"github.com/kotadb/kotadb/internal/vfs"
)

// Index is a search index in a directory. Its methods are safe for
// concurrent use; searches never wait for flushes or merges.
type Index struct {
	fs   vfs.FS
	dir  string
	opts Options

	// commitMu serializes the writers of files named by the manifest
	// (flushes and merge commits). It is taken before mu.
	commitMu sync.Mutex

	// mu guards the fields below. It is never held during I/O.
	mu         sync.Mutex
	seq        uint64 // highest store seq applied
	durableSeq uint64 // seq of the manifest on disk
	nextFile   uint64
	openFile   uint64      // nextFile at Open: segments this session wrote have ids from it on
	segs       []*segUnit  // oldest first
	frozen     []*headUnit // heads being flushed, oldest first
	active     *headUnit
	snap       *snapshot
	closed     bool
	bgErr      error

	work chan struct{} // wakes the background worker
	quit chan struct{}
	wg   sync.WaitGroup

	flushes atomic.Uint64
	merges  atomic.Uint64

	// The leftovers of a crash (see removeStrays) are swept once, before
	// the first file this session writes, or at Close: files named by the
	// manifest read at Open (strays) are then the only ones of the
	// directory that are not leftovers. Every writer of files calls sweep
	// first: flushLocked, the merges that kickMerge and Close start. An
	// Index without a worker, whose tests run merges themselves, sweeps at
	// Open.
	sweepOnce sync.Once
	strays    *manifest // the manifest read at Open, until the sweep
	sweepErr  error

	// room is signalled (with mu) when the active head was frozen for a
	// flush, or flushing stopped: Apply waits on it while the head is far
	// over its budget (see mustWait). Made on first use.
	room     *sync.Cond
	flushing bool // a flush is writing frozen heads (guarded by mu)
	merger   bool // a kickMerge goroutine is running (guarded by mu)
	workerOn bool // the worker was started (guarded by mu), see wake
}

// segUnit is a live segment with its tombstones.
type segUnit struct {
	seg       *segment
	dead      *deadSet          // published dead set
	ends      map[uint32]uint64 // end seq of each dead doc
	delGen    uint64            // generation of the tombstone file on disk, 0: none
	persisted *deadSet          // the dead set that file holds
	merging   bool              // picked by a running merge
}

// headUnit is a head with its tombstones.
type headUnit struct {
	h    *head
	dead *deadSet
	ends map[uint32]uint64
}

// newHeadUnit makes an empty head; it keeps its documents' texts only
// when they cannot be read from a TextSource.
func (idx *Index) newHeadUnit() *headUnit {
	h := newLazyHead()
	h.keepText = idx.opts.TextSource == nil
	return &headUnit{h: h, dead: &deadSet{}, ends: map[uint32]uint64{}}
}

// Open opens (or creates) the index in dir. It reads only the manifest,
// the segments' tables of contents and their tombstones; the caller then
// replays the store's changes after Seq() with Apply.
func Open(fsys vfs.FS, dir string, opts Options) (*Index, error) {
	if err := fsys.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("search index: create %s: %w", dir, err)
	}
	m, err := readManifest(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	idx := &Index{
		fs: fsys, dir: dir, opts: opts.withDefaults(),
		seq: m.seq, durableSeq: m.seq, nextFile: m.nextFile, openFile: m.nextFile,
		work: make(chan struct{}, 1),
		quit: make(chan struct{}),
	}
	idx.active = idx.newHeadUnit()
	for _, ms := range m.segments {
		u, err := idx.openSegUnit(ms)
		if err != nil {
			for _, u := range idx.segs {
				u.seg.close()
			}
			return nil, fmt.Errorf("search index: %w", err)
		}
		idx.segs = append(idx.segs, u)
	}
	idx.strays = m
	if idx.opts.noWorker {
		if err := idx.sweep(); err != nil {
			for _, u := range idx.segs {
				u.seg.close()
			}
			return nil, fmt.Errorf("search index: %w", err)
		}
	}
	idx.publish()
	return idx, nil
}

func (idx *Index) openSegUnit(ms manifestSegment) (*segUnit, error) {
	seg, err := openSegment(idx.fs, path.Join(idx.dir, segmentFile(ms.id)), ms.id)
	if err != nil {
		return nil, err
	}
	if seg.numDocs != ms.numDocs || seg.minSeq != ms.minSeq || seg.maxSeq != ms.maxSeq {
		seg.close()
		return nil, errs.Corruptf(seg.path, "manifest", "segment has %d docs, seqs %d..%d; manifest says %d docs, %d..%d",
			seg.numDocs, seg.minSeq, seg.maxSeq, ms.numDocs, ms.minSeq, ms.maxSeq)
	}
	seg.refs.Store(1) // the index's own reference
	u := &segUnit{seg: seg, dead: &deadSet{}, ends: map[uint32]uint64{}, delGen: ms.delGen}
	if ms.delGen > 0 {
		t, err := readTombstones(idx.fs, path.Join(idx.dir, tombstoneFile(ms.id, ms.delGen)), ms.id, seg.numDocs)
		if err != nil {
			seg.close()
			return nil, err
		}
		it := t.docs.Iterator()
		for i := 0; it.HasNext(); i++ {
			doc := it.Next()
			u.dead.add(doc, seg.normsData)
			u.ends[doc] = t.ends[i]
		}
	}
	u.persisted = u.dead
	return u, nil
}

// Seq returns the highest store seq applied.
func (idx *Index) Seq() uint64 {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	return idx.seq
}

// Apply indexes changes, in seq order; changes at or below Seq() are
// skipped, so replaying the store's log after a crash is safe. The changes
// are searchable when Apply returns.
func (idx *Index) Apply(changes []index.Change) error {
	return idx.ApplyPrepared(changes, nil)
}

// ApplyPrepared is Apply with documents analyzed beforehand: prepared[i],
// when prepared is not nil, is Analyzer.Prepare of changes[i].Doc (nil for
// a delete, or to have Apply analyze it). Preparing on several goroutines
// is what makes a bulk build use every core.
func (idx *Index) ApplyPrepared(changes []index.Change, prepared []*Prepared) error {
	if prepared != nil && len(prepared) != len(changes) {
		return fmt.Errorf("search index: %d prepared documents for %d changes", len(prepared), len(changes))
	}
	for i := range changes {
		c := &changes[i]
		if c.Key == "" {
			return fmt.Errorf("search index: change %d has no key", c.Seq)
		}
		if !c.Delete && c.Doc == nil {
			return fmt.Errorf("search index: change %d for %q has no document", c.Seq, c.Key)
		}
		if !c.Delete && c.Doc.Key != c.Key {
			return fmt.Errorf("search index: change %d: document key %q differs from change key %q", c.Seq, c.Doc.Key, c.Key)
		}
		if i > 0 && c.Seq <= changes[i-1].Seq {
			return fmt.Errorf("search index: changes out of order: %d after %d", c.Seq, changes[i-1].Seq)
		}
	}
	idx.mu.Lock()
	for idx.mustWait() {
		if idx.room == nil {
			idx.room = sync.NewCond(&idx.mu)
		}
		idx.room.Wait()
	}
	if idx.closed {
		idx.mu.Unlock()
		return fmt.Errorf("search index: %w", errs.ErrClosed)
	}
	b := batch{idx: idx, dirty: map[*deadSet]*deadSet{}}
	act := idx.active
	act.h.mu.Lock()
	for i := range changes {
		c := &changes[i]
		if c.Seq <= idx.seq {
			continue
		}
		b.kill(c.Key, c.Seq)
		if !c.Delete {
			d := *c.Doc
			d.Seq = c.Seq
			if prepared != nil && prepared[i] != nil {
				act.h.addPrepared(&d, prepared[i])
			} else {
				act.h.add(&d)
			}
		}
		idx.seq = c.Seq
	}
	act.h.mu.Unlock()
	b.install()
	idx.publish()
	full := idx.headFull()
	idx.mu.Unlock()
	if full {
		idx.wake()
	}
	return nil
}

// headFull reports whether the active head should be flushed. The caller
// holds mu.
func (idx *Index) headFull() bool {
	h := idx.active.h
	return len(h.docs) >= idx.opts.FlushDocs || h.memBytes >= idx.opts.FlushBytes
}

// mustWait reports whether Apply should wait for the background worker
// because flushes fall behind the changes (a bulk build): the active head
// is half again over its budget, or a quarter of its budget while a frozen
// head is still being written. Waiting is what bounds the memory to about
// one and a quarter heads: the frozen head (with its flush's scratch) and
// the start of the next, which a flush of opentelemetry-docs, bigger once
// heads kept no texts, filled to a quarter before it ended (half a head
// would be 2.5 MiB more at the peak). Without a worker, or once flushing
// failed, nothing would free room: Apply goes on. The caller holds mu.
func (idx *Index) mustWait() bool {
	if idx.opts.noWorker || idx.closed || idx.bgErr != nil {
		return false
	}
	limit := idx.opts.FlushBytes + idx.opts.FlushBytes/2
	if idx.flushing {
		limit = idx.opts.FlushBytes / 4
	}
	return idx.active.h.memBytes >= limit
}

// signalRoom wakes the Applys waiting in mustWait. The caller holds mu.
func (idx *Index) signalRoom() {
	if idx.room != nil {
		idx.room.Broadcast()
	}
}

// batch collects the dead-set clones one Apply makes, so each unit's set is
// copied once per batch and published at the end.
type batch struct {
	idx   *Index
	dirty map[*deadSet]*deadSet // published set → its clone
}

func (b *batch) set(cur **deadSet) *deadSet {
	if c, ok := b.dirty[*cur]; ok {
		return c
	}
	c := (*cur).clone()
	b.dirty[*cur] = c
	return c
}

// kill marks the live version of key (if any) dead at seq. The newest
// version of a key is in the newest unit holding the key; if that version
// is dead already the key is not live anywhere.
func (b *batch) kill(key string, seq uint64) {
	idx := b.idx
	try := func(r reader, cur **deadSet, ends map[uint32]uint64) bool {
		doc, ok := r.latest(key)
		if !ok {
			return false
		}
		d := b.set(cur)
		if d.add(doc, r.norms()) {
			ends[doc] = seq
		}
		return true
	}
	if try(idx.active.h, &idx.active.dead, idx.active.ends) {
		return
	}
	for i := len(idx.frozen) - 1; i >= 0; i-- {
		f := idx.frozen[i]
		if try(f.h, &f.dead, f.ends) {
			return
		}
	}
	for i := len(idx.segs) - 1; i >= 0; i-- {
		u := idx.segs[i]
		if try(u.seg, &u.dead, u.ends) {
			return
		}
	}
}

// install makes the batch's clones the units' dead sets.
func (b *batch) install() {
	idx := b.idx
	swap := func(cur **deadSet) {
		if c, ok := b.dirty[*cur]; ok {
			*cur = c
		}
	}
	swap(&idx.active.dead)
	for _, f := range idx.frozen {
		swap(&f.dead)
	}
	for _, u := range idx.segs {
		swap(&u.dead)
	}
}

// wake wakes the background worker, starting it the first time: a
// session that only searches never needs it.
func (idx *Index) wake() {
	if !idx.opts.noWorker {
		idx.mu.Lock()
		start := !idx.workerOn && !idx.closed // Close waits for what it sees started
		if start {
			idx.workerOn = true
			idx.wg.Add(1)
		}
		idx.mu.Unlock()
		if start {
			go idx.worker()
		}
	}
	select {
	case idx.work <- struct{}{}:
	default:
	}
}

// worker runs background flushes until Close and starts the merges
// (kickMerge): a merge may take as long as several flushes, and Apply may
// be waiting for the next flush meanwhile.
func (idx *Index) worker() {
	defer idx.wg.Done()
	for {
		select {
		case <-idx.quit:
			return
		case <-idx.work:
		}
		for {
			select {
			case <-idx.quit:
				return
			default:
			}
			idx.mu.Lock()
			full := idx.headFull()
			idx.mu.Unlock()
			if !full {
				break
			}
			if err := idx.Flush(); err != nil {
				idx.setBgErr(err)
				break
			}
		}
		idx.kickMerge()
	}
}

// kickMerge starts a merger goroutine unless one is running: it merges
// while the policy picks something. Its last look at the policy and its
// exit happen under mu (mergeOnceOr), so a segment flushed meanwhile is
// either seen by it or starts another. Close waits for it (wg).
func (idx *Index) kickMerge() {
	idx.mu.Lock()
	if idx.merger || idx.closed {
		idx.mu.Unlock()
		return
	}
	idx.merger = true
	idx.wg.Add(1) // the worker's own count keeps wg above zero here
	idx.mu.Unlock()
	go func() {
		defer idx.wg.Done()
		stop := func() { idx.merger = false }
		if err := idx.sweep(); err != nil {
			idx.mu.Lock()
			stop()
			idx.mu.Unlock()
			idx.setBgErr(err)
			return
		}
		for {
			did, err := idx.mergeOnceOr(stop, false)
			if err != nil {
				idx.mu.Lock()
				stop()
				idx.mu.Unlock()
				idx.setBgErr(err)
				return
			}
			if !did {
				return
			}
		}
	}()
}

func (idx *Index) setBgErr(err error) {
	idx.mu.Lock()
	idx.bgErr = err
	idx.signalRoom()
	idx.mu.Unlock()
}

// Flush writes everything applied so far to disk: the head as a new
// segment, new tombstone generations, and the manifest. When it returns,
// Seq() survives a crash.
func (idx *Index) Flush() error {
	idx.commitMu.Lock()
	defer idx.commitMu.Unlock()
	idx.mu.Lock()
	closed := idx.closed
	idx.mu.Unlock()
	if closed {
		return fmt.Errorf("search index: %w", errs.ErrClosed)
	}
	return idx.flushLocked()
}

// tombstoneWrite is a tombstone generation to write for a segment.
type tombstoneWrite struct {
	id   uint64
	gen  uint64
	dead *deadSet
	ends map[uint32]uint64
}

func copyEnds(dead *deadSet, ends map[uint32]uint64) map[uint32]uint64 {
	c := make(map[uint32]uint64, dead.count)
	dead.each(func(doc uint32) { c[doc] = ends[doc] })
	return c
}

// flushLocked does the work of Flush; the caller holds commitMu.
func (idx *Index) flushLocked() error {
	idx.mu.Lock()
	idx.flushing = true
	defer func() {
		idx.mu.Lock()
		idx.flushing = false
		idx.signalRoom()
		idx.mu.Unlock()
	}()
	if len(idx.active.h.docs) > 0 {
		idx.frozen = append(idx.frozen, idx.active)
		idx.active = idx.newHeadUnit()
		idx.publish()
		idx.signalRoom()
	}
	seq := idx.seq
	frozen := append([]*headUnit(nil), idx.frozen...)
	segs := append([]*segUnit(nil), idx.segs...)
	var segDels []tombstoneWrite
	for _, u := range segs {
		if u.dead != u.persisted {
			segDels = append(segDels, tombstoneWrite{id: u.seg.id, gen: u.delGen + 1, dead: u.dead, ends: copyEnds(u.dead, u.ends)})
		}
	}
	type flushed struct {
		hu   *headUnit
		id   uint64
		dead *deadSet
		ends map[uint32]uint64
		seg  *segment
	}
	fl := make([]flushed, len(frozen))
	for i, f := range frozen {
		fl[i] = flushed{hu: f, id: idx.nextFile, dead: f.dead, ends: copyEnds(f.dead, f.ends)}
		idx.nextFile++
	}
	nextFile := idx.nextFile
	durableSeq := idx.durableSeq
	idx.mu.Unlock()

	if len(fl) == 0 && len(segDels) == 0 && seq == durableSeq {
		return nil
	}
	fail := func(err error) error {
		for _, f := range fl {
			if f.seg != nil {
				f.seg.close()
			}
		}
		return fmt.Errorf("search index: flush: %w", err)
	}
	if err := idx.sweep(); err != nil {
		return fail(err)
	}
	for i := range fl {
		f := &fl[i]
		p := path.Join(idx.dir, segmentFile(f.id))
		if _, err := writeSegment(idx.fs, p, headInput(f.hu.h)); err != nil {
			return fail(err)
		}
		seg, err := openSegment(idx.fs, p, f.id)
		if err != nil {
			return fail(err)
		}
		seg.refs.Store(1)
		f.seg = seg
	}
	for _, f := range fl {
		if f.dead.count > 0 {
			segDels = append(segDels, tombstoneWrite{id: f.id, gen: 1, dead: f.dead, ends: f.ends})
		}
	}
	for _, w := range segDels {
		data, err := encodeTombstones(w.id, w.dead, w.ends)
		if err == nil {
			err = writeFileSync(idx.fs, path.Join(idx.dir, tombstoneFile(w.id, w.gen)), data)
		}
		if err != nil {
			return fail(fmt.Errorf("tombstones of segment %d: %w", w.id, err))
		}
	}
	if err := idx.fs.SyncDir(idx.dir); err != nil {
		return fail(fmt.Errorf("sync index directory: %w", err))
	}
	gens := map[uint64]uint64{}
	for _, w := range segDels {
		gens[w.id] = w.gen
	}
	m := &manifest{seq: seq, nextFile: nextFile}
	for _, u := range segs {
		gen := u.delGen
		if g, ok := gens[u.seg.id]; ok {
			gen = g
		}
		m.segments = append(m.segments, manifestSegment{id: u.seg.id, delGen: gen, numDocs: u.seg.numDocs, minSeq: u.seg.minSeq, maxSeq: u.seg.maxSeq})
	}
	for _, f := range fl {
		m.segments = append(m.segments, manifestSegment{id: f.id, delGen: gens[f.id], numDocs: f.seg.numDocs, minSeq: f.seg.minSeq, maxSeq: f.seg.maxSeq})
	}
	if err := writeManifest(idx.fs, idx.dir, m); err != nil {
		return fail(err)
	}

	// The manifest is durable: install the new state.
	var oldDels []string
	idx.mu.Lock()
	for _, w := range segDels {
		for _, u := range idx.segs {
			if u.seg.id == w.id {
				if u.delGen > 0 {
					oldDels = append(oldDels, tombstoneFile(u.seg.id, u.delGen))
				}
				u.delGen, u.persisted = w.gen, w.dead
			}
		}
	}
	for _, f := range fl {
		u := &segUnit{seg: f.seg, dead: f.hu.dead, ends: f.hu.ends, delGen: gens[f.id], persisted: f.dead}
		if u.delGen == 0 {
			u.persisted = u.dead
			if f.hu.dead.count > 0 {
				u.persisted = &deadSet{}
			}
		}
		idx.segs = append(idx.segs, u)
	}
	// A fresh slice: reslicing would keep the flushed heads reachable from
	// the old array until the next freeze (a whole head more at a bulk
	// build's peak).
	idx.frozen = append([]*headUnit(nil), idx.frozen[len(fl):]...)
	idx.durableSeq = seq
	idx.publish()
	idx.signalRoom()
	idx.mu.Unlock()
	idx.flushes.Add(1)
	for _, name := range oldDels {
		idx.fs.Remove(path.Join(idx.dir, name)) // a leftover is removed by the next session
	}
	idx.wake()
	return nil
}

// Close flushes, stops background work, runs the merges the policy still
// calls for, merges the small segments the last flushes left (pickTail)
// and releases the index. Searches still running finish on their
// snapshot.
func (idx *Index) Close() error {
	idx.mu.Lock()
	if idx.closed {
		idx.mu.Unlock()
		return fmt.Errorf("search index: %w", errs.ErrClosed)
	}
	idx.closed = true
	idx.signalRoom()
	idx.mu.Unlock()
	close(idx.quit)
	idx.wg.Wait()
	idx.commitMu.Lock()
	err := idx.flushLocked()
	idx.commitMu.Unlock()
	if serr := idx.sweep(); err == nil && serr != nil {
		err = fmt.Errorf("search index: %w", serr)
	}
	// Finish the merges the policy calls for, which the background merger
	// would have run had it had the time, then merge the tail (pickTail):
	// a bulk build's last flushes would otherwise leave up to MergeFactor
	// segments for every query of the next session to visit (a word query
	// over 9 segments of opentelemetry-docs takes four times as long as
	// over one, over 2 segments 1.3 times). Tests without a worker drive
	// merges themselves.
	for err == nil && !idx.opts.noWorker {
		did, merr := idx.mergeOnceOr(nil, true)
		if merr != nil {
			err = merr
		}
		if !did {
			break
		}
	}
	idx.mu.Lock()
	snap := idx.snap
	idx.snap = nil
	segs := idx.segs
	idx.segs = nil
	idx.mu.Unlock()
	idx.releaseSnapshot(snap)
	for _, u := range segs {
		idx.unref(u.seg)
	}
	return err
}

// unref drops a reference to a segment; the last one closes it and, when
// it was merged away, removes its files.
func (idx *Index) unref(s *segment) {
	if s.refs.Add(-1) != 0 {
		return
	}
	s.close()
	if s.obsolete.Load() {
		idx.fs.Remove(s.path) // a leftover is removed by the next session
	}
}

// Stats returns counters describing the index.
func (idx *Index) Stats() Stats {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	st := Stats{
		Seq: idx.seq, DurableSeq: idx.durableSeq, Segments: len(idx.segs),
		HeadDocs: len(idx.active.h.docs), Flushes: idx.flushes.Load(), Merges: idx.merges.Load(),
		BackgroundErr: idx.bgErr,
	}
	for _, f := range idx.frozen {
		st.HeadDocs += len(f.h.docs)
	}
	if idx.snap != nil {
		for _, v := range idx.snap.views {
			st.Versions += uint64(v.limit)
			st.LiveDocs += uint64(v.limit - v.dead.count)
			if v.seg != nil {
				st.SegmentBytes += int64(len(v.seg.data))
			}
		}
	}
	return st
}
