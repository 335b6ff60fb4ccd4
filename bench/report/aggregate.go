package report

import (
	"fmt"
	"slices"

	"github.com/kotadb/kotadb/bench/corpus"
	"github.com/kotadb/kotadb/bench/engine"
	"github.com/kotadb/kotadb/bench/stats"
)

// Pooled classes: the per-query medians of several classes taken together,
// which is what the targets compare.
const (
	PoolRanked    corpus.Class = "ranked"    // word + phrase-and + nl
	PoolSubstring corpus.Class = "substring" // ident + substr
)

var pools = map[corpus.Class][]corpus.Class{
	PoolRanked:    {corpus.ClassWord, engine.ClassPhraseAnd, corpus.ClassNL},
	PoolSubstring: {corpus.ClassIdent, corpus.ClassSubstr},
}

// ClassOrder is the order of classes in summaries and tables: the measured
// classes, then the pools.
var ClassOrder = []corpus.Class{
	corpus.ClassWord, engine.ClassPhraseAnd, corpus.ClassPhrase, corpus.ClassNL,
	corpus.ClassIdent, corpus.ClassSubstr, corpus.ClassTypo, corpus.ClassTag,
	corpus.ClassPath, corpus.ClassField, corpus.ClassTitle, corpus.ClassAbsent,
	PoolRanked, PoolSubstring,
}

// MeasuredClasses are the classes a corpus query of class c is measured as:
// a phrase is measured AND-ed and as an exact phrase.
func MeasuredClasses(c corpus.Class) []corpus.Class {
	if c == corpus.ClassPhrase {
		return []corpus.Class{engine.ClassPhraseAnd, corpus.ClassPhrase}
	}
	return []corpus.Class{c}
}

// ExpectedHits is the corpus's document frequency for q measured as class c.
func ExpectedHits(q corpus.Query, c corpus.Class) int {
	switch c {
	case corpus.ClassPhrase, corpus.ClassTitle:
		return q.DFPhrase
	}
	return q.DFAllTerms
}

type queryKey struct {
	class corpus.Class
	line  int
}

// Summarize aggregates the runs of one engine on one corpus. Every run must
// be of the same engine and corpus and have measured the same queries.
func Summarize(runs []EngineRun) (EngineSummary, error) {
	if len(runs) == 0 {
		return EngineSummary{}, fmt.Errorf("summarize: no runs")
	}
	first := runs[0]
	s := EngineSummary{Engine: first.Engine, Runs: len(runs)}
	var build, buildCPU, disk, open, rss, serve, start []float64
	medians := map[queryKey][]float64{}
	for i, r := range runs {
		if r.Engine != first.Engine || r.Corpus != first.Corpus {
			return EngineSummary{}, fmt.Errorf("summarize: run %d is %s on %s, run 1 is %s on %s", i+1, r.Engine, r.Corpus, first.Engine, first.Corpus)
		}
		if len(r.Queries) != len(first.Queries) {
			return EngineSummary{}, fmt.Errorf("summarize: run %d of %s measured %d queries, run 1 measured %d", i+1, r.Engine, len(r.Queries), len(first.Queries))
		}
		build = append(build, float64(r.BuildNS))
		buildCPU = append(buildCPU, float64(r.BuildCPUNS))
		disk = append(disk, float64(r.DiskBytes))
		open = append(open, float64(r.OpenFirstNS))
		rss = append(rss, float64(r.PeakRSS))
		serve = append(serve, float64(r.PeakRSSServe))
		start = append(start, float64(r.StartRSS))
		for j, q := range r.Queries {
			if q.Class != first.Queries[j].Class || q.Line != first.Queries[j].Line {
				return EngineSummary{}, fmt.Errorf("summarize: run %d query %d is %s line %d, run 1 has %s line %d", i+1, j+1, q.Class, q.Line, first.Queries[j].Class, first.Queries[j].Line)
			}
			k := queryKey{q.Class, q.Line}
			medians[k] = append(medians[k], float64(q.MedianNS))
		}
	}
	s.BuildNS, s.DiskBytes, s.OpenFirstNS = stats.Median(build), stats.Median(disk), stats.Median(open)
	s.PeakRSS, s.PeakRSSServe, s.StartRSS = stats.Median(rss), stats.Median(serve), stats.Median(start)
	s.BuildCPUNS = stats.Median(buildCPU)
	for j, q := range first.Queries {
		q.MedianNS = int64(stats.Median(medians[queryKey{q.Class, q.Line}]))
		q.Runs, q.Stable = 0, true
		for _, r := range runs {
			q.Runs += r.Queries[j].Runs
			q.Stable = q.Stable && r.Queries[j].Stable
		}
		s.Queries = append(s.Queries, q)
	}
	s.Classes = summarizeClasses(s.Queries, first.Modes)
	return s, nil
}

func summarizeClasses(qs []QueryResult, modes map[corpus.Class]string) []ClassSummary {
	var out []ClassSummary
	for _, c := range ClassOrder {
		members := []corpus.Class{c}
		mode := modes[c]
		if p, ok := pools[c]; ok {
			members, mode = p, "pooled: "+joinClasses(p)
		}
		var xs []float64
		cs := ClassSummary{Class: c, Mode: mode}
		for _, q := range qs {
			if !slices.Contains(members, q.Class) {
				continue
			}
			xs = append(xs, float64(q.MedianNS))
			cs.Hits += q.Hits
			if q.Expected >= 0 {
				cs.Expected += q.Expected
			}
			if !q.Stable {
				cs.Unstable++
			}
		}
		if len(xs) == 0 {
			continue
		}
		sum := stats.Summarize(xs)
		cs.N, cs.P50NS, cs.P95NS, cs.P99NS = sum.N, sum.P50, sum.P95, sum.P99
		out = append(out, cs)
	}
	return out
}

func joinClasses(cs []corpus.Class) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += " + "
		}
		s += string(c)
	}
	return s
}

// Class returns the summary of class c, if the engine measured it.
func (s EngineSummary) Class(c corpus.Class) (ClassSummary, bool) {
	for _, cs := range s.Classes {
		if cs.Class == c {
			return cs, true
		}
	}
	return ClassSummary{}, false
}
