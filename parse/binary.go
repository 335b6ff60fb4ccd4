package parse

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// binarySniffLen is how much of a file IsBinary looks at: the same 8 KiB
// window git uses to decide whether a file is binary.
const binarySniffLen = 8 << 10

// maxBadPercent is the share of invalid UTF-8 or control bytes above which a
// file without NUL bytes is still treated as binary. Text in a legacy 8-bit
// encoding (Latin-1 with a few accents) stays well under it; compressed or
// encrypted data is far above it.
const maxBadPercent = 30

// IsBinary reports whether content looks like a binary file rather than
// text, and if so why: a NUL byte in the first 8 KiB, or a first 8 KiB that
// is mostly invalid UTF-8 or control characters.
func IsBinary(content []byte) (bool, string) {
	sample := sniffSample(content)
	if i := bytes.IndexByte(sample, 0); i >= 0 {
		return true, nulReason(i)
	}
	var ts textScanner
	ts.scan(sample)
	binary, reason, _ := judgeSample(sample, ts.controls)
	return binary, reason
}

// sniffSample is the first 8 KiB of content, ended at a character boundary
// so that a character cut in half does not count as invalid.
func sniffSample(content []byte) []byte {
	n := len(content)
	if n > binarySniffLen {
		n = binarySniffLen
		for back := 0; back < utf8.UTFMax-1 && !utf8.RuneStart(content[n]); back++ {
			n--
		}
	}
	return content[:n]
}

func nulReason(offset int) string {
	return fmt.Sprintf("contains NUL byte at offset %d", offset)
}

// judgeSample decides from a sample without NUL bytes and its count of
// control bytes whether the file is binary; it also reports whether the
// sample is valid UTF-8.
func judgeSample(sample []byte, controls int) (binary bool, reason string, valid bool) {
	bad := controls
	valid = utf8.Valid(sample)
	if !valid {
		bad += invalidUTF8Bytes(sample)
	}
	if len(sample) > 0 && bad*100 > len(sample)*maxBadPercent {
		return true, fmt.Sprintf("%d of the first %d bytes are invalid UTF-8 or control characters", bad, len(sample)), valid
	}
	return false, "", valid
}

// invalidUTF8Bytes counts the bytes of b that are not part of a valid UTF-8
// sequence.
func invalidUTF8Bytes(b []byte) int {
	bad := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			bad++
		}
		i += size
	}
	return bad
}

// isControl reports whether c is an ASCII control byte that does not occur
// in ordinary text files (tab, newline, carriage return, form feed, vertical
// tab and escape do).
func isControl(c byte) bool {
	switch c {
	case '\t', '\n', '\r', '\f', '\v', 0x1b:
		return false
	}
	return c < 0x20 || c == 0x7f
}

// firstInvalidUTF8 returns the byte offset of the first byte of content that
// is not part of a valid UTF-8 sequence, or -1 when content is valid.
func firstInvalidUTF8(content []byte) int {
	if utf8.Valid(content) {
		return -1
	}
	for i := 0; i < len(content); {
		if content[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(content[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}
