package kotadbeng

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kotadb/kotadb/query"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/engine"
)

func TestKQL(t *testing.T) {
	tests := []struct {
		class corpus.Class
		q     string
		want  string
	}{
		{corpus.ClassWord, "consistency", "consistency"},
		{engine.ClassPhraseAnd, "qualitative and quantitative", "qualitative and quantitative"},
		{corpus.ClassNL, "what is a span", "what is a span"},
		{corpus.ClassAbsent, "fortran compiler", "fortran compiler"},
		{corpus.ClassTypo, "kuberentes", "kuberentes"},
		// Words KQL would read as operators or syntax become phrases.
		{corpus.ClassNL, "OR maybe AND", `"OR" maybe "AND"`},
		{corpus.ClassWord, "sig:Comms", `"sig:Comms"`},
		{corpus.ClassWord, "-x", `"-x"`},
		{corpus.ClassPhrase, "best practices", `"best practices"`},
		{corpus.ClassPhrase, `say "hi"`, `"say \"hi\""`},
		{corpus.ClassTitle, "Agent-to-gateway deployment pattern", `title:"Agent-to-gateway deployment pattern"`},
		{corpus.ClassIdent, "fs.readFile", "sub:fs.readFile"},
		{corpus.ClassIdent, "io.opentelemetry.sdk.trace.export.SimpleSpanProcessor", "sub:io.opentelemetry.sdk.trace.export.SimpleSpanProcessor"},
		{corpus.ClassSubstr, "トレース", "sub:トレース"},
		{corpus.ClassSubstr, "a b", `sub:"a b"`},
		// Filter classes (answered by DB.Query).
		{corpus.ClassTag, "#engineering/frontend", "tag:engineering/frontend"},
		{corpus.ClassTag, "#LLM", "tag:llm"},
		{corpus.ClassPath, "_radar/", "path:_radar/"},
		{corpus.ClassPath, "UX Research/", `path:"UX Research/"`},
		{corpus.ClassField, "sig:Comms", "sig:Comms"},
	}
	for _, tt := range tests {
		got, err := KQL(tt.class, tt.q)
		if err != nil {
			t.Errorf("KQL(%s, %q): %v", tt.class, tt.q, err)
			continue
		}
		if got != tt.want {
			t.Errorf("KQL(%s, %q) = %s, want %s", tt.class, tt.q, got, tt.want)
		}
	}
}

func TestKQLErrors(t *testing.T) {
	var unsupported *engine.UnsupportedError
	if _, err := KQL("bogus", "x"); !errors.As(err, &unsupported) {
		t.Errorf("KQL of an unknown class: error %v, want UnsupportedError", err)
	}
	for _, bad := range []struct {
		class corpus.Class
		q     string
	}{{corpus.ClassWord, " ?! "}, {corpus.ClassTag, "#"}, {corpus.ClassField, "nocolon"}, {corpus.ClassField, ":v"}} {
		if _, err := KQL(bad.class, bad.q); err == nil {
			t.Errorf("KQL(%s, %q) succeeded", bad.class, bad.q)
		}
	}
}

// TestKQLRoundTrip checks that every query of the shared corpora, as every
// class the engine answers, prints to KQL that parses back to the same AST:
// what DB.Search runs is what the adapter meant.
func TestKQLRoundTrip(t *testing.T) {
	shared, ok := corpus.FindShared()
	if !ok {
		t.Skip("shared corpus (../shared/corpus next to the repository) is absent")
	}
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		path := filepath.Join(shared, name, "queries.tsv")
		f, err := os.Open(path)
		if err != nil {
			t.Skipf("%s: %v", name, err)
		}
		queries, err := corpus.ParseQueries(f, path)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, q := range queries {
			for _, c := range []corpus.Class{q.Class, engine.ClassPhraseAnd} {
				if c == engine.ClassPhraseAnd && q.Class != corpus.ClassPhrase || modes[c] == "" {
					continue
				}
				where, err := Where(c, q.Text)
				if err != nil {
					t.Fatalf("%s line %d: %v", name, q.Line, err)
				}
				kql := query.ExprString(where)
				parsed, err := query.ParseKQL(kql)
				if err != nil {
					t.Errorf("%s line %d: KQL %s does not parse: %v", name, q.Line, kql, err)
					continue
				}
				if !reflect.DeepEqual(parsed.Where, where) {
					t.Errorf("%s line %d: KQL %s parses to %s, want %s", name, q.Line, kql, query.ExprString(parsed.Where), query.ExprString(where))
				}
				checked++
			}
		}
		if checked < len(queries)/2 {
			t.Errorf("%s: only %d of %d queries checked", name, checked, len(queries))
		}
	}
}
