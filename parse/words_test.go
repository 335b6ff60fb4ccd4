package parse

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// wordsModel is the obviously correct statement of the word rule that
// textScanner implements with bit tricks: split at white space (ASCII
// control characters count as space), keep the pieces that have a letter or
// digit, and count every CJK character as a word on its own.
func wordsModel(s string) int {
	s = strings.ToValidUTF8(s, "\uFFFD") // invalid bytes are neither letters nor spaces
	var b strings.Builder
	for _, r := range s {
		switch {
		case isCJK(r):
			b.WriteString(" x ")
		case r < 0x80 && r <= ' ', r >= 0x80 && unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	n := 0
	for _, field := range strings.Split(b.String(), " ") {
		for _, r := range field {
			if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') ||
				r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				n++
				break
			}
		}
	}
	return n
}

func TestCountWords(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"one", 1},
		{"  two words  ", 2},
		{"well-known don't", 2},
		{"--- | - * >", 0},
		{"| a | b |\n|---|---|", 2},
		{"**bold** _it_ `code`", 3},
		{"tab\tseparated\nlines\r\nhere", 4},
		{"café naïve Ελληνικά русский", 4},
		{"日本語", 3},
		{"中文abc文字", 5},
		{"한국어 텍스트", 6},
		{"トレース", 4},
		{"a\u00a0b\u3000c", 3},
		{"x\x00y", 2},
		{"12 3.14 v1.2", 3},
		{"exactly8 bytes!!", 2},
		{strings.Repeat("word ", 100), 100},
	}
	for _, tt := range tests {
		if got := countWords([]byte(tt.text)); got != tt.want {
			t.Errorf("countWords(%q) = %d, want %d", tt.text, got, tt.want)
		}
		if model := wordsModel(tt.text); model != tt.want {
			t.Errorf("wordsModel(%q) = %d, want %d (the test table is wrong)", tt.text, model, tt.want)
		}
	}
}

// TestCountWordsRandom checks the SWAR scanner against the model on random
// text drawn from an alphabet that hits every byte class, and fed in random
// pieces the way Parse feeds it.
func TestCountWordsRandom(t *testing.T) {
	alphabet := []string{"a", "Z", "0", "9", " ", "\t", "\n", "\r", "-", "|", "#", "[", "@", "`", "{", "\x01", "\x1b", "\x7f",
		"é", "日", "カ", "한", "\u00a0", "\u3000", "—", "😀", "\xff", "\xe6\x97"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		text := b.String()
		want := wordsModel(text)
		if got := countWords([]byte(text)); got != want {
			t.Fatalf("countWords(%q) = %d, model says %d", text, got, want)
		}
		// Split at a character boundary, as Parse does.
		cut := rng.IntN(len(text) + 1)
		for cut < len(text) && text[cut]&0xC0 == 0x80 {
			cut++
		}
		var ts textScanner
		ts.scan([]byte(text[:cut]))
		ts.scan([]byte(text[cut:]))
		if ts.total() != want {
			t.Fatalf("scanning %q in two pieces at %d = %d words, model says %d", text, cut, ts.total(), want)
		}
	}
}

func TestTextScannerControls(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{
		{"plain text\twith\ttabs\r\n", 0},
		{"\x1b[1mbold\x1b[0m", 0},
		{"\x01\x02\x03 abc \x7f", 4},
		{strings.Repeat("\x06", 17), 17},
	} {
		var ts textScanner
		ts.scan([]byte(tt.text))
		if ts.controls != tt.want {
			t.Errorf("controls in %q = %d, want %d", tt.text, ts.controls, tt.want)
		}
	}
}
