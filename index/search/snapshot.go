package search

import (
	"fmt"
	"sync/atomic"

	"github.com/kotadb/kotadb/errs"
)

// snapshot is a consistent, immutable view of the index at one moment: the
// units with their dead sets and, for heads, how many docs were visible.
// Readers hold a reference while they search; the segments of a snapshot
// stay open (and their files on disk) until the last reference is gone, so
// merges and flushes never wait for readers nor readers for them.
type snapshot struct {
	refs  atomic.Int32
	views []view
	seq   uint64
}

// view is one unit as a snapshot sees it.
type view struct {
	pos   int // index in the snapshot's views
	r     reader
	seg   *segment // nil for heads
	hd    *head    // nil for segments
	lock  bool     // the active head: hold hd.mu.RLock while reading it
	dead  *deadSet
	limit uint32 // docs visible (all of a segment; the head's count then)
	sums  [numTextFields]uint64
}

// publish makes the current state the snapshot new searches get. The
// caller holds mu.
func (idx *Index) publish() {
	s := &snapshot{seq: idx.seq}
	s.refs.Store(1) // the index's reference
	s.views = make([]view, 0, len(idx.segs)+len(idx.frozen)+1)
	for _, u := range idx.segs {
		u.seg.refs.Add(1)
		s.views = append(s.views, view{pos: len(s.views), r: u.seg, seg: u.seg, dead: u.dead, limit: u.seg.numDocs, sums: u.seg.totals})
	}
	for _, f := range idx.frozen {
		s.views = append(s.views, view{pos: len(s.views), r: f.h, hd: f.h, dead: f.dead, limit: uint32(len(f.h.docs)), sums: f.h.lenTotals})
	}
	a := idx.active
	s.views = append(s.views, view{pos: len(s.views), r: a.h, hd: a.h, lock: true, dead: a.dead, limit: uint32(len(a.h.docs)), sums: a.h.lenTotals})
	old := idx.snap
	idx.snap = s
	if old != nil {
		idx.releaseSnapshot(old)
	}
}

// acquire returns the current snapshot with a reference the caller must
// give back with releaseSnapshot.
func (idx *Index) acquire() (*snapshot, error) {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.closed || idx.snap == nil {
		return nil, fmt.Errorf("search index: %w", errs.ErrClosed)
	}
	idx.snap.refs.Add(1)
	return idx.snap, nil
}

func (idx *Index) releaseSnapshot(s *snapshot) {
	if s == nil || s.refs.Add(-1) != 0 {
		return
	}
	for _, v := range s.views {
		if v.seg != nil {
			idx.unref(v.seg)
		}
	}
}

// rlock takes the read locks of the snapshot's mutable units.
func (s *snapshot) rlock() {
	for _, v := range s.views {
		if v.lock {
			v.hd.mu.RLock()
		}
	}
}

func (s *snapshot) runlock() {
	for _, v := range s.views {
		if v.lock {
			v.hd.mu.RUnlock()
		}
	}
}
