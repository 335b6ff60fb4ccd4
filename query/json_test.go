package query_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kotadb/kotadb/index/graph"
	"github.com/kotadb/kotadb/query"
)

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *query.Query
	}{
		{"minimal", `{"version": 1}`, &query.Query{Version: 1}},
		{"everything", `{
			"version": 1,
			"where": {"and": [
				{"text": "rust"},
				{"phrase": {"value": "error handling", "field": "body", "exact": true}},
				{"tag": {"name": "#Project/", "exact": true}},
				{"not": {"path": {"glob": "archive/**"}}},
				{"field": {"name": "priority", "gte": 2, "lt": 5}},
				{"field": {"name": "due", "eq": {"date": "today"}}},
				{"updated": "last-week"},
				{"created": {"gt": "2025-01-01"}},
				{"near": {"note": "Kota", "depth": 2, "edges": ["wikilink", "embed"], "direction": "out"}},
				{"or": [{"orphan": true}, {"unresolved": true}, {"collection": "notes"}, {"lang": "go"}]}
			]},
			"sort": ["-updated", "+path"],
			"limit": 5, "offset": 10,
			"select": ["path", "field.status"],
			"aggregate": {"group_by": "tag", "metrics": [{"op": "avg", "field": "field.priority"}]}
		}`, &query.Query{
			Version: 1,
			Where: &query.And{Exprs: []query.Expr{
				&query.Text{Value: "rust"},
				&query.Text{Kind: query.Phrase, Value: "error handling", Field: "body", Exact: true},
				&query.Tag{Name: "project", Exact: true},
				&query.Not{Expr: &query.Path{Op: query.PathGlob, Value: "archive/**"}},
				&query.Field{Name: "priority", Cond: query.Cond{Op: query.CondRange,
					Lo: &query.Bound{Value: query.Value{Kind: query.NumberValue, Raw: "2", Num: 2}, Inclusive: true},
					Hi: &query.Bound{Value: query.Value{Kind: query.NumberValue, Raw: "5", Num: 5}}}},
				&query.Field{Name: "due", Cond: query.Cond{Op: query.CondEq, Value: query.DateOf("today")}},
				&query.Date{Field: "updated", Cond: query.Cond{Op: query.CondEq, Value: query.DateOf("last-week")}},
				&query.Date{Field: "created", Cond: query.Cond{Op: query.CondRange, Lo: &query.Bound{Value: query.DateOf("2025-01-01")}}},
				&query.Near{Note: "Kota", Depth: 2, Kinds: graph.Wikilink | graph.Embed, Direction: graph.Out},
				&query.Or{Exprs: []query.Expr{&query.Orphan{}, &query.Unresolved{}, &query.Collection{Name: "notes"}, &query.Lang{Name: "go"}}},
			}},
			Sort:      []query.SortKey{{Field: "updated", Desc: true}, {Field: "path"}},
			Limit:     5,
			Offset:    10,
			Select:    []string{"path", "field.status"},
			Aggregate: &query.Aggregate{GroupBy: "tag", Metrics: []query.Metric{{Op: "avg", Field: "field.priority"}}},
		}},
	}
	for _, tt := range tests {
		got, err := query.DecodeJSON([]byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		// Encoding and decoding again changes nothing.
		js, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		again, err := query.DecodeJSON(js)
		if err != nil {
			t.Fatalf("%s: re-decoding %s: %v", tt.name, js, err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Errorf("%s: JSON round trip (-first +again):\n%s", tt.name, diff)
		}
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	tests := []struct {
		in   string
		path string
		msg  string // substring
		hint string // substring
	}{
		{`{}`, "version", "missing", `"version": 1`},
		{`{"version": 2}`, "version", "unsupported version 2", "reads version 1"},
		{`{"version": "1"}`, "version", "expected integer, got string", ""},
		{`{"version": 1.5}`, "version", "expected integer, got 1.5", ""},
		{`{"version": 1, "wher": {}}`, "wher", "unknown key", `did you mean "where"?`},
		{`{"version": 1, "where": []}`, "where", "expected expression object, got array", `{"tag": "project/kota"}`},
		{`{"version": 1, "where": {}}`, "where", "empty expression", "and, or, not"},
		{`{"version": 1, "where": {"tag": "a", "path": {"prefix": "b"}}}`, "where", "expression has 2 keys (tag, path)", `{"and": [...]}`},
		{`{"version": 1, "where": {"and": [{"tag": "a"}, {"tag": "b"}, {"tag": 3}]}}`, "where.and[2].tag", "expected string or object, got number", `{"tag": "project/kota"}`},
		{`{"version": 1, "where": {"and": []}}`, "where.and", "empty list", ""},
		{`{"version": 1, "where": {"tags": "x"}}`, "where.tags", `unknown expression "tags"`, `did you mean "tag"?`},
		{`{"version": 1, "where": {"tag": {"nam": "x"}}}`, "where.tag.nam", "unknown key", `did you mean "name"?`},
		{`{"version": 1, "where": {"tag": {"exact": true}}}`, "where.tag.name", "missing", ""},
		{`{"version": 1, "where": {"tag": ""}}`, "where.tag", `invalid tag ""`, "non-empty"},
		{`{"version": 1, "where": {"text": {"value": "x", "field": "head"}}}`, "where.text.field", `unknown text field "head"`, "title, headings or body"},
		{`{"version": 1, "where": {"text": {"value": "x", "fuzzy": 3}}}`, "where.text.fuzzy", "fuzzy 3 not allowed", "1 or 2"},
		{`{"version": 1, "where": {"phrase": {"value": "x", "fuzzy": 1}}}`, "where.phrase.fuzzy", "unknown key", ""},
		{`{"version": 1, "where": {"regex": "a("}}`, "where.regex", "invalid regular expression", "RE2"},
		{`{"version": 1, "where": {"regex": {"value": "a", "exact": true}}}`, "where.regex.exact", "unknown key", ""},
		{`{"version": 1, "where": {"path": "notes/"}}`, "where.path", "expected object, got string", `{"prefix": "notes/"}`},
		{`{"version": 1, "where": {"path": {"prefix": "a", "glob": "b*"}}}`, "where.path", "conflicting keys prefix, glob", ""},
		{`{"version": 1, "where": {"path": {}}}`, "where.path", "empty path condition", ""},
		{`{"version": 1, "where": {"path": {"from": "m", "to": "a"}}}`, "where.path", `from "m" is after to "a"`, "swap"},
		{`{"version": 1, "where": {"field": {"eq": "x"}}}`, "where.field.name", "missing", ""},
		{`{"version": 1, "where": {"field": {"name": "x"}}}`, "where.field", "missing condition", "eq, in, exists"},
		{`{"version": 1, "where": {"field": {"name": "x", "eq": 1, "in": [1]}}}`, "where.field", "conflicting keys eq, in", ""},
		{`{"version": 1, "where": {"field": {"name": "x", "gt": 1, "gte": 2}}}`, "where.field", "conflicting keys gt, gte", "at most one lower"},
		{`{"version": 1, "where": {"field": {"name": "x", "gt": true}}}`, "where.field.gt", "expected a number or a date, got bool", ""},
		{`{"version": 1, "where": {"field": {"name": "x", "lt": "soon"}}}`, "where.field.lt", `"soon" is not a date`, ""},
		{`{"version": 1, "where": {"field": {"name": "x", "gte": 5, "lte": 1}}}`, "where.field", "range 5..1 is empty", "swap"},
		{`{"version": 1, "where": {"field": {"name": "x", "in": []}}}`, "where.field.in", "empty list", ""},
		{`{"version": 1, "where": {"field": {"name": "x", "in": [null]}}}`, "where.field.in[0]", "got null", ""},
		{`{"version": 1, "where": {"field": {"name": "x", "exists": false}}}`, "where.field.exists", "must be true", `{"not"`},
		{`{"version": 1, "where": {"field": {"name": "x", "eq": {"date": "later"}}}}`, "where.field.eq", `"later" is not a date`, ""},
		{`{"version": 1, "where": {"created": {"in": ["2025"]}}}`, "where.created.in", "unknown key", ""},
		{`{"version": 1, "where": {"updated": "someday"}}`, "where.updated.eq", `"someday" is not a date`, ""},
		{`{"version": 1, "where": {"near": {"note": "x", "depth": 6}}}`, "where.near.depth", "depth 6 out of range", "1 to 5"},
		{`{"version": 1, "where": {"near": {"note": "x", "edges": ["link"]}}}`, "where.near.edges[0]", `unknown link kind "link"`, "wikilink"},
		{`{"version": 1, "where": {"near": {"note": "x", "direction": "up"}}}`, "where.near.direction", `unknown direction "up"`, ""},
		{`{"version": 1, "where": {"near": {"depth": 1}}}`, "where.near.note", "missing", ""},
		{`{"version": 1, "where": {"links_to": 5}}`, "where.links_to", "expected string or object", ""},
		{`{"version": 1, "where": {"links_to": " "}}`, "where.links_to", "missing note", ""},
		{`{"version": 1, "where": {"between": {"from": "a"}}}`, "where.between.to", "missing", ""},
		{`{"version": 1, "where": {"orphan": false}}`, "where.orphan", "must be true", `{"not": {"orphan": true}}`},
		{`{"version": 1, "where": {"not": {"orphan": 1}}}`, "where.not.orphan", "expected boolean, got number", ""},
		{`{"version": 1, "sort": "-updated"}`, "sort", "expected array, got string", ""},
		{`{"version": 1, "sort": ["-"]}`, "sort[0]", `invalid sort key "-"`, ""},
		{`{"version": 1, "sort": ["priority"]}`, "sort[0]", `unknown sort key "priority"`, "field.NAME"},
		{`{"version": 1, "limit": -1}`, "limit", "-1 out of range", ""},
		{`{"version": 1, "limit": 99999999999}`, "limit", "expected integer", ""},
		{`{"version": 1, "select": ["path", 1]}`, "select[1]", "expected string, got number", ""},
		{`{"version": 1, "select": ["status"]}`, "select[0]", `unknown field "status"`, "field.NAME"},
		{`{"version": 1, "aggregate": {"group_by": "status"}}`, "aggregate.group_by", `unknown group "status"`, "field.NAME"},
		{`{"version": 1, "aggregate": {"metrics": [{"op": "median", "field": "created"}]}}`, "aggregate.metrics[0].op", `unknown metric "median"`, "count is always reported"},
		{`{"version": 1, "aggregate": {"metrics": [{"op": "avg"}]}}`, "aggregate.metrics[0].field", "missing", ""},
		{`{"version": 1, "version": 1}`, "version", "duplicate key", ""},
		{`{"version": 1, "where": {"tag": "a", "tag": "b"}}`, "where.tag", "duplicate key", ""},
		{`{"version": 1}{}`, "", "trailing data", ""},
		{`{"version": 1,}`, "", "invalid JSON at line 1, column", ""},
		{"{\n  \"version\": 1,\n  \"where\": {\"tag\" \"x\"}\n}", "", "invalid JSON at line 3", ""},
		{`{"version": 1`, "", "unexpected end of input", "missing }"},
		{`[1]`, "", "expected object, got array", ""},
	}
	for _, tt := range tests {
		_, err := query.DecodeJSON([]byte(tt.in))
		var qe *query.Error
		if !errors.As(err, &qe) {
			t.Errorf("DecodeJSON(%s) = %v, want a *query.Error", tt.in, err)
			continue
		}
		if qe.Path != tt.path || !strings.Contains(qe.Msg, tt.msg) || !strings.Contains(qe.Hint, tt.hint) {
			t.Errorf("DecodeJSON(%s):\n  got  path %q msg %q hint %q\n  want path %q msg ~%q hint ~%q", tt.in, qe.Path, qe.Msg, qe.Hint, tt.path, tt.msg, tt.hint)
		}
		if tt.path != "" && !strings.HasPrefix(err.Error(), tt.path+": ") {
			t.Errorf("error %q does not start with its path", err)
		}
	}
}

func TestUnmarshalJSON(t *testing.T) {
	var q query.Query
	if err := json.Unmarshal([]byte(`{"version": 1, "where": {"tag": "x"}, "limit": 3}`), &q); err != nil {
		t.Fatal(err)
	}
	if q.Limit != 3 || q.String() != "tag:x limit:3" {
		t.Errorf("got %+v (%s)", q, q.String())
	}
	if err := json.Unmarshal([]byte(`{"version": 1, "where": {"tag": 1}}`), &q); err == nil {
		t.Error("bad query accepted")
	}
}

// Queries built in Go are checked by Validate with the same paths.
func TestValidate(t *testing.T) {
	tests := []struct {
		q    query.Query
		path string
	}{
		{query.Query{Where: &query.And{}}, "where.and"},
		{query.Query{Where: &query.Not{}}, "where.not"},
		{query.Query{Where: &query.Or{Exprs: []query.Expr{nil}}}, "where.or[0]"},
		{query.Query{Where: &query.Text{Kind: query.Substring, Value: "x", Field: "title"}}, "where.substring.field"},
		{query.Query{Where: &query.Text{Kind: query.Regex, Value: "x", Exact: true}}, "where.regex.exact"},
		{query.Query{Where: &query.Tag{Name: "Upper"}}, "where.tag"},
		{query.Query{Where: &query.Date{Field: "deleted", Cond: query.Cond{Op: query.CondEq, Value: query.DateOf("today")}}}, "where"},
		{query.Query{Where: &query.Date{Field: "created", Cond: query.Cond{Op: query.CondExists}}}, "where.created"},
		{query.Query{Where: &query.Field{Name: "x", Cond: query.Cond{Op: query.CondRange}}}, "where.field"},
		{query.Query{Where: &query.Near{Note: "x", Depth: 9}}, "where.near.depth"},
		{query.Query{Where: &query.Between{From: "a", To: ""}}, "where.between.to"},
		{query.Query{Where: &query.LinksTo{Note: "a", Kinds: 64}}, "where.links_to.edges"},
		{query.Query{Where: &query.Path{Op: query.PathGlob, Value: `a\`}}, "where.path.glob"},
		{query.Query{Where: &query.Collection{}}, "where.collection"},
		{query.Query{Sort: []query.SortKey{{Field: ""}}}, "sort[0]"},
		{query.Query{Offset: -1}, "offset"},
		{query.Query{Version: 7}, "version"},
	}
	for _, tt := range tests {
		err := tt.q.Validate()
		var qe *query.Error
		if !errors.As(err, &qe) || qe.Path != tt.path {
			t.Errorf("Validate(%+v) = %v, want an error at %q", tt.q, err, tt.path)
		}
	}
}
