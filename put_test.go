package kotadb

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantPos string // file:line:col of the error, "" for valid input
		wantMsg string
	}{
		{name: "object", in: `{"a": 1}`},
		{name: "array", in: `[1, "two", null]`},
		{name: "string", in: `"s"`},
		{name: "number with spaces", in: " 42 \n"},
		{name: "trailing comma", in: `{"name": "Carol",}`, wantPos: "in:1:18", wantMsg: "invalid character '}'"},
		{name: "second line", in: "{\n  \"a\": 1\n  \"b\": 2\n}", wantPos: "in:3:3", wantMsg: "after object key:value pair"},
		{name: "truncated", in: `{"a": [1, 2`, wantPos: "in:1:12", wantMsg: "unexpected end of input"},
		{name: "two values", in: `{} {}`, wantPos: "in:1:", wantMsg: "unexpected data after the value"},
		{name: "garbage after", in: `1 x`, wantPos: "in:1:", wantMsg: "unexpected data after the value"},
		{name: "empty", in: ``, wantPos: "in:1:1", wantMsg: "empty value"},
		{name: "blank", in: "  \n ", wantPos: "in:2:2", wantMsg: "empty value"},
		{name: "bad UTF-8", in: "[\"a\xffb\"]", wantPos: "in:1:4", wantMsg: "invalid UTF-8"},
		{name: "bare word", in: `hello`, wantPos: "in:1:1", wantMsg: "invalid character 'h'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeJSON("in", []byte(tt.in))
			if tt.wantPos == "" {
				if err != nil {
					t.Fatalf("decodeJSON(%q): %v", tt.in, err)
				}
				return
			}
			var je *JSONError
			if !errors.As(err, &je) {
				t.Fatalf("decodeJSON(%q) = %v; want a *JSONError", tt.in, err)
			}
			if !strings.HasPrefix(je.Position.String(), tt.wantPos) || !strings.Contains(je.Message, tt.wantMsg) {
				t.Errorf("decodeJSON(%q) = %v; want at %s containing %q", tt.in, err, tt.wantPos, tt.wantMsg)
			}
		})
	}
}

func TestJSONDocument(t *testing.T) {
	doc, err := jsonDocument("agents/team/alice.json", []byte(`{"title": " Alice ", "age": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Path != "team/alice.json" || doc.Kind != "json" || doc.Lang != "json" || doc.Title != "Alice" ||
		doc.Frontmatter["age"] != float64(3) || doc.Size != 30 || len(doc.Hash) != 64 {
		t.Errorf("jsonDocument: %+v", doc)
	}
	huge, err := jsonDocument("agents/huge", []byte(`{"n": 1e400, "m": [2]}`))
	if err != nil {
		t.Fatal(err)
	}
	if huge.Frontmatter["n"] != "1e400" || huge.Frontmatter["m"].([]any)[0] != float64(2) {
		t.Errorf("numbers of jsonDocument: %#v", huge.Frontmatter)
	}
	arr, err := jsonDocument("agents/list", []byte(`[1]`))
	if err != nil {
		t.Fatal(err)
	}
	if arr.Title != "list" || arr.Frontmatter != nil {
		t.Errorf("jsonDocument of an array: %+v", arr)
	}
	// Identical values give identical metadata, so a repeated put is no change.
	a, _ := json.Marshal(doc)
	again, _ := jsonDocument("agents/team/alice.json", []byte(`{"title": " Alice ", "age": 3}`))
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Errorf("metadata differs between identical puts:\n%s\n%s", a, b)
	}
}

// FuzzDecodeJSON checks decodeJSON against encoding/json's own verdict and
// that every error points inside the input.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a": 1}`, `[1, 2`, `{"a":}`, "{\n\"a\": 1,\n}", `"\u00e9"`, `1 2`, "", "\xff", `{"a": [{"b": null}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := decodeJSON("f", data)
		// Unlike encoding/json, decodeJSON rejects invalid UTF-8: stored
		// values are text.
		if valid := json.Valid(data) && utf8.Valid(data); valid != (err == nil) {
			t.Fatalf("decodeJSON(%q) = %v, valid UTF-8 JSON = %v", data, err, valid)
		}
		if err == nil {
			return
		}
		var je *JSONError
		if !errors.As(err, &je) {
			t.Fatalf("decodeJSON(%q) = %v; want a *JSONError", data, err)
		}
		lines := strings.Split(string(data), "\n")
		if je.Line < 1 || je.Line > len(lines) || je.Column < 1 || je.Column > len(lines[je.Line-1])+1 {
			t.Fatalf("decodeJSON(%q): position %d:%d is outside the input", data, je.Line, je.Column)
		}
	})
}
