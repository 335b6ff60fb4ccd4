package trigram

import (
	"bytes"
	"encoding/binary"
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
// Where two anchors at fixed offsets can be tested together, a pair filter
// (see pairFilter) scans instead. A pattern holding a rune whose case
// variants differ in width (k and the Kelvin sign) is looked for with the
// variants of the folded rune's width first (see narrow).
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

	// pair and typedPair replace the anchor scans when the rarest anchor
	// is common (see pairFilter).
	pair, typedPair pairFilter

	// typedFirst: looking for the typed spelling first pays, because its
	// anchors are much rarer than the case-insensitive ones. When it does
	// not, an absent spelling would only cost a second pass.
	typedFirst bool

	// narrow, for a pattern that is not fixed-width, finds the matches
	// whose runes have the widths of the folded pattern's (s, not ſ; k,
	// not the Kelvin sign): a fixed-width search, with anchors and pairs
	// all along the pattern. Every other match holds one of narrow.wide,
	// the encodings of the wider case variants (a canonical rune is the
	// orbit's smallest, so the others are never narrower), so where the
	// text has none, narrow's answer is the answer.
	narrow *substringFinder
	// wide and maxLen are set in a narrow finder: the wider variants, and
	// the length of the longest match of the pattern, of any widths.
	wide   [][]byte
	maxLen int
}

// anchor is a byte offset of the pattern to scan for.
type anchor struct {
	runeIdx     int    // index in pat of the rune holding the byte
	inRune      int    // the byte's offset in the rune
	before      int    // bytes of the folded runes before the rune
	fixedBefore bool   // all runes before it are fixed-width: a match has them at before
	bytes       []byte // the bytes a match may hold here, at most maxAnchorBytes
	inner       bool   // neither the first nor the last byte of its rune (see innerByteFreq)
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
	// maxAnchors bounds the anchors a finder keeps.
	maxAnchors = 24
	// maxOrbit bounds the runes that fold together (Unicode has at most 4).
	maxOrbit = 8
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
	f := buildFinder(s, false)
	if !f.fixed && !f.slow {
		if n := buildFinder(s, true); n.fixed {
			f.narrow = n
		}
	}
	return f
}

// buildFinder returns the finder of s or, when narrow is set, of the
// matches of s whose runes have the widths of the folded pattern's (see
// substringFinder.narrow).
func buildFinder(s string, narrow bool) *substringFinder {
	f := &substringFinder{pat: foldedRunes(s), fixed: true}
	if slices.Contains(f.pat, utf8.RuneError) {
		f.slow = true
		return f
	}
	// The anchors' byte sets live in one buffer, sized for the worst case
	// so that appending never moves it.
	sets := make([]byte, 0, len(f.pat)*utf8.UTFMax*maxOrbit)
	fixedBefore, caseless := true, true
	for i, r := range f.pat {
		members := orbit(r)
		caseless = caseless && len(members) == 1
		width := utf8.RuneLen(r)
		if narrow {
			var maxWidth int
			members, maxWidth = f.narrowMembers(members, width)
			f.maxLen += maxWidth
		}
		var encs [maxOrbit][utf8.UTFMax]byte
		runeFixed := len(members) <= maxOrbit
		for k, m := range members[:min(len(members), maxOrbit)] {
			n := utf8.EncodeRune(encs[k][:], m)
			runeFixed = runeFixed && n == width
		}
		before := len(f.folded)
		f.folded = utf8.AppendRune(f.folded, r)
		// A fixed-width rune offers each of its bytes as an anchor; another
		// rune only its first byte, where all its variants start.
		offsets := width
		if !runeFixed {
			f.fixed, offsets = false, 1
		}
		for j := range offsets {
			start := len(sets)
			for k := range min(len(members), maxOrbit) {
				if c := encs[k][j]; bytes.IndexByte(sets[start:], c) < 0 {
					sets = append(sets, c)
				}
			}
			if len(members) > maxOrbit {
				continue // unknown variants: no anchor here
			}
			f.anchors = addAnchor(f.anchors, anchor{
				runeIdx: i, inRune: j, before: before, fixedBefore: fixedBefore,
				bytes: sets[start:len(sets):len(sets)], inner: j > 0 && j < width-1,
			})
		}
		fixedBefore = fixedBefore && runeFixed
	}
	if !caseless && utf8.ValidString(s) {
		f.typed = []byte(s)
		for i, r := range s {
			for j := range utf8.RuneLen(r) {
				f.typedAnchors = addAnchor(f.typedAnchors, anchor{before: i + j, fixedBefore: true,
					bytes: f.typed[i+j : i+j+1 : i+j+1], inner: j > 0 && j < utf8.RuneLen(r)-1})
			}
		}
	}
	f.pair = choosePair(f.anchors)
	f.typedPair = choosePair(f.typedAnchors)
	// With vector pairs a pair scan costs the same whatever the bytes, so
	// the typed spelling goes first only when it has a pair and the
	// case-insensitive search has none.
	f.typedFirst = len(f.typedAnchors) > 0 && len(f.anchors) > 0 && !f.pair.ok &&
		(f.typedPair.ok && haveVectorPairs || !f.typedPair.ok && 2*f.typedAnchors[0].cost < f.anchors[0].cost)
	return f
}

// narrowMembers returns the members of an orbit that are width bytes
// long, recording the others' encodings in f.wide, and the widest
// member's width.
func (f *substringFinder) narrowMembers(members []rune, width int) (same []rune, maxWidth int) {
	maxWidth = width
	for _, m := range members {
		if n := utf8.RuneLen(m); n == width {
			same = append(same, m)
		} else {
			maxWidth = max(maxWidth, n)
			enc := utf8.AppendRune(nil, m)
			if !slices.ContainsFunc(f.wide, func(w []byte) bool { return bytes.Equal(w, enc) }) {
				f.wide = append(f.wide, enc)
			}
		}
	}
	return same, maxWidth
}

// choosePair returns the pair filter for anchors when it is expected to
// beat scanning for their rarest one, or a filter that is not ok.
func choosePair(anchors []anchor) pairFilter {
	if len(anchors) == 0 || (!haveVectorPairs && anchors[0].cost <= pairThreshold) {
		return pairFilter{}
	}
	return newPairFilter(anchors)
}

// addAnchor inserts a into list, sorted by estimated cost, unless it has
// too many bytes or list already has an anchor on the same bytes (which
// would hit the same places, only later). Only the maxAnchors rarest are
// kept: a long pattern's frequent bytes are never worth scanning for.
func addAnchor(list []anchor, a anchor) []anchor {
	if len(a.bytes) > maxAnchorBytes || slices.ContainsFunc(list, func(b anchor) bool { return bytes.Equal(a.bytes, b.bytes) }) {
		return list
	}
	for _, c := range a.bytes {
		a.cost += byteFreq(c)
	}
	if a.inner {
		a.cost = max(a.cost, innerByteFreq)
	}
	i := len(list)
	for i > 0 && list[i-1].cost > a.cost {
		i--
	}
	if i >= maxAnchors {
		return list
	}
	list = slices.Insert(list, i, a)
	return list[:min(len(list), maxAnchors)]
}

// find returns the leftmost occurrence starting at or after from, which
// must be a rune boundary of text.
func (f *substringFinder) find(text []byte, from int) (start, end int, ok bool) {
	if n := f.narrow; n != nil {
		// A match with a wide variant that starts before narrow's match
		// has its wide rune before narrow's match start plus maxLen.
		start, end, ok = n.find(text, from)
		limit := len(text)
		if ok {
			limit = min(limit, start+n.maxLen+utf8.UTFMax)
		}
		if from >= limit || !n.hasWide(text[from:limit]) {
			return start, end, ok
		}
	}
	return f.findAny(text, from)
}

// findAny is find without the narrow search: it tries matches of any
// widths.
func (f *substringFinder) findAny(text []byte, from int) (start, end int, ok bool) {
	switch {
	case len(f.pat) == 0:
		return 0, 0, false
	case f.slow || len(f.anchors) == 0:
		return f.findSlow(text, from)
	}
	verify := func(st int) (int, bool) { return f.matchFrom(text, st) }
	if f.pair.ok {
		return f.pair.scan(text, from, verify)
	}
	return scanAnchors(text, from, f.anchors, verify)
}

// contains reports whether text holds the pattern. It may look for the
// typed spelling first (see typedFirst) and only scan case-insensitively
// when that spelling is absent.
func (f *substringFinder) contains(text []byte) bool {
	if n := f.narrow; n != nil {
		if n.contains(text) {
			return true
		}
		if !n.hasWide(text) {
			return false
		}
		_, _, ok := f.findAny(text, 0)
		return ok
	}
	if _, _, ok := f.findTyped(text, 0); ok {
		return true
	}
	_, _, ok := f.find(text, 0)
	return ok
}

// hasWide reports whether text holds one of f.wide.
func (f *substringFinder) hasWide(text []byte) bool {
	return slices.ContainsFunc(f.wide, func(w []byte) bool { return bytes.Contains(text, w) })
}

// findTyped returns the first occurrence of the typed spelling at or after
// from, when looking for it first pays (see typedFirst).
func (f *substringFinder) findTyped(text []byte, from int) (start, end int, ok bool) {
	if f.narrow != nil {
		return f.narrow.findTyped(text, from)
	}
	if !f.typedFirst {
		return 0, 0, false
	}
	verify := func(st int) (int, bool) {
		end := st + len(f.typed)
		return end, end <= len(text) && bytes.Equal(text[st:end], f.typed)
	}
	if f.typedPair.ok {
		return f.typedPair.scan(text, from, verify)
	}
	return scanAnchors(text, from, f.typedAnchors, verify)
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

// isASCII reports whether b is all ASCII.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&highBits != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
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
	// Mostly the n bytes before h are ASCII, n runes: checked a word at a
	// time, that saves a rune-by-rune walk per anchor hit (a pattern with
	// an s or a k is not fixed-width, as ſ and K fold to them, so every
	// anchor after one steps back here).
	if st := h - n; st >= 0 && isASCII(text[st:h]) {
		return st, true
	}
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
