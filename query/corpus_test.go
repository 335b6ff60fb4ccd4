package query_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kotadb/kotadb/index/graph/graphtest"
	"github.com/kotadb/kotadb/internal/testcorpus"
	"github.com/kotadb/kotadb/query/memcat"
)

// TestCorpusQueries runs the tag, path and field queries of the corpora's
// queries.tsv through KQL (sig:Comms is a frontmatter field filter) and
// checks the document counts the corpus README gives.
func TestCorpusQueries(t *testing.T) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		t.Run(name, func(t *testing.T) {
			docs := graphtest.Load(t, name)
			c, err := memcat.New(docs)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(filepath.Join(testcorpus.Dir(t, name), "..", "queries.tsv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			checked := 0
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				cols := strings.Split(sc.Text(), "\t")
				if len(cols) < 3 {
					continue
				}
				var kql string
				switch cols[0] {
				case "tag":
					kql = "tag:=" + strings.TrimPrefix(cols[1], "#")
				case "path":
					kql = `path:"` + cols[1] + `"`
				case "field":
					kql = cols[1]
				default:
					continue
				}
				want, err := strconv.Atoi(cols[2])
				if err != nil {
					t.Fatal(err)
				}
				res, _ := run(t, c, kql)
				t.Logf("%-45s %4d (README %d)", kql, res.Total, want)
				// opentelemetry-docs has no tags: its README counts "#otel-comms"
				// in the text, which is a Slack channel, not a tag.
				if (cols[0] != "tag" || name == "dwarves-brain") && res.Total != want {
					t.Errorf("%s: %d documents, the corpus README says %d", kql, res.Total, want)
				}
				checked++
			}
			if checked == 0 {
				t.Error("no tag, path or field queries in queries.tsv")
			}
		})
	}
}
