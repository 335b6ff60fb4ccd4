package trigram

import (
	"bytes"
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// substringFinder finds case-insensitive occurrences of a pattern in raw
// (unfolded) text without folding the text: it scans for an anchor byte
// with bytes.IndexByte (vectorised in the runtime) and compares only around
// anchor hits.
//
// An anchor is a byte offset in the pattern together with the bytes a match
// may hold there: one byte for _ or for a byte of a caseless CJK character,
// two for an ASCII letter. Any byte of a fixed-width rune (one whose case
// variants all have its UTF-8 length) can be an anchor; of the few other
// runes (k and s, whose variants include the three-byte Kelvin sign and the
// two-byte long s) only the first byte, where every variant starts. The
// scan starts with the anchor expected to be rarest (see byteFreq) and
// switches when the text proves it common (see scanAnchors). From an anchor
// hit it steps back to where the match would start and compares forward.
type substringFinder struct {
	pat []rune // folded pattern runes

	// slow is set when the pattern holds utf8.RuneError, which invalid bytes
	// of any value also fold to: every rune start is then tried.
	slow bool

	fixed   bool     // every rune is fixed-width: matches are len(folded) bytes
	folded  []byte   // the folded pattern
	anchors []anchor // rarest first

	// typed is the pattern as given and typedAnchors its bytes, rarest
	// first, for finding the spelling the user typed, which is usually the
	// spelling the text uses, with one-byte anchors. Nil when the pattern
	// has no case variants (the search above is exact then) or is invalid
	// UTF-8.
	typed        []byte
	typedAnchors []anchor
}

// anchor is a byte offset of the pattern to scan for.
type anchor struct {
	runeIdx     int    // index in pat of the rune holding the byte
	inRune      int    // the byte's offset in the rune
	before      int    // bytes of the folded runes before the rune
	fixedBefore bool   // all runes before it are fixed-width: a match has them at before
	bytes       []byte // the bytes a match may hold here, at most maxAnchorBytes
	cost        float64
}

const (
	maxAnchorBytes = 4
	// The scan reconsiders its anchor every anchorSwitchHits hits and moves
	// to another when the current one's hit rate is anchorSwitchRatio times
	// what it expects of the other.
	anchorSwitchHits  = 8
	anchorSwitchRatio = 2.0
	// maxTrackedAnchors bounds the anchors a scan considers switching to.
	maxTrackedAnchors = 16
)

var (
	finderCache    sync.Map // pattern string -> *substringFinder
	finderCacheLen atomic.Int64
)

// finderCacheSize bounds finderCache. A search calls FindSubstring once
// per candidate document with the same pattern, and building a finder
// costs about as much as scanning a short document. When full the cache is
// emptied, which only costs rebuilding the finders of searches in flight.
const finderCacheSize = 256

// finderFor returns the (shared, immutable) finder for s.
func finderFor(s string) *substringFinder {
	if f, ok := finderCache.Load(s); ok {
		return f.(*substringFinder)
	}
	f := newSubstringFinder(s)
	if finderCacheLen.Add(1) > finderCacheSize {
		finderCache.Clear()
		finderCacheLen.Store(1)
	}
	finderCache.Store(s, f)
	return f
}

func newSubstringFinder(s string) *substringFinder {
	f := &substringFinder{pat: foldedRunes(s), fixed: true}
	if slices.Contains(f.pat, utf8.RuneError) {
		f.slow = true
		return f
	}
	fixedBefore, caseless := true, true
	for i, r := range f.pat {
		members := orbit(r)
		caseless = caseless && len(members) == 1
		width := utf8.RuneLen(r)
		encs := make([][]byte, len(members))
		runeFixed := true
		for k, m := range members {
			encs[k] = utf8.AppendRune(nil, m)
			runeFixed = runeFixed && len(encs[k]) == width
		}
		before := len(f.folded)
		f.folded = append(f.folded, encs[0]...)
		// A fixed-width rune offers each of its bytes as an anchor; another
		// rune only its first byte, where all its variants start.
		offsets := width
		if !runeFixed {
			f.fixed, offsets = false, 1
		}
		for j := range offsets {
			var set []byte
			for _, e := range encs {
				if bytes.IndexByte(set, e[j]) < 0 {
					set = append(set, e[j])
				}
			}
			f.addAnchor(&f.anchors, anchor{
				runeIdx: i, inRune: j, before: before, fixedBefore: fixedBefore, bytes: set,
			})
		}
		fixedBefore = fixedBefore && runeFixed
	}
	if !caseless && utf8.ValidString(s) {
		f.typed = []byte(s)
		for i, c := range f.typed {
			f.addAnchor(&f.typedAnchors, anchor{before: i, fixedBefore: true, bytes: []byte{c}})
		}
	}
	return f
}

// addAnchor appends a to list, estimating its cost, unless it has too many
// bytes or list already has an anchor on the same bytes (which would hit
// the same places, only later), and keeps list sorted by cost.
func (f *substringFinder) addAnchor(list *[]anchor, a anchor) {
	dup := slices.ContainsFunc(*list, func(b anchor) bool { return bytes.Equal(a.bytes, b.bytes) })
	if len(a.bytes) > maxAnchorBytes || dup {
		return
	}
	for _, c := range a.bytes {
		a.cost += byteFreq(c)
	}
	i, _ := slices.BinarySearchFunc(*list, a, func(x, y anchor) int { return cmp.Compare(x.cost, y.cost+1e-12) })
	*list = slices.Insert(*list, i, a)
}

// find returns the leftmost occurrence starting at or after from, which
// must be a rune boundary of text.
func (f *substringFinder) find(text []byte, from int) (start, end int, ok bool) {
	switch {
	case len(f.pat) == 0:
		return 0, 0, false
	case f.slow || len(f.anchors) == 0:
		return f.findSlow(text, from)
	}
	return scanAnchors(text, from, f.anchors, func(st int) (int, bool) { return f.matchFrom(text, st) })
}

// contains reports whether text holds the pattern. It looks for the typed
// spelling first, whose one-byte anchors are rarer than the two-byte
// anchors of the case-insensitive search, and only scans case-insensitively
// when that spelling is absent.
func (f *substringFinder) contains(text []byte) bool {
	if len(f.typedAnchors) > 0 {
		_, _, ok := scanAnchors(text, 0, f.typedAnchors, func(st int) (int, bool) {
			end := st + len(f.typed)
			return end, end <= len(text) && bytes.Equal(text[st:end], f.typed)
		})
		if ok {
			return true
		}
	}
	_, _, ok := f.find(text, 0)
	return ok
}

// findTyped returns the first occurrence of the typed spelling at or after
// from, if the finder has one.
func (f *substringFinder) findTyped(text []byte, from int) (start, end int, ok bool) {
	if len(f.typedAnchors) == 0 {
		return 0, 0, false
	}
	return scanAnchors(text, from, f.typedAnchors, func(st int) (int, bool) {
		end := st + len(f.typed)
		return end, end <= len(text) && bytes.Equal(text[st:end], f.typed)
	})
}

// byteScan merges the IndexByte streams of a set of bytes, remembering
// each stream's next hit so that no byte is scanned twice.
type byteScan struct {
	set  []byte
	next [maxAnchorBytes]int // next hit of set[k]; -2 not searched yet, -1 none
}

func (s *byteScan) reset(set []byte) {
	s.set = set
	s.next = [maxAnchorBytes]int{-2, -2, -2, -2}
}

// from returns the first position at or after pos holding a byte of the
// set, or -1. pos must not decrease from call to call.
func (s *byteScan) from(text []byte, pos int) int {
	h := -1
	for k, c := range s.set {
		n := s.next[k]
		if n == -2 || (n >= 0 && n < pos) {
			n = indexByteFrom(text, c, pos)
			s.next[k] = n
		}
		if n >= 0 && (h < 0 || n < h) {
			h = n
		}
	}
	return h
}

// scanAnchors returns the first start at or after from that verify
// accepts, trying only starts that an anchor hit implies. Hits of one
// anchor come in increasing order and the start a hit implies grows with
// it, so the first verified start is the leftmost match.
//
// The byte-frequency guess behind the anchor order is wrong for some texts
// (underscores in a page of environment variables, katakana continuation
// bytes in Japanese), so every anchorSwitchHits hits the scan compares the
// rate it observes with what it expects of the other anchors (their
// observed rate if tried before, else their guessed cost) and moves to a
// clearly better one. Every start before the last implied one has been
// tried when it switches, so the new anchor goes on from there.
func scanAnchors(text []byte, from int, anchors []anchor, verify func(st int) (int, bool)) (start, end int, ok bool) {
	var observed [maxTrackedAnchors]float64 // 0: not tried
	tracked := min(len(anchors), maxTrackedAnchors)
	ai := 0
	a := &anchors[ai]
	var scan byteScan
	scan.reset(a.bytes)
	minStart := from            // starts before it are excluded or tried
	pos := a.earliest(minStart) // no start at or after minStart has its anchor earlier
	hits, spanStart := 0, pos   // for the anchor switch
	for {
		h := scan.from(text, pos)
		if h < 0 {
			return 0, 0, false
		}
		st, ok := a.start(text, h)
		if ok && st >= minStart {
			if end, ok := verify(st); ok {
				return st, end, true
			}
		}
		pos = h + 1
		if hits++; hits%anchorSwitchHits != 0 || tracked < 2 {
			continue
		}
		rate := float64(hits) / float64(h-spanStart+1)
		next, nextRate := -1, rate/anchorSwitchRatio
		for k := range tracked {
			est := observed[k]
			if est == 0 {
				est = anchors[k].cost
			}
			if k != ai && est < nextRate {
				next, nextRate = k, est
			}
		}
		if next < 0 {
			continue
		}
		observed[ai] = rate
		if ok {
			minStart = max(minStart, st+1)
		}
		ai = next
		a = &anchors[ai]
		scan.reset(a.bytes)
		pos = a.earliest(minStart)
		hits, spanStart = 0, pos
	}
}

// earliest returns the first position where the anchor byte of a match
// starting at or after minStart can be.
func (a *anchor) earliest(minStart int) int {
	if a.fixedBefore {
		return minStart + a.before + a.inRune
	}
	return minStart + a.runeIdx + a.inRune // every rune is at least a byte
}

// start returns where a match would start if its anchor byte were at h.
func (a *anchor) start(text []byte, h int) (int, bool) {
	q := h - a.inRune // start of the anchor rune
	if a.fixedBefore {
		st := q - a.before
		return st, st >= 0
	}
	return stepBack(text, q, a.runeIdx)
}

// matchFrom compares the pattern with text from st, returning the end.
func (f *substringFinder) matchFrom(text []byte, st int) (int, bool) {
	if !f.fixed {
		return f.matchAt(text, st)
	}
	end := st + len(f.folded)
	if end > len(text) {
		return 0, false
	}
	for j, p := range f.folded {
		c := text[st+j]
		if c == p {
			continue
		}
		if c < utf8.RuneSelf && p < utf8.RuneSelf {
			if asciiFold[c] != p {
				return 0, false
			}
			continue
		}
		if c < utf8.RuneSelf || p < utf8.RuneSelf {
			return 0, false
		}
		// Non-ASCII bytes differ: compare rune by rune.
		e, ok := f.matchAt(text, st)
		return e, ok && e == end
	}
	return end, true
}

// findSlow tries every rune start from from on.
func (f *substringFinder) findSlow(text []byte, from int) (start, end int, ok bool) {
	for st := from; st < len(text); {
		if end, ok := f.matchAt(text, st); ok {
			return st, end, true
		}
		_, n := utf8.DecodeRune(text[st:])
		st += n
	}
	return 0, 0, false
}

// matchAt reports whether the pattern occurs at st and where it ends.
func (f *substringFinder) matchAt(text []byte, st int) (int, bool) {
	for _, want := range f.pat {
		if st >= len(text) {
			return 0, false
		}
		if c := text[st]; c < utf8.RuneSelf {
			if rune(asciiFold[c]) != want {
				return 0, false
			}
			st++
			continue
		}
		r, n := utf8.DecodeRune(text[st:])
		if foldRune(r) != want {
			return 0, false
		}
		st += n
	}
	return st, true
}

// stepBack returns the position n runes before the rune boundary h.
func stepBack(text []byte, h, n int) (int, bool) {
	for range n {
		if h == 0 {
			return 0, false
		}
		if text[h-1] < utf8.RuneSelf {
			h--
			continue
		}
		_, size := utf8.DecodeLastRune(text[:h])
		h -= size
	}
	return h, true
}

func indexByteFrom(text []byte, c byte, from int) int {
	if from >= len(text) {
		return -1
	}
	if i := bytes.IndexByte(text[from:], c); i >= 0 {
		return from + i
	}
	return -1
}

// byteFreq estimates how often byte b occurs per byte of the prose, markup
// and code kotadb indexes. Only the order matters: it picks the anchor a
// search scans for, and a poor guess only costs time: the scan moves to
// another anchor when its anchor proves common. The figures are rounded
// English letter frequencies, with space, newline and common punctuation
// above them and rare punctuation below; CJK lead bytes (0xE3–0xE9) start
// every character of CJK text.
func byteFreq(b byte) float64 {
	return byteFreqTable[b]
}

var byteFreqTable = func() (t [256]float64) {
	for i := range t {
		t[i] = 0.002 // rare punctuation and control bytes
	}
	letters := map[byte]float64{
		'e': 0.095, 't': 0.07, 'a': 0.063, 'o': 0.06, 'i': 0.06, 'n': 0.058,
		's': 0.053, 'r': 0.052, 'h': 0.038, 'l': 0.035, 'd': 0.031, 'c': 0.029,
		'u': 0.023, 'm': 0.022, 'f': 0.019, 'p': 0.019, 'g': 0.016, 'w': 0.013,
		'y': 0.013, 'b': 0.012, 'v': 0.009, 'k': 0.007, 'x': 0.002, 'j': 0.0015,
		'q': 0.001, 'z': 0.001,
	}
	for c, f := range letters {
		t[c] = f
		t[c-'a'+'A'] = f/6 + 0.001 // capitals: sentence starts, CamelCase
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 0.005
	}
	for c, f := range map[byte]float64{
		' ': 0.15, '\n': 0.03, '.': 0.012, ',': 0.01, '-': 0.009, '/': 0.007,
		'(': 0.004, ')': 0.004, '"': 0.004, '\'': 0.004, ':': 0.005, '=': 0.003,
		'*': 0.003, '#': 0.003, '[': 0.003, ']': 0.003, '`': 0.004, '\t': 0.004,
		'_': 0.005, '<': 0.002, '>': 0.002, '{': 0.002, '}': 0.002, '|': 0.002,
	} {
		t[c] = f
	}
	for c := 0x80; c < 0xC0; c++ {
		t[c] = 0.004 // continuation bytes: 64 values share them
	}
	for c := 0xC2; c < 0xE0; c++ {
		t[c] = 0.004 // Latin, Greek, Cyrillic lead bytes
	}
	t[0xE2] = 0.006 // typographic punctuation: — “ ” ’ …
	for c := 0xE3; c <= 0xE9; c++ {
		t[c] = 0.03 // CJK lead bytes: one per character of CJK text
	}
	return t
}()
