// Package analysis turns text into index terms: Unicode-aware tokenization
// (letters and digits), identifier splitting (camelCase, snake_case,
// kebab-case, dotted.names) that also keeps the whole identifier, folding
// (lower case, no diacritics), CJK text as overlapping bigrams, and English
// stemming. Queries and documents go through the same code, so whatever a
// document's text yields, the same words typed in a query yield too.
package analysis

import (
	"unicode"
	"unicode/utf8"
)

// Kind says how a token relates to the word it came from.
type Kind uint8

const (
	// Word is a plain word: an identifier with a single part.
	Word Kind = iota
	// Part is one part of a compound identifier ("work" in
	// maintenance_work_mem). Parts take consecutive positions so that a
	// phrase query "work mem" matches.
	Part
	// Compound is a whole compound identifier ("maintenance_work_mem",
	// "usestate"); it takes the position of its first part, so phrases over
	// parts still line up with the words around it.
	Compound
	// CJK is an overlapping bigram of Han, kana or Hangul characters (or a
	// lone character when the run has one). Bigrams take consecutive
	// positions, so a CJK query is matched as a phrase of its bigrams.
	CJK
)

func (k Kind) String() string {
	switch k {
	case Word:
		return "word"
	case Part:
		return "part"
	case Compound:
		return "compound"
	case CJK:
		return "cjk"
	}
	return "unknown"
}

// MaxTermLen is the longest term kept, in bytes; longer tokens (base64
// blobs, long hashes) still take their position but are not emitted.
const MaxTermLen = 128

// Token is one term with where it came from.
type Token struct {
	// Term is the folded term. It is only valid until the next call to Next.
	Term []byte
	// Pos is the token position: consecutive words differ by one.
	Pos int
	// Start and End are the byte offsets of the token's source text.
	Start, End int
	Kind       Kind
	// Word numbers the source words (identifiers and CJK runs) from 0:
	// tokens cut from one word share it.
	Word int
}

type span struct{ start, end int }

// Tokenizer produces tokens from a text without allocating per token: reuse
// one Tokenizer with Reset. The zero value is ready to use after Reset.
type Tokenizer struct {
	text []byte
	off  int // next byte to scan
	pos  int // position of the next word
	word int // index of the next word

	// The identifier being emitted.
	inIdent  bool
	parts    []span
	whole    span
	nextPart int // -1 while the whole has not been considered

	// The CJK run being emitted: rune start offsets, plus its end.
	inCJK    bool
	runes    []int
	nextGram int
	tok      Token
	buf      []byte
}

// Reset starts tokenizing text. Positions restart at 0.
func (t *Tokenizer) Reset(text []byte) { t.ResetAt(text, 0) }

// ResetAt starts tokenizing text with positions starting at pos, for fields
// made of several values (headings, tags) that are indexed one after
// another with a gap.
func (t *Tokenizer) ResetAt(text []byte, pos int) {
	t.text = text
	t.off = 0
	t.pos = pos
	t.word = 0
	t.inIdent = false
	t.inCJK = false
}

// Pos returns the position the next word will take; after the last token it
// is one past the last position used.
func (t *Tokenizer) Pos() int { return t.pos }

// Token returns the current token; valid until the next call to Next.
func (t *Tokenizer) Token() *Token { return &t.tok }

// Next advances to the next token and reports whether there is one.
func (t *Tokenizer) Next() bool {
	for {
		if t.inIdent {
			if t.emitIdent() {
				return true
			}
			continue
		}
		if t.inCJK {
			if t.emitCJK() {
				return true
			}
			continue
		}
		if !t.scan() {
			return false
		}
	}
}

// scan skips to the next word and prepares it for emission.
func (t *Tokenizer) scan() bool {
	text := t.text
	for t.off < len(text) {
		c := text[t.off]
		if c < utf8.RuneSelf {
			if asciiClass[c] == classAlnum {
				t.scanIdent()
				return true
			}
			t.off++
			continue
		}
		r, size := utf8.DecodeRune(text[t.off:])
		switch {
		case isCJK(r):
			t.scanCJK()
			return true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			t.scanIdent()
			return true
		}
		t.off += size
	}
	return false
}

const (
	classOther = iota
	classAlnum
	classConnector
)

var asciiClass = func() (c [utf8.RuneSelf]uint8) {
	for b := '0'; b <= '9'; b++ {
		c[b] = classAlnum
	}
	for b := 'a'; b <= 'z'; b++ {
		c[b] = classAlnum
		c[b-'a'+'A'] = classAlnum
	}
	c['_'], c['-'], c['.'] = classConnector, classConnector, classConnector
	return c
}()

// isWordRune reports runes that continue an identifier: letters, digits and
// combining marks (which belong to the letter before them).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r] == classAlnum
	}
	return !isCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}

func isAlnum(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r] == classAlnum
	}
	return !isCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// isCJK reports runes indexed as bigrams: Han, Hiragana, Katakana (with the
// prolonged sound mark) and Hangul, which are written without spaces.
func isCJK(r rune) bool {
	if r < 0x1100 {
		return false
	}
	// The blocks most CJK text is made of (CJK Unified Ideographs with
	// Extension A, Hangul syllables) are wholly in the tables below, which
	// are searched rune by rune otherwise (TestIsCJKFastPath checks every
	// rune).
	if r >= 0x4E00 && r < 0xA000 || r >= 0x3400 && r < 0x4DC0 || r >= 0xAC00 && r < 0xD7A4 {
		return true
	}
	return r == 0x30FC || r == 0x3005 ||
		unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// scanIdent reads an identifier at t.off: runs of word runes joined by a
// single '_', '-' or '.' followed by another letter or digit, and cuts it
// into parts at the connectors and at camelCase boundaries.
func (t *Tokenizer) scanIdent() {
	text := t.text
	start := t.off
	i := start
	t.parts = t.parts[:0]
	for {
		chunk := i
		for i < len(text) {
			c := text[i]
			if c < utf8.RuneSelf {
				if asciiClass[c] != classAlnum {
					break
				}
				i++
				continue
			}
			r, size := utf8.DecodeRune(text[i:])
			if !isWordRune(r) {
				break
			}
			i += size
		}
		t.splitCamel(chunk, i)
		if i+1 < len(text) && text[i] < utf8.RuneSelf && asciiClass[text[i]] == classConnector {
			r, _ := utf8.DecodeRune(text[i+1:])
			if isAlnum(r) {
				i++
				continue
			}
		}
		break
	}
	t.whole = span{start, i}
	t.off = i
	t.inIdent = true
	t.nextPart = -1
}

// Letter cases for camelCase splitting.
const (
	caseNone = iota // marks, letters without case
	caseLower
	caseUpper
	caseDigit
)

// asciiCase is runeCase of the ASCII bytes.
var asciiCase = func() (c [utf8.RuneSelf]uint8) {
	for b := range c {
		c[b] = uint8(runeCase(rune(b)))
	}
	return c
}()

func runeCase(r rune) int {
	switch {
	case 'a' <= r && r <= 'z':
		return caseLower
	case 'A' <= r && r <= 'Z':
		return caseUpper
	case '0' <= r && r <= '9':
		return caseDigit
	case r < utf8.RuneSelf:
		return caseNone
	case unicode.IsLower(r):
		return caseLower
	case unicode.IsUpper(r) || unicode.IsTitle(r):
		return caseUpper
	case unicode.IsDigit(r):
		return caseDigit
	}
	return caseNone
}

// splitCamel appends the parts of text[a:b]: a boundary comes before an
// upper-case letter that follows a lower-case letter or a digit (useState,
// v2Api) and before the last capital of a run followed by a lower-case
// letter (HTTPServer → HTTP, Server).
func (t *Tokenizer) splitCamel(a, b int) {
	text := t.text
	partStart := a
	prev, prevPos := caseNone, -1
	for i := a; i < b; {
		var cur, size int
		if c := text[i]; c < utf8.RuneSelf {
			cur, size = int(asciiCase[c]), 1
		} else {
			var r rune
			r, size = utf8.DecodeRune(text[i:b])
			cur = runeCase(r)
		}
		if cur == caseUpper && i > partStart {
			split := prev == caseLower || prev == caseDigit
			if !split && prev == caseUpper && i+size < b {
				nr, _ := utf8.DecodeRune(text[i+size : b])
				split = runeCase(nr) == caseLower
			}
			if split {
				t.parts = append(t.parts, span{partStart, i})
				partStart = i
			}
		}
		if cur != caseNone || prevPos < 0 {
			prev = cur
		}
		prevPos = i
		i += size
	}
	if partStart < b {
		t.parts = append(t.parts, span{partStart, b})
	}
}

// emitIdent emits the pending identifier's tokens one per call: the whole
// (when there are several parts), then each part.
func (t *Tokenizer) emitIdent() bool {
	base := t.pos
	if t.nextPart < 0 {
		t.nextPart = 0
		if len(t.parts) > 1 && t.setTerm(t.whole, Compound, base) {
			return true
		}
	}
	for t.nextPart < len(t.parts) {
		i := t.nextPart
		t.nextPart++
		kind := Part
		if len(t.parts) == 1 {
			kind = Word
		}
		if t.setTerm(t.parts[i], kind, base+i) {
			return true
		}
	}
	t.inIdent = false
	t.pos += len(t.parts)
	t.word++
	return false
}

// setTerm fills t.tok from a span; it reports false (and emits nothing)
// when the folded term is empty or too long.
func (t *Tokenizer) setTerm(s span, kind Kind, pos int) bool {
	t.buf = AppendFold(t.buf[:0], t.text[s.start:s.end])
	if len(t.buf) == 0 || len(t.buf) > MaxTermLen {
		return false
	}
	// Field by field: assigning a whole Token literal built a temporary and
	// copied it, the largest single cost of tokenizing.
	tok := &t.tok
	tok.Term, tok.Pos, tok.Start, tok.End, tok.Kind, tok.Word = t.buf, pos, s.start, s.end, kind, t.word
	return true
}

// scanCJK reads a run of CJK runes at t.off.
func (t *Tokenizer) scanCJK() {
	text := t.text
	t.runes = t.runes[:0]
	i := t.off
	for i < len(text) {
		r, size := utf8.DecodeRune(text[i:])
		if !isCJK(r) {
			break
		}
		t.runes = append(t.runes, i)
		i += size
	}
	t.runes = append(t.runes, i)
	t.off = i
	t.inCJK = true
	t.nextGram = 0
}

// emitCJK emits the run's bigrams (or its single character) one per call.
func (t *Tokenizer) emitCJK() bool {
	n := len(t.runes) - 1 // runes in the run
	grams := n - 1
	if n == 1 {
		grams = 1
	}
	for t.nextGram < grams {
		g := t.nextGram
		t.nextGram++
		end := t.runes[min(g+2, n)]
		if t.setTerm(span{t.runes[g], end}, CJK, t.pos+g) {
			return true
		}
	}
	t.inCJK = false
	t.pos += grams
	t.word++
	return false
}

// Tokens returns all tokens of text with their terms copied; for queries,
// tests and tools, not for the indexing hot path.
func Tokens(text string) []Token {
	var t Tokenizer
	t.Reset([]byte(text))
	var out []Token
	for t.Next() {
		tok := *t.Token()
		tok.Term = append([]byte(nil), tok.Term...)
		out = append(out, tok)
	}
	return out
}
