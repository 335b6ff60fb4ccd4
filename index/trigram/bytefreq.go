package trigram

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

// innerByteFreq is the least frequency assumed of a byte inside a
// multi-byte rune, neither its first nor its last: a block of 64 runes
// shares it (E3 83 starts half the katakana, ト, レ and ー among them),
// whereas the last byte tells the runes of a block apart.
const innerByteFreq = 0.03

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
