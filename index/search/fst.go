package search

import (
	"bytes"
	"encoding/binary"
	"sync"
)

// fstReader walks a vellum FST (vellum's file format version 1, which the
// segment dictionaries are written in) node by node, without allocating:
// vellum's own iterator decodes states through interfaces and costs a few
// hundred nanoseconds per key, which prefix expansion and typo tolerance,
// both walks over many nodes, cannot afford.
//
// The format (vellum's docs/format.md): a 16-byte header (uint64 version,
// uint64 type), the states, a 16-byte footer (uint64 key count, uint64 root
// address). A state is read backwards from its address (its top byte):
//
//	top bit set: one transition, never final. Bit 6: the target is the
//	  state just below this one, with output 0. Low 6 bits: the input byte
//	  through fstCommonInputs, or 0 and the byte below. Otherwise, below:
//	  a pack-size byte (high nibble address size, low nibble output size),
//	  the delta-encoded target address, then the output.
//	top bit clear: bit 6 final; low 6 bits the transition count, or 0 and
//	  the count in the byte below (1 there meaning 256). Below: the
//	  pack-size byte, the inputs, the delta-encoded targets and the outputs
//	  (each in decreasing input order), then the final output when final.
//
// Targets are the state's lowest byte minus the delta (a delta of 0 is
// address 0, the final state without transitions or output). States are
// written children first, so every target is below its state: the walks
// always end, even over a malformed FST, which nodes rejects (with every
// other out-of-bounds read) rather than panicking.
type fstReader struct {
	data []byte
	root int
	// pre lists the dictionary's short prefixes for typo walks, built on
	// first use; the pointer is set by newFSTReader so that copies share
	// it.
	pre *fstPrefixes
}

// fstVersion is the only vellum format version fstReader reads.
const fstVersion = 1

const (
	fstHeaderSize = 16
	fstFooterSize = 16
	fstEmptyAddr  = 0 // final, no transitions, no output
)

// fstCommonInputs maps the 6-bit codes 1..63 of single-transition states to
// input bytes (vellum's commonInputsInv; TestFSTReaderMatchesVellum checks
// every byte).
const fstCommonInputs = "te/oasripcnw.hlm-du012g=:bf3y5&_4v9678k%?xCDASFIBEjPTzRNM+LOqHG"

func newFSTReader(data []byte) (fstReader, bool) {
	if len(data) < fstHeaderSize+fstFooterSize || binary.LittleEndian.Uint64(data) != fstVersion {
		return fstReader{}, false
	}
	root := binary.LittleEndian.Uint64(data[len(data)-8:])
	r := fstReader{data: data[:len(data)-fstFooterSize], root: int(min(root, uint64(len(data)))), pre: new(fstPrefixes)}
	if root != fstEmptyAddr && (root < fstHeaderSize || root >= uint64(len(r.data))) {
		return fstReader{}, false
	}
	return r, true
}

// budget bounds the states a walk decodes: a well-formed dictionary's
// walks stay far below it, a malformed one (a state shared by many paths)
// could otherwise make one exponential.
func (r *fstReader) budget() int { return 256*len(r.data) + 1<<20 }

// fstNode is one decoded state.
type fstNode struct {
	final    bool
	finalOut uint64
	n        int // transitions
	// One transition:
	single bool
	in     byte
	target int
	out    uint64
	// Several: the offsets in the data of the inputs, targets and outputs,
	// each in decreasing input order (offsets, not slices: a node holds no
	// pointer, so walk stacks copy it freely).
	ins, targets, outs int
	tsize, osize       int
	bottom             int // the state's lowest byte, targets' base
}

// node decodes the state at addr, reporting false when it is malformed.
func (r *fstReader) node(addr int, nd *fstNode) bool {
	*nd = fstNode{}
	if addr == fstEmptyAddr {
		nd.final = true
		return true
	}
	d := r.data
	if addr < fstHeaderSize || addr >= len(d) {
		return false
	}
	top := d[addr]
	b := addr // the lowest byte read so far
	take := func(n int) []byte {
		if b < 0 || b-n < fstHeaderSize {
			b = -1
			return nil
		}
		b -= n
		return d[b : b+n]
	}
	if top&0x80 != 0 {
		nd.single, nd.n = true, 1
		if c := top & 0x3f; c != 0 {
			nd.in = fstCommonInputs[c-1]
		} else if x := take(1); x != nil {
			nd.in = x[0]
		} else {
			return false
		}
		if top&0x40 != 0 {
			nd.target, nd.bottom = b-1, b
			return nd.target >= fstHeaderSize
		}
		pack := take(1)
		if pack == nil {
			return false
		}
		tsize, osize := int(pack[0]>>4), int(pack[0]&0x0f)
		if tsize > 8 || osize > 8 {
			return false
		}
		delta := take(tsize)
		out := take(osize)
		if b < 0 {
			return false
		}
		nd.out, nd.bottom = packedUint(out), b
		return nd.setTarget(&nd.target, packedUint(delta), addr)
	}
	nd.final = top&0x40 != 0
	n := int(top & 0x3f)
	if n == 0 {
		x := take(1)
		if x == nil {
			return false
		}
		if n = int(x[0]); n == 1 {
			n = 256
		}
	}
	pack := take(1)
	if pack == nil {
		return false
	}
	nd.n, nd.tsize, nd.osize = n, int(pack[0]>>4), int(pack[0]&0x0f)
	if nd.tsize > 8 || nd.osize > 8 {
		return false
	}
	take(n)
	nd.ins = b
	take(n * nd.tsize)
	nd.targets = b
	if nd.osize > 0 {
		take(n * nd.osize)
		nd.outs = b
		if nd.final {
			nd.finalOut = packedUint(take(nd.osize))
		}
	}
	nd.bottom = b
	return b >= 0
}

// setTarget resolves a delta against the state's base; targets must lie
// below the state.
func (nd *fstNode) setTarget(t *int, delta uint64, addr int) bool {
	if delta == 0 {
		*t = fstEmptyAddr
		return true
	}
	if delta > uint64(nd.bottom) {
		return false
	}
	*t = nd.bottom - int(delta)
	return *t >= fstHeaderSize && *t < addr
}

func packedUint(b []byte) uint64 {
	var v uint64
	for i, c := range b {
		v |= uint64(c) << (8 * i)
	}
	return v
}

// child returns transition i of the state at addr, in increasing input
// order; d is the reader's data.
func (nd *fstNode) child(d []byte, i, addr int) (in byte, target int, out uint64, ok bool) {
	if nd.single {
		return nd.in, nd.target, nd.out, true
	}
	j := nd.n - 1 - i
	in = d[nd.ins+j]
	if nd.osize > 0 {
		o := nd.outs + j*nd.osize
		out = packedUint(d[o : o+nd.osize])
	}
	t := nd.targets + j*nd.tsize
	ok = nd.setTarget(&target, packedUint(d[t:t+nd.tsize]), addr)
	return in, target, out, ok
}

// find returns the transition on input c.
func (nd *fstNode) find(d []byte, c byte, addr int) (target int, out uint64, ok bool) {
	if nd.single {
		return nd.target, nd.out, nd.in == c
	}
	if j := bytes.IndexByte(d[nd.ins:nd.ins+nd.n], c); j >= 0 {
		_, target, out, ok = nd.child(d, nd.n-1-j, addr)
		return target, out, ok
	}
	return 0, 0, false
}

// lookup returns the value of key; bad reports a malformed FST.
func (r *fstReader) lookup(key []byte) (val uint64, found, bad bool) {
	var nd fstNode
	addr, total := r.root, uint64(0)
	for _, c := range key {
		if !r.node(addr, &nd) {
			return 0, false, true
		}
		next, out, ok := nd.find(r.data, c, addr)
		if !ok {
			return 0, false, false
		}
		addr, total = next, total+out
	}
	if !r.node(addr, &nd) {
		return 0, false, true
	}
	return total + nd.finalOut, nd.final, false
}

// fstFrame is a state being enumerated by a walk.
type fstFrame struct {
	addr   int
	nd     fstNode
	next   int    // next transition to follow
	out    uint64 // output accumulated up to this state
	keyLen int
}

// framePool keeps walk stacks (a frame holds a decoded state, too big to
// allocate per search).
var framePool = sync.Pool{New: func() any { s := make([]fstFrame, 0, 32); return &s }}

// prefixWalk calls fn, in key order, with each key starting with prefix and
// its value, until fn returns false. It reports false if the FST turned
// out malformed.
func (r *fstReader) prefixWalk(prefix []byte, fn func(key []byte, val uint64) bool) bool {
	var nd fstNode
	addr, total := r.root, uint64(0)
	for _, c := range prefix {
		if !r.node(addr, &nd) {
			return false
		}
		next, out, ok := nd.find(r.data, c, addr)
		if !ok {
			return true
		}
		addr, total = next, total+out
	}
	key := make([]byte, len(prefix), len(prefix)+32)
	copy(key, prefix)
	budget := r.budget()
	sp := framePool.Get().(*[]fstFrame)
	defer framePool.Put(sp)
	stack := append((*sp)[:0], fstFrame{addr: addr, out: total, keyLen: len(key)})
	defer func() { *sp = stack[:0] }()
	if !r.node(addr, &stack[0].nd) {
		return false
	}
	if stack[0].nd.final && !fn(key, total+stack[0].nd.finalOut) {
		return true
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next >= f.nd.n {
			stack = stack[:len(stack)-1]
			continue
		}
		in, target, out, ok := f.nd.child(r.data, f.next, f.addr)
		f.next++
		if budget--; !ok || budget < 0 {
			return false
		}
		key = append(key[:f.keyLen], in)
		out += f.out
		// Follow chains of one-transition states (the unique tails of
		// keys) without stacking them: they are never final.
		for {
			if !r.node(target, &nd) {
				return false
			}
			if nd.final && !fn(key, out+nd.finalOut) {
				return true
			}
			if !nd.single {
				break
			}
			if budget--; budget < 0 {
				return false
			}
			key = append(key, nd.in)
			out += nd.out
			target = nd.target
		}
		if nd.n > 0 {
			stack = append(stack, fstFrame{addr: target, nd: nd, out: out, keyLen: len(key)})
		}
	}
	return true
}
