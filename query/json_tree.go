package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonNode is a parsed JSON value that, unlike map[string]any, keeps
// duplicate keys detectable, key order, and where each value starts.
type jsonNode struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str  string
	num  json.Number
	b    bool
	arr  []*jsonNode
	keys []string
	vals []*jsonNode
}

func (n *jsonNode) typeName() string {
	switch n.kind {
	case 'o':
		return "object"
	case 'a':
		return "array"
	case 's':
		return "string"
	case 'n':
		return "number"
	case 'b':
		return "boolean"
	}
	return "null"
}

// maxJSONDepth bounds nesting so a hostile query cannot exhaust the stack.
const maxJSONDepth = 200

// parseJSON parses exactly one JSON value.
func parseJSON(data []byte) (*jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readJSON(dec, data, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Msg: "trailing data after the query at " + lineCol(data, dec.InputOffset()), Hint: "send one JSON object"}
	}
	return n, nil
}

func readJSON(dec *json.Decoder, data []byte, path string, depth int) (*jsonNode, error) {
	if depth > maxJSONDepth {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("nested deeper than %d levels", maxJSONDepth)}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonSyntax(err, data, dec)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jsonNode{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, jsonSyntax(err, data, dec)
				}
				key := kt.(string) // the decoder only yields string keys
				for _, k := range n.keys {
					if k == key {
						return nil, &Error{Path: join(path, key), Msg: "duplicate key", Hint: "give each key once"}
					}
				}
				v, err := readJSON(dec, data, join(path, key), depth+1)
				if err != nil {
					return nil, err
				}
				n.keys, n.vals = append(n.keys, key), append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonSyntax(err, data, dec)
			}
			return n, nil
		case '[':
			n := &jsonNode{kind: 'a'}
			for dec.More() {
				v, err := readJSON(dec, data, fmt.Sprintf("%s[%d]", path, len(n.arr)), depth+1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonSyntax(err, data, dec)
			}
			return n, nil
		}
	case string:
		return &jsonNode{kind: 's', str: t}, nil
	case json.Number:
		return &jsonNode{kind: 'n', num: t}, nil
	case bool:
		return &jsonNode{kind: 'b', b: t}, nil
	case nil:
		return &jsonNode{kind: 'z'}, nil
	}
	return nil, &Error{Path: path, Msg: fmt.Sprintf("unexpected JSON token %v", tok)}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func jsonSyntax(err error, data []byte, dec *json.Decoder) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Error{Msg: "invalid JSON at " + lineCol(data, se.Offset) + ": " + se.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Msg: "invalid JSON: unexpected end of input at " + lineCol(data, int64(len(data))), Hint: "check for a missing } or ]"}
	}
	return &Error{Msg: "invalid JSON at " + lineCol(data, dec.InputOffset()) + ": " + err.Error()}
}

// lineCol turns a byte offset into "line L, column C" (1-based, columns in
// bytes).
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Sprintf("line %d, column %d", line, col)
}
