package kotadb

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kotadb/kotadb/store"
)

// kindJSON is the Document.Kind of a JSON value stored with Put.
const kindJSON = "json"

// JSONError is a syntax error in a JSON value given to Put, with its
// position. File is the key until the caller names the real input (a file
// name, "stdin"…).
type JSONError struct {
	Position
	Message string
}

func (e *JSONError) Error() string { return e.Position.String() + ": invalid JSON: " + e.Message }

// Put stores a JSON value under key ("collection/name") as a new version
// by author. The value must be one valid JSON value; its document (see
// DB.Document) is of kind "json" and its Frontmatter holds the top-level
// fields of an object. Putting the value the key already holds makes no
// version.
func (db *DB) Put(key string, value []byte, author string) (Version, error) {
	if err := db.checkWritable(key); err != nil {
		return Version{}, fmt.Errorf("put %s: %w", key, err)
	}
	// Validate; the document itself is derived from the value when read
	// (DB.Document), so the version records only that it is JSON.
	if _, err := jsonDocument(key, value); err != nil {
		return Version{}, fmt.Errorf("put %s: %w", key, err)
	}
	v, err := db.st.PutDoc(key, value, store.DocInfo{Kind: store.DocJSON}, author)
	if err == nil {
		err = db.refreshIndices()
	}
	if err != nil {
		return Version{}, fmt.Errorf("put %s: %w", key, err)
	}
	return v, nil
}

// jsonDocument validates value and builds its metadata. The Document has
// no times: the version records when it was written, and identical puts
// must produce identical metadata to be recognised as no change.
func jsonDocument(key string, value []byte) (*Document, error) {
	fields, err := decodeJSON(key, value)
	if err != nil {
		return nil, err
	}
	_, name, _ := strings.Cut(key, "/")
	sum := sha256.Sum256(value)
	doc := &Document{
		Path:  name,
		Kind:  kindJSON,
		Lang:  "json",
		Title: path.Base(name),
		Hash:  hex.EncodeToString(sum[:]),
		Size:  int64(len(value)),
		Lines: bytes.Count(value, []byte("\n")) + 1,
	}
	if obj, ok := fields.(map[string]any); ok {
		doc.Frontmatter = obj
		if t, ok := obj["title"].(string); ok && strings.TrimSpace(t) != "" {
			doc.Title = strings.TrimSpace(t)
		}
	}
	return doc, nil
}

// decodeJSON parses exactly one JSON value, reporting errors with the
// line and column where they are.
func decodeJSON(file string, data []byte) (any, error) {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		return nil, jsonError(file, data, off, "invalid UTF-8")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, jsonError(file, data, len(data), "empty value")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // 1e400 is valid JSON but no float64: see plainNumbers
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			// Offset counts the offending byte; point at it, not after it.
			return nil, jsonError(file, data, int(se.Offset)-1, se.Error())
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, jsonError(file, data, len(data), "unexpected end of input")
		}
		return nil, jsonError(file, data, int(dec.InputOffset()), err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, jsonError(file, data, int(dec.InputOffset()), "unexpected data after the value")
	}
	return plainNumbers(v), nil
}

// plainNumbers turns the json.Numbers of v into float64, as the indices
// expect, keeping the ones a float64 cannot hold (1e400) as their text.
func plainNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if f, err := strconv.ParseFloat(string(v), 64); err == nil {
			return f
		}
		return string(v)
	case []any:
		for i := range v {
			v[i] = plainNumbers(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = plainNumbers(v[k])
		}
	}
	return v
}

// jsonError places offset as 1-based line and byte column.
func jsonError(file string, data []byte, offset int, msg string) *JSONError {
	offset = max(0, min(offset, len(data)))
	line := bytes.Count(data[:offset], []byte("\n")) + 1
	col := offset - (bytes.LastIndexByte(data[:offset], '\n') + 1) + 1
	return &JSONError{Position: Position{File: file, Line: line, Column: col}, Message: msg}
}
