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

// kqlCases are parsed into testdata/kql_parse.golden (AST as JSON and the
// query printed back as KQL).
var kqlCases = []string{
	``,
	`rust`,
	`rust "error handling" tag:project/kota -tag:archive path:notes/** title:roadmap status:active priority:>=2 created:>2025-01-01 updated:last-week links:[[Roadmap]] backlinks:[[Roadmap]] near:"projects/kota/README.md" depth:2 sort:-updated limit:20`,
	`a b OR c`,
	`a (b OR c) | d`,
	`a AND b AND NOT c`,
	`-(a b) NOT "x y"`,
	`#Project/Kota/ #llm`,
	`tag:=project tag:"two words"`,
	`rus* colour~ colour~2 exact:Rust exact:"Error Handling" exact:title:Go exact:sub:"TODO(" --exact word`,
	`/err(or)?s?/ /Rust/i re:"a b" re:x\/y sub:"rror han" sub:トレース`,
	`title:"the plan" heading:intro body:goroutine*`,
	`path:01_literature/ path:"UX Research/" path:=notes/a.md path:a..m path:..b path:"a b"..c path:**/README.md path:notes/*.md`,
	`status:active sig:Comms "cSpell:ignore":kotadb "tag":x draft:true priority:2 version:1.10 name:"2" code:"true"`,
	`priority:>2 priority:>=2 priority:<5 priority:<=5 priority:1..5 priority:..5 priority:-3.5.. score:1e3`,
	`status:active,paused,"on hold" n:1,2,3`,
	`due:2025-01-01 due:today due:>-7d due:2025-01..2025-03 due:{today}`,
	`created:2025 created:2025-03 created:2025-03-14T09:30 created:2025-03-14T09:30:05Z created:today created:yesterday updated:this-week updated:last-month updated:-2w updated:+1d updated:now updated:>=-12h`,
	`has:status -has:draft in:notes in:"my vault" lang:Go`,
	`links:Roadmap links:"projects/kota/README.md" backlinks:[[Roadmap|the plan]] edges:wikilink,embed`,
	`near:[[Kota]] near:[[Kota]] depth:5 edges:markdown dir:in between:[[A]]..[[B]] between:"a b".."c" dir:out depth:3`,
	`is:orphan -is:unresolved`,
	`x sort:score,-created,updated,path,title,key,-field.priority limit:0 offset:40`,
	`select:key,path,title,tags,field.status,score group:folder agg:count`,
	`agg:avg(field.priority),min(created),max(updated),sum(field.hours)`,
	`group:field.status`,
	`http://example.com 12:30 f(x) a~b -- e-mail error-handling`,
	`"quote \" inside" "back\\slash"`,
}

func TestParseKQLGolden(t *testing.T) {
	var b strings.Builder
	for _, src := range kqlCases {
		q, err := query.ParseKQL(src)
		if err != nil {
			t.Errorf("ParseKQL(%q): %v", src, err)
			continue
		}
		js, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("kql:    " + src + "\njson:   " + string(js) + "\nstring: " + q.String() + "\n\n")
	}
	golden(t, "kql_parse.golden", b.String())
}

// TestKQLRoundTrip: a parsed query prints as KQL that parses to the same
// query, and its JSON decodes to the same query.
func TestKQLRoundTrip(t *testing.T) {
	for _, src := range kqlCases {
		q, err := query.ParseKQL(src)
		if err != nil {
			t.Fatalf("ParseKQL(%q): %v", src, err)
		}
		again, err := query.ParseKQL(q.String())
		if err != nil {
			t.Fatalf("ParseKQL(String() of %q) = %q: %v", src, q.String(), err)
		}
		if diff := cmp.Diff(q, again); diff != "" {
			t.Errorf("%q printed as %q parses differently (-first +again):\n%s", src, q.String(), diff)
		}
		js, _ := json.Marshal(q)
		decoded, err := query.DecodeJSON(js)
		if err != nil {
			t.Fatalf("DecodeJSON(%s): %v", js, err)
		}
		q.Version = query.Version
		if diff := cmp.Diff(q, decoded); diff != "" {
			t.Errorf("%q through JSON %s (-parsed +decoded):\n%s", src, js, diff)
		}
	}
}

func TestParseKQLShapes(t *testing.T) {
	tests := []struct {
		src  string
		want query.Expr
	}{
		{`a b OR c`, &query.Or{Exprs: []query.Expr{
			&query.And{Exprs: []query.Expr{&query.Text{Value: "a"}, &query.Text{Value: "b"}}},
			&query.Text{Value: "c"}}}},
		{`-tag:archive`, &query.Not{Expr: &query.Tag{Name: "archive"}}},
		{`sig:Comms`, &query.Field{Name: "sig", Cond: query.Cond{Op: query.CondEq, Value: query.Str("Comms")}}},
		{`priority:>=2`, &query.Field{Name: "priority", Cond: query.Cond{Op: query.CondRange,
			Lo: &query.Bound{Value: query.Value{Kind: query.NumberValue, Raw: "2", Num: 2}, Inclusive: true}}}},
		{`updated:last-week`, &query.Date{Field: "updated", Cond: query.Cond{Op: query.CondEq, Value: query.DateOf("last-week")}}},
		{`near:"projects/kota/README.md" depth:2`, &query.Near{Note: "projects/kota/README.md", Depth: 2}},
		{`backlinks:[[Roadmap]] edges:wikilink`, &query.LinkedFrom{Note: "Roadmap", Kinds: graph.Wikilink}},
		{`between:[[A]]..[[B]] dir:out`, &query.Between{From: "A", To: "B", Direction: graph.Out}},
		{`word~2`, &query.Text{Value: "word", Fuzzy: 2}},
		{`exact:title:Go`, &query.Text{Value: "Go", Field: "title", Exact: true}},
		{`/x/i`, &query.Text{Kind: query.Regex, Value: "(?i)x"}},
		{`path:a..m`, &query.Path{Op: query.PathRange, Lo: "a", Hi: "m"}},
		{`#A/B/`, &query.Tag{Name: "a/b"}},
	}
	for _, tt := range tests {
		q, err := query.ParseKQL(tt.src)
		if err != nil {
			t.Fatalf("ParseKQL(%q): %v", tt.src, err)
		}
		if diff := cmp.Diff(tt.want, q.Where); diff != "" {
			t.Errorf("ParseKQL(%q) (-want +got):\n%s", tt.src, diff)
		}
	}
}

func TestParseKQLErrors(t *testing.T) {
	tests := []struct {
		src   string
		col   int
		token string
		msg   string // substring of the message
		hint  string // substring of the hint
	}{
		{`rust "error handling`, 6, `"`, "unterminated quote", `close it with "`},
		{`a sort:foo`, 8, "foo", `unknown sort key "foo"`, "expected score, created, updated, path, title"},
		{`tag:x sort:-bar,path`, 12, "-bar", `unknown sort key "bar"`, "field name (field.NAME)"},
		{`(a b`, 1, "(", "unclosed (", "close it with )"},
		{`a b)`, 4, ")", "unmatched )", "remove it"},
		{`()`, 1, "(", "empty parentheses", ""},
		{`- a`, 1, "-", "'-' excludes nothing", "directly before"},
		{`a -`, 3, "-", "'-' excludes nothing", ""},
		{`NOT`, 1, "NOT", "NOT excludes nothing", ""},
		{`a OR`, 3, "OR", "OR needs a term after it", ""},
		{`OR a`, 1, "OR", "OR needs a term before it", ""},
		{`| a`, 1, "|", "OR needs a term before it", ""},
		{`a AND`, 3, "AND", "AND needs a term after it", ""},
		{`AND a`, 1, "AND", "AND needs a term before it", ""},
		{`title: roadmap`, 1, "title", "missing value after title:", "right after the colon"},
		{`status:`, 1, "status", "missing value after status:", ""},
		{`/abc`, 1, "/", "unterminated regex", "close it with /"},
		{`/usr/bin`, 1, "/usr/bin", `unknown regex flag 'b'`, `quote it`},
		{`/a(/`, 1, "/a(/", "invalid regular expression", "RE2"},
		{`re:a(`, 4, "a(", "invalid regular expression", ""},
		{`links:[[Road`, 7, "[[", "unterminated [[", "close it with ]]"},
		{`[[Roadmap]]`, 1, "[[Roadmap]]", "bare [[link]] is ambiguous", "links:[[Roadmap]]"},
		{`priority:>abc`, 11, "abc", `"abc" is not a number or a date`, "ranges compare numbers and dates"},
		{`priority:5..1`, 10, "5..1", "range 5..1 is empty", "swap"},
		{`created:someday`, 9, "someday", `"someday" is not a date`, ""},
		{`updated:>soon`, 10, "soon", `"soon" is not a date`, ""},
		{`near:X depth:9`, 14, "9", "depth 9 out of range", "expected 1 to 5"},
		{`depth:2 near:X`, 1, "depth", "depth: must follow a near: or between: clause", "near:[[Note]] depth:2"},
		{`links:X depth:2`, 9, "depth", "depth: must follow a near: or between:", ""},
		{`near:X depth:2 depth:3`, 16, "depth", "depth: given twice", ""},
		{`near:X edges:link`, 14, "link", `unknown link kind "link"`, "wikilink, embed"},
		{`near:X dir:up`, 12, "up", `unknown direction "up"`, "out, in or both"},
		{`(a sort:path)`, 4, "sort", "sort: applies to the whole query", "move it out"},
		{`-limit:3`, 1, "-", "- excludes nothing", ""},
		{`limit:x`, 7, "x", "limit:x is not a number", ""},
		{`limit:1 limit:2`, 9, "limit", "limit: given twice", "keep one"},
		{`select:path,bogus`, 13, "bogus", `unknown field "bogus"`, "field.NAME"},
		{`group:colour`, 7, "colour", `unknown group "colour"`, "tag, folder"},
		{`agg:median(x)`, 5, "median(x)", `unknown aggregate "median(x)"`, "avg(field.priority)"},
		{`agg:avg(priority)`, 5, "avg(priority)", `unknown aggregate`, "field.NAME"},
		{`is:lonely`, 4, "lonely", "unknown is:lonely", "is:orphan"},
		{`between:[[A]]`, 9, "[[A]]", "between: needs two notes", "between:[[A]]..[[B]]"},
		{`word~3`, 1, "word~3", "fuzzy distance 3 out of range", "word~1"},
		{`*`, 1, "*", "* needs a prefix", ""},
		{`#`, 1, "#", "empty tag", ""},
		{`""`, 1, `""`, "empty phrase", ""},
		{`(a OR (b c) --exact)`, 13, "--exact", "--exact applies to the whole query", ""},
		{`path:a..b..c`, 6, "a..b..c", "bad path range", ""},
		{`x:a..b..c`, 3, "a..b..c", "a range has two ends", ""},
		{`x:1,,2`, 5, "", "empty list element", ""},
		{`tag:=`, 1, "tag", "empty tag", ""},
		{`path:a*\`, 6, `a*\`, "lone backslash", ""},
	}
	for _, tt := range tests {
		_, err := query.ParseKQL(tt.src)
		var se *query.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseKQL(%q) = %v, want a SyntaxError", tt.src, err)
			continue
		}
		if se.Col != tt.col || se.Token != tt.token || !strings.Contains(se.Msg, tt.msg) || !strings.Contains(se.Hint, tt.hint) {
			t.Errorf("ParseKQL(%q) error: col %d token %q msg %q hint %q\n  want col %d token %q msg ~%q hint ~%q",
				tt.src, se.Col, se.Token, se.Msg, se.Hint, tt.col, tt.token, tt.msg, tt.hint)
		}
		if !strings.HasPrefix(err.Error(), "col ") {
			t.Errorf("error %q does not start with its column", err)
		}
	}
}

// Columns count characters, not bytes.
func TestParseKQLErrorColumnInCharacters(t *testing.T) {
	_, err := query.ParseKQL(`トレース "open`)
	var se *query.SyntaxError
	if !errors.As(err, &se) || se.Col != 6 {
		t.Fatalf("err = %v, want col 6", err)
	}
	if got := err.Error(); got != `col 6: unterminated quote — close it with "` {
		t.Errorf("Error() = %q", got)
	}
}
