package query_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/kotadb/kotadb/query"
)

// FuzzParseKQL: no input panics; a query that parses prints as KQL that
// parses to the same query, and survives its JSON form unchanged.
func FuzzParseKQL(f *testing.F) {
	for _, s := range kqlCases {
		f.Add(s)
	}
	for _, s := range []string{`"`, `(`, `)`, `-`, `/`, `[[`, `a:`, `"a":b`, `x:"a"..`, `tag:=`, `near:x depth:`, `sort:`, `#`, `~`, `a~0`, `--`, `\`, "\x00", "a\u00a0b", `exact:title:"x"`, `path:"="`, `x:>"1"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := query.ParseKQL(src)
		if err != nil {
			if _, ok := err.(*query.SyntaxError); !ok {
				t.Fatalf("ParseKQL(%q) error is %T, not a SyntaxError: %v", src, err, err)
			}
			return
		}
		printed := q.String()
		again, err := query.ParseKQL(printed)
		if err != nil {
			t.Fatalf("ParseKQL(%q) printed as %q, which does not parse: %v", src, printed, err)
		}
		if !reflect.DeepEqual(q, again) {
			a, _ := json.Marshal(q)
			b, _ := json.Marshal(again)
			t.Fatalf("ParseKQL(%q) printed as %q parses differently:\n%s\n%s", src, printed, a, b)
		}
		js, err := json.Marshal(q)
		if err != nil {
			t.Fatalf("encoding %q: %v", src, err)
		}
		decoded, err := query.DecodeJSON(js)
		if err != nil {
			t.Fatalf("%q as JSON %s does not decode: %v", src, js, err)
		}
		q.Version = query.Version
		if !reflect.DeepEqual(q, decoded) {
			b, _ := json.Marshal(decoded)
			t.Fatalf("%q through JSON changed:\n%s\n%s", src, js, b)
		}
	})
}

// FuzzDecodeJSON: no input panics; a query that decodes encodes to JSON
// that decodes to the same query.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range kqlCases {
		if q, err := query.ParseKQL(s); err == nil {
			js, _ := json.Marshal(q)
			f.Add(js)
		}
	}
	for _, s := range []string{`{}`, `{"version":1,"where":{"and":[]}}`, `{"version":1,"where":{"field":{"name":"x","eq":{"date":"today"}}}}`,
		`{"version":1,"where":{"path":{"from":"a"}}}`, `[`, `{"version":1,"where":{"not":{"not":{"tag":"a"}}}}`, `{"version":1e0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := query.DecodeJSON(data)
		if err != nil {
			if _, ok := err.(*query.Error); !ok {
				t.Fatalf("DecodeJSON error is %T, not a *query.Error: %v", err, err)
			}
			return
		}
		js, err := json.Marshal(q)
		if err != nil {
			t.Fatalf("encoding: %v", err)
		}
		again, err := query.DecodeJSON(js)
		if err != nil {
			t.Fatalf("re-encoded %s does not decode: %v", js, err)
		}
		if !reflect.DeepEqual(q, again) {
			b, _ := json.Marshal(again)
			t.Fatalf("JSON round trip changed the query:\n%s\n%s", js, b)
		}
		_ = q.String() // printing any valid query must not panic
	})
}
