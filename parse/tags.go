package parse

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalizeTag turns "#Engineering/Backend/" into "engineering/backend". It
// reports false for what is not a tag: nothing left, or only digits, '-' and
// '/' ("#123" is not a tag in Obsidian; "#---" and "#1-2" are not either,
// which is stricter than Obsidian and keeps rulers and numbering out).
func normalizeTag(raw string) (string, bool) {
	t := strings.TrimSpace(raw)
	t = strings.TrimPrefix(t, "#")
	t = strings.TrimRight(t, "/")
	if t == "" {
		return "", false
	}
	meaningful := false
	for i := 0; i < len(t); i++ {
		if c := t[i]; (c < '0' || c > '9') && c != '-' && c != '/' {
			meaningful = true
			break
		}
	}
	if !meaningful {
		return "", false
	}
	return strings.ToLower(t), true
}

// addTag records a tag; invalid ones are dropped.
func (p *parser) addTag(raw string) {
	if t, ok := normalizeTag(raw); ok {
		p.doc.Tags = append(p.doc.Tags, t)
	}
}

// addInlineTag records a tag found in the body. A tag already recorded is
// not converted to a string again: notes repeat their tags.
func (p *parser) addInlineTag(raw []byte) {
	var buf [64]byte
	if len(raw) <= len(buf) {
		lower := buf[:len(raw)]
		for i, c := range raw {
			if c >= utf8.RuneSelf {
				lower = nil // leave Unicode case mapping to normalizeTag
				break
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[i] = c
		}
		if lower != nil {
			trimmed := bytes.TrimRight(lower, "/")
			for _, t := range p.doc.Tags {
				if t == string(trimmed) {
					return
				}
			}
		}
	}
	p.addTag(string(raw))
}

// finishTags sorts and deduplicates the collected tags.
func (p *parser) finishTags() {
	if len(p.doc.Tags) == 0 {
		p.doc.Tags = nil
		return
	}
	slices.Sort(p.doc.Tags)
	p.doc.Tags = slices.Compact(p.doc.Tags)
}

// tagByte marks the ASCII bytes that may appear in an inline tag.
var tagByte = func() (t [utf8.RuneSelf]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['_'], t['-'], t['/'] = true, true, true
	return t
}()

// scanTag reads an inline tag whose '#' is at text[i]. It returns the raw
// tag (without '#') and the offset just after it; raw is empty when there is
// no tag here. A tag starts a line or follows white space, so URL fragments
// (x.com/#a), entities (&#123;), wikilink headings ([[a#b]]) and heading
// ids ({#id}) are not tags; it runs over letters, digits, marks, '_', '-'
// and '/'.
func scanTag(text []byte, i int) (raw []byte, end int) {
	if i > 0 {
		prev := text[i-1]
		if prev < utf8.RuneSelf {
			if prev != ' ' && prev != '\t' {
				return nil, i + 1
			}
		} else if r, _ := utf8.DecodeLastRune(text[:i]); !unicode.IsSpace(r) {
			return nil, i + 1
		}
	}
	j := i + 1
	for j < len(text) {
		c := text[j]
		if c < utf8.RuneSelf {
			if !tagByte[c] {
				break
			}
			j++
			continue
		}
		r, size := utf8.DecodeRune(text[j:])
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)) {
			break
		}
		j += size
	}
	return text[i+1 : j], j
}
