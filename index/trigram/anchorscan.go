package trigram

import "bytes"

// This file holds the anchor scan of substringFinder: following the
// IndexByte hits of an anchor's bytes, and switching anchors when the text
// proves the guessed-rare one common.

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

func indexByteFrom(text []byte, c byte, from int) int {
	if from >= len(text) {
		return -1
	}
	if i := bytes.IndexByte(text[from:], c); i >= 0 {
		return from + i
	}
	return -1
}
