package search

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// fstBuilder writes the segment dictionaries: vellum's FST builder
// (v1.2.1, default options: version-1 encoding, a registry of 10,000
// buckets of 2) redone without its per-node allocations and pointer
// chasing. Building dictionaries with vellum was about half of a segment
// write's CPU (0.60 of 1.22 s in writeSections, CPU profile of eight
// DB.Index + Close builds of dwarves-brain), most of it in its registry
// lookups (a hash bucket holding pointers to nodes holding pointers to
// transitions). The bytes written must stay vellum's, byte for byte
// (fstReader and vellum.Load read them, and the segment format is
// fixed): the algorithm, the registry's hashing and replacement order and
// the encoding are vellum's; only the data layout differs
// (TestFSTBuilderMatchesVellum and FuzzFSTBuilder compare the two). The
// format itself is described in fst.go.
//
// Keys are added in increasing order. The builder keeps a stack of the
// unfinished states along the last key; when a key diverges, the states
// past the common prefix are finished ("compiled"): looked up in the
// registry of recently written states (suffix sharing) and written if not
// found. States are written children first, so a state's transitions
// point to lower addresses.
type fstBuilder struct {
	w       io.Writer
	buf     []byte // encoded, not yet written to w
	written int    // bytes written to w before buf
	err     error  // the first write error

	stack    []fstUnfinished // stack[0] is the root
	last     []byte
	hasLast  bool
	n        int // keys
	lastAddr int // of the last state written, or fstNoneAddr

	reg []fstCell // fstRegBuckets buckets of fstRegWays cells, most recent first
	// arena holds the registry's transitions in chunks of fstChunk
	// (a cell's never straddle two); next is the first free slot.
	arena [][]fstTrans
	next  uint32
}

// fstUnfinished is a state on the stack; hasLast means it has a pending
// transition (on lastIn, with output lastOut) to the state above it.
type fstUnfinished struct {
	fstState
	lastOut uint64
	lastIn  byte
	hasLast bool
}

// fstState is a state's content, what makes two states the same.
type fstState struct {
	final    bool
	finalOut uint64
	trans    []fstTrans
}

// fstTrans is a transition: its output, and its target's address and
// input byte in one word (addr<<8 | in; an FST is far below 2^56 bytes),
// 16 bytes where the registry keeps many.
type fstTrans struct {
	out uint64
	at  uint64
}

func newFSTTrans(in byte, out uint64, addr int) fstTrans {
	return fstTrans{out: out, at: uint64(addr)<<8 | uint64(in)}
}

func (t fstTrans) in() byte  { return byte(t.at) }
func (t fstTrans) addr() int { return int(t.at >> 8) }

// fstCell is a registry entry: a written state and its address. It holds
// no pointer (its transitions are in fstBuilder.arena), so that the
// registry is neither scanned by the GC nor written through its write
// barrier. hash (the state's full hash, of which the bucket is a
// remainder) rules out most states without comparing transitions.
type fstCell struct {
	finalOut uint64
	addr     int
	hash     uint32 // the hash's high half
	off      uint32 // the transitions, n at off in the arena
	n, room  uint16 // room: the arena slots this cell owns from off
	final    bool
	used     bool
}

const (
	fstRegBuckets = 10000 // vellum's default RegistryTableSize
	fstRegWays    = 2     // and RegistryMRUSize
	fstNoneAddr   = 1     // no state written yet (1 is inside the header)
	fstFlushAt    = 32 << 10
	fstChunkBits  = 12
	fstChunk      = 1 << fstChunkBits // transitions, at least 256
)

// errFSTOutOfOrder is vellum.ErrOutOfOrder's counterpart.
var errFSTOutOfOrder = errors.New("keys added out of order")

// fstCommonCode maps an input byte to its 6-bit code in single-transition
// states (0: none), the inverse of fstCommonInputs.
var fstCommonCode = func() (t [256]byte) {
	for i := range len(fstCommonInputs) {
		t[fstCommonInputs[i]] = byte(i + 1)
	}
	return t
}()

// reset starts a new FST written to w, keeping the memory of the last.
func (b *fstBuilder) reset(w io.Writer) {
	if b.reg == nil {
		b.reg = make([]fstCell, fstRegBuckets*fstRegWays)
	} else {
		clear(b.reg)
		b.next = 0
	}
	b.w, b.buf, b.written, b.err = w, b.buf[:0], 0, nil
	b.last, b.hasLast, b.n, b.lastAddr = b.last[:0], false, 0, fstNoneAddr
	b.stack = b.stack[:0]
	b.push(false)
	b.buf = binary.LittleEndian.AppendUint64(b.buf, fstVersion)
	b.buf = binary.LittleEndian.AppendUint64(b.buf, 0) // type
}

// push adds an empty state on top of the stack, reusing the memory of
// the one last there.
func (b *fstBuilder) push(final bool) *fstUnfinished {
	if len(b.stack) < cap(b.stack) {
		b.stack = b.stack[:len(b.stack)+1]
	} else {
		b.stack = append(b.stack, fstUnfinished{})
	}
	u := &b.stack[len(b.stack)-1]
	*u = fstUnfinished{fstState: fstState{final: final, trans: u.trans[:0]}}
	return u
}

// insert adds a key, greater than or equal to the last one, with its value.
func (b *fstBuilder) insert(key []byte, val uint64) error {
	if b.hasLast && bytes.Compare(key, b.last) < 0 {
		return errFSTOutOfOrder
	}
	if len(key) == 0 {
		// vellum: the root becomes final, the count becomes 1 and the
		// last key is left as it was.
		b.n = 1
		b.stack[0].final, b.stack[0].finalOut = true, val
		return b.err
	}
	// The common prefix with the last key, moving outputs towards the
	// leaves where they no longer are common.
	out := val
	i := 0
	for i < len(key) && i < len(b.stack) {
		u := &b.stack[i]
		if !u.hasLast || u.lastIn != key[i] {
			break
		}
		common := min(u.lastOut, out)
		add := u.lastOut - common
		out -= common
		u.lastOut = common
		i++
		if add != 0 {
			b.stack[i].addOutputPrefix(add)
		}
	}
	b.n++
	b.compileFrom(i)
	b.last, b.hasLast = append(b.last[:0], key...), true
	// The rest of the key as a chain of new states.
	suffix := key[i:]
	if len(suffix) > 0 {
		top := &b.stack[len(b.stack)-1]
		top.hasLast, top.lastIn, top.lastOut = true, suffix[0], out
		for _, c := range suffix[1:] {
			u := b.push(false)
			u.hasLast, u.lastIn = true, c
		}
		b.push(true)
	}
	return b.err
}

func (u *fstUnfinished) addOutputPrefix(p uint64) {
	if u.final {
		u.finalOut += p
	}
	for i := range u.trans {
		u.trans[i].out += p
	}
	if u.hasLast {
		u.lastOut += p
	}
}

// freeze turns u's pending transition into one to addr.
func (u *fstUnfinished) freeze(addr int) {
	if u.hasLast {
		u.trans = append(u.trans, newFSTTrans(u.lastIn, u.lastOut, addr))
		u.hasLast, u.lastOut = false, 0
	}
}

// compileFrom finishes the states above stack[i].
func (b *fstBuilder) compileFrom(i int) {
	addr := fstNoneAddr
	for i+1 < len(b.stack) {
		u := &b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		if addr != fstNoneAddr {
			u.freeze(addr)
		}
		addr = b.compile(&u.fstState)
	}
	b.stack[len(b.stack)-1].freeze(addr)
}

// compile returns the address of a state: one the registry knows, or
// a new one written now.
func (b *fstBuilder) compile(s *fstState) int {
	if s.final && len(s.trans) == 0 && s.finalOut == 0 {
		return fstEmptyAddr
	}
	h := s.hash()
	h32 := uint32(h >> 32)
	cells := b.reg[int(h%fstRegBuckets)*fstRegWays:][:fstRegWays]
	for i := range cells {
		if c := &cells[i]; c.used && c.hash == h32 && b.equal(c, s) {
			addr := c.addr
			// Most recently used first.
			for ; i > 0; i-- {
				cells[i-1], cells[i] = cells[i], cells[i-1]
			}
			return addr
		}
	}
	// Not found: the least recently used cell takes the state and
	// becomes the first.
	for i := len(cells) - 1; i > 0; i-- {
		cells[i-1], cells[i] = cells[i], cells[i-1]
	}
	c := &cells[0]
	if len(s.trans) > int(c.room) {
		// A new home in the arena; the old one is lost (rooms only
		// grow, and most states have one or two transitions).
		room := max(2, len(s.trans))
		if int(b.next%fstChunk)+room > fstChunk {
			b.next = (b.next/fstChunk + 1) * fstChunk
		}
		if int(b.next/fstChunk) == len(b.arena) {
			b.arena = append(b.arena, make([]fstTrans, fstChunk))
		}
		c.off, c.room = b.next, uint16(room)
		b.next += uint32(room)
	}
	copy(b.cellTrans(c, len(s.trans)), s.trans)
	c.n = uint16(len(s.trans))
	c.final, c.finalOut, c.hash, c.used = s.final, s.finalOut, h32, true
	c.addr = b.encode(s)
	b.lastAddr = c.addr
	return c.addr
}

// hash is vellum's registry hash (FNV-style over the state's content).
func (s *fstState) hash() uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	final := uint64(0)
	if s.final {
		final = 1
	}
	h = (h ^ final) * prime
	h = (h ^ s.finalOut) * prime
	for _, t := range s.trans {
		h = (h ^ uint64(t.in())) * prime
		h = (h ^ t.out) * prime
		h = (h ^ uint64(t.addr())) * prime
	}
	return h
}

// cellTrans is the first n transitions of c's room.
func (b *fstBuilder) cellTrans(c *fstCell, n int) []fstTrans {
	if n == 0 {
		return nil // (c may have no room: the arena may have no chunk)
	}
	i := c.off % fstChunk
	return b.arena[c.off/fstChunk][i : int(i)+n]
}

func (b *fstBuilder) equal(c *fstCell, s *fstState) bool {
	if c.final != s.final || c.finalOut != s.finalOut || int(c.n) != len(s.trans) {
		return false
	}
	for i, t := range b.cellTrans(c, int(c.n)) {
		if t != s.trans[i] {
			return false
		}
	}
	return true
}

// encode writes a state (vellum's encoderV1.encodeState) and returns its
// address, its last byte.
func (b *fstBuilder) encode(s *fstState) int {
	if len(s.trans) != 1 || s.final {
		return b.encodeMany(s)
	}
	t := s.trans[0]
	if t.out == 0 && t.addr() == b.lastAddr {
		return b.encodeOneFinish(t.in(), 0x40) // target: the state just below
	}
	start := b.pos()
	outSize := 0
	if t.out != 0 {
		outSize = fstPackedSize(t.out)
		b.buf = appendPacked(b.buf, t.out, outSize)
	}
	delta := fstDelta(start, t.addr())
	tSize := fstPackedSize(delta)
	b.buf = appendPacked(b.buf, delta, tSize)
	b.buf = append(b.buf, byte(tSize<<4|outSize))
	return b.encodeOneFinish(t.in(), 0)
}

func (b *fstBuilder) encodeOneFinish(in byte, next byte) int {
	code := fstCommonCode[in]
	if code == 0 {
		b.buf = append(b.buf, in)
	}
	b.buf = append(b.buf, 0x80|next|code)
	return b.flushed()
}

func (b *fstBuilder) encodeMany(s *fstState) int {
	start := b.pos()
	tSize := 0
	outSize := fstPackedSize(s.finalOut)
	anyOut := s.finalOut != 0
	for _, t := range s.trans {
		tSize = max(tSize, fstPackedSize(fstDelta(start, t.addr())))
		outSize = max(outSize, fstPackedSize(t.out))
		anyOut = anyOut || t.out != 0
	}
	if !anyOut {
		outSize = 0
	} else {
		if s.final {
			b.buf = appendPacked(b.buf, s.finalOut, outSize)
		}
		for j := len(s.trans) - 1; j >= 0; j-- {
			b.buf = appendPacked(b.buf, s.trans[j].out, outSize)
		}
	}
	for j := len(s.trans) - 1; j >= 0; j-- {
		b.buf = appendPacked(b.buf, fstDelta(start, s.trans[j].addr()), tSize)
	}
	for j := len(s.trans) - 1; j >= 0; j-- {
		b.buf = append(b.buf, s.trans[j].in())
	}
	b.buf = append(b.buf, byte(tSize<<4|outSize))
	n := len(s.trans)
	head := byte(0) // the count when it fits in 6 bits, else a byte below
	if n <= 1<<6-1 {
		head = byte(n)
	} else if n == 256 {
		b.buf = append(b.buf, 1)
	} else {
		b.buf = append(b.buf, byte(n))
	}
	if n == 0 {
		b.buf = append(b.buf, 0)
	}
	if s.final {
		head |= 0x40
	}
	b.buf = append(b.buf, head)
	return b.flushed()
}

// pos is the offset of the next byte in the FST.
func (b *fstBuilder) pos() uint64 { return uint64(b.written + len(b.buf)) }

// flushed returns the offset of the last byte (the state just encoded),
// writing the buffer out when it is large.
func (b *fstBuilder) flushed() int {
	addr := b.written + len(b.buf) - 1
	if len(b.buf) >= fstFlushAt {
		b.flush()
	}
	return addr
}

func (b *fstBuilder) flush() {
	if b.err == nil && len(b.buf) > 0 {
		_, b.err = b.w.Write(b.buf)
	}
	b.written += len(b.buf)
	b.buf = b.buf[:0]
}

// close finishes the FST: the root and the footer (key count, root
// address).
func (b *fstBuilder) close() error {
	b.compileFrom(0)
	root := &b.stack[0]
	b.stack = b.stack[:0]
	addr := b.compile(&root.fstState)
	b.buf = binary.LittleEndian.AppendUint64(b.buf, uint64(b.n))
	b.buf = binary.LittleEndian.AppendUint64(b.buf, uint64(addr))
	b.flush()
	b.w = nil
	return b.err
}

// fstDelta is a transition's target relative to its state's first byte;
// 0 stays 0 (the empty final state).
func fstDelta(start uint64, addr int) uint64 {
	if addr == 0 {
		return 0
	}
	return start - uint64(addr)
}

func fstPackedSize(v uint64) int {
	n := 1
	for v >= 1<<8 && n < 8 {
		v >>= 8
		n++
	}
	return n
}

func appendPacked(buf []byte, v uint64, n int) []byte {
	for i := range n {
		buf = append(buf, byte(v>>(8*i)))
	}
	return buf
}

// fstKeyError wraps an insert error with its key.
func fstKeyError(key []byte, err error) error {
	return fmt.Errorf("dictionary key %q: %w", key, err)
}
