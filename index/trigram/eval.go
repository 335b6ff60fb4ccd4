package trigram

import (
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// postingSource is what a query is evaluated against: the Builder's
// in-memory lists or a Reader's section.
type postingSource interface {
	lookup(key uint32) posting
	universe() *roaring.Bitmap // every document; the caller must not modify it
}

// result is a set of documents: either every document, or sorted docs.
type result struct {
	all  bool
	docs []uint32
}

// evaluator evaluates one query, recycling its scratch slices so a query
// allocates little beyond the bitmap it returns.
type evaluator struct {
	src   postingSource
	free  [][]uint32
	probe []posting
	order []uint64 // evalAnd's sort keys
}

var evaluatorPool = sync.Pool{New: func() any { return new(evaluator) }}

// candidates evaluates q against src and returns the documents it accepts.
func candidates(src postingSource, q *Query) *roaring.Bitmap {
	e := evaluatorPool.Get().(*evaluator)
	e.src = src
	res := e.eval(q)
	var out *roaring.Bitmap
	if res.all {
		out = src.universe().Clone()
	} else {
		out = roaring.New()
		out.AddMany(res.docs)
	}
	e.put(res.docs)
	e.src = nil
	evaluatorPool.Put(e)
	return out
}

func (e *evaluator) get() []uint32 {
	if n := len(e.free); n > 0 {
		b := e.free[n-1]
		e.free = e.free[:n-1]
		return b[:0]
	}
	return nil
}

func (e *evaluator) put(b []uint32) {
	if cap(b) > 0 && len(e.free) < 64 {
		e.free = append(e.free, b)
	}
}

func (e *evaluator) eval(q *Query) result {
	if q == nil {
		return result{all: true}
	}
	switch q.Op {
	case QNone:
		return result{}
	case QAnd:
		return e.evalAnd(q)
	case QOr:
		return e.evalOr(q)
	}
	// QAll, and operators this version does not know: accepting every
	// document is always safe.
	return result{all: true}
}

// trigramKey packs a three-byte trigram into a key; false for strings of
// another length.
func trigramKey(t string) (uint32, bool) {
	if len(t) != 3 {
		return 0, false
	}
	return uint32(t[0])<<16 | uint32(t[1])<<8 | uint32(t[2]), true
}

// evalAnd intersects the trigram lists shortest first, so the running set
// is small from the start and the long lists are only tested against it,
// then intersects the sub-queries.
func (e *evaluator) evalAnd(q *Query) result {
	base := len(e.probe)
	defer func() { e.probe = e.probe[:base] }()
	for _, t := range q.Trigram {
		key, ok := trigramKey(t)
		if !ok {
			continue // unknown: AND with everything
		}
		p := e.src.lookup(key)
		if p.kind == kindAbsent {
			return result{}
		}
		e.probe = append(e.probe, p)
	}
	ps := e.probe[base:]
	// Sort keys of count and index rather than the postings themselves,
	// nine words each: for a long pattern's dozens of trigrams
	// the sort cost as much as the intersections.
	order := e.order[:0]
	for i, p := range ps {
		order = append(order, uint64(p.count)<<32|uint64(i))
	}
	slices.Sort(order)
	e.order = order

	cur := result{all: true}
	for k, o := range order {
		p := ps[uint32(o)]
		if k == 0 {
			cur = result{docs: p.decodeInto(e.get())}
			continue
		}
		if len(cur.docs) == 0 {
			break
		}
		cur.docs = p.intersectInPlace(cur.docs)
	}
	for _, sub := range q.Sub {
		if !cur.all && len(cur.docs) == 0 {
			break
		}
		r := e.eval(sub)
		switch {
		case r.all:
		case cur.all:
			cur = r
		default:
			cur.docs = intersectSorted(cur.docs, r.docs)
			e.put(r.docs)
		}
	}
	return cur
}

// evalOr unions the trigram lists and the sub-queries.
func (e *evaluator) evalOr(q *Query) result {
	acc := e.get()
	for _, t := range q.Trigram {
		key, ok := trigramKey(t)
		if !ok {
			e.put(acc)
			return result{all: true}
		}
		p := e.src.lookup(key)
		if p.kind == kindAbsent {
			continue
		}
		if len(acc) == 0 {
			acc = p.decodeInto(acc)
			continue
		}
		docs := p.decodeInto(e.get())
		acc = e.merge(acc, docs)
	}
	for _, sub := range q.Sub {
		r := e.eval(sub)
		if r.all {
			e.put(acc)
			return r
		}
		acc = e.merge(acc, r.docs)
	}
	return result{docs: acc}
}

// merge returns the union of a and b, recycling both.
func (e *evaluator) merge(a, b []uint32) []uint32 {
	if len(b) == 0 {
		e.put(b)
		return a
	}
	if len(a) == 0 {
		e.put(a)
		return b
	}
	u := unionSortedDocs(e.get(), a, b)
	e.put(a)
	e.put(b)
	return u
}
