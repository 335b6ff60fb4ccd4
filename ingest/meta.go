package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/kotadb/kotadb/parse"
)

// The metadata stored beside each file is its parse.Document as
// encoding/json writes it: that JSON is a public format (`kotadb get
// --meta`). Reflection-driven encoding was a twentieth of a cold ingest, so
// appendDocument writes the same bytes directly, and hands the rare value
// it does not know (or that encoding/json would refuse, like a time past
// year 9999) back to encoding/json, whose output or error is then the
// answer. The tests hold the two byte-for-byte equal on the corpora, on
// hand-picked values and under fuzzing.

// errUnusual marks a value appendDocument leaves to encoding/json.
var errUnusual = errors.New("value left to encoding/json")

// encodeMeta returns the metadata stored beside a file: its Document as
// JSON, warnings attributed to the file.
func encodeMeta(doc *parse.Document, rel string) ([]byte, error) {
	for i := range doc.Warnings {
		if doc.Warnings[i].File == "" {
			doc.Warnings[i].File = rel
		}
	}
	meta, err := appendDocument(make([]byte, 0, 1024), doc)
	if err != nil {
		meta, err = json.Marshal(doc)
	}
	if err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}
	return meta, nil
}

// appendDocument appends json.Marshal(d) to b, or fails with errUnusual.
// The field order and omitempty rules are parse.Document's struct tags.
func appendDocument(b []byte, d *parse.Document) ([]byte, error) {
	var err error
	b = appendKey(b, `{"path":`, d.Path)
	b = appendKey(b, `,"kind":`, d.Kind)
	b = appendKey(b, `,"lang":`, d.Lang)
	b = appendKey(b, `,"title":`, d.Title)
	if len(d.Frontmatter) > 0 {
		b = append(b, `,"frontmatter":`...)
		if b, err = appendMap(b, d.Frontmatter, 0); err != nil {
			return nil, err
		}
	}
	if len(d.Tags) > 0 {
		b = appendStrings(append(b, `,"tags":`...), d.Tags)
	}
	if len(d.Links) > 0 {
		b = append(b, `,"links":[`...)
		for i, l := range d.Links {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKey(b, `{"kind":`, string(l.Kind))
			b = appendKey(b, `,"target":`, l.Target)
			if l.Heading != "" {
				b = appendKey(b, `,"heading":`, l.Heading)
			}
			if l.Alias != "" {
				b = appendKey(b, `,"alias":`, l.Alias)
			}
			b = strconv.AppendInt(append(b, `,"line":`...), int64(l.Line), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(d.Aliases) > 0 {
		b = appendStrings(append(b, `,"aliases":`...), d.Aliases)
	}
	if len(d.Headings) > 0 {
		b = append(b, `,"headings":[`...)
		for i, h := range d.Headings {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(append(b, `{"level":`...), int64(h.Level), 10)
			b = appendKey(b, `,"text":`, h.Text)
			b = appendKey(b, `,"anchor":`, h.Anchor)
			b = strconv.AppendInt(append(b, `,"line":`...), int64(h.Line), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = strconv.AppendInt(append(b, `,"words":`...), int64(d.Words), 10)
	b = strconv.AppendInt(append(b, `,"lines":`...), int64(d.Lines), 10)
	b = appendKey(b, `,"hash":`, d.Hash)
	b = strconv.AppendInt(append(b, `,"size":`...), d.Size, 10)
	if b, err = appendTime(append(b, `,"created":`...), d.Created); err != nil {
		return nil, err
	}
	if b, err = appendTime(append(b, `,"updated":`...), d.Updated); err != nil {
		return nil, err
	}
	b = strconv.AppendInt(append(b, `,"body":`...), int64(d.Body), 10)
	if len(d.Warnings) > 0 {
		b = append(b, `,"warnings":[`...)
		for i, w := range d.Warnings {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKey(b, `{"file":`, w.File)
			b = strconv.AppendInt(append(b, `,"line":`...), int64(w.Line), 10)
			b = strconv.AppendInt(append(b, `,"column":`...), int64(w.Column), 10)
			b = appendKey(b, `,"message":`, w.Message)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendKey appends a literal (a key with its punctuation) and a string.
func appendKey(b []byte, key, s string) []byte {
	return appendString(append(b, key...), s)
}

func appendStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendTime writes t as time.Time.MarshalJSON does; its error (a year
// outside 0-9999) goes to encoding/json, which reports it its own way.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, errUnusual
	}
	return append(b, '"'), nil
}

// maxValueDepth bounds the nesting appendValue follows itself; deeper
// values (which parse does not make) go to encoding/json.
const maxValueDepth = 200

// appendValue writes one frontmatter value: the types parse documents for
// Frontmatter, and any other integer.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxValueDepth {
		return nil, errUnusual
	}
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case float64:
		return appendFloat(b, v)
	case time.Time:
		return appendTime(b, v)
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, item := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, item, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		return appendMap(b, v, depth+1)
	}
	return nil, errUnusual
}

// appendMap writes a map with its keys in byte order, as encoding/json does.
func appendMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, k), ':')
		var err error
		if b, err = appendValue(b, m[k], depth); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendFloat writes f like encoding/json: the shortest representation,
// in exponent form below 1e-6 and from 1e21, with a one-digit negative
// exponent written without its leading zero. NaN and infinities, which
// JSON cannot hold, go to encoding/json for its error.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errUnusual
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// htmlSafe marks the ASCII bytes encoding/json writes as they are: not
// control characters, not '"' or '\\', and not '<', '>' or '&', which it
// escapes so JSON can be embedded in HTML.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string exactly as encoding/json does:
// the escapes above, \b \f \n \r \t, other control characters as \u00XX,
// invalid UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
