package report

import (
	"fmt"

	"github.com/kotadb/kotadb/bench/corpus"
)

// Target statuses.
const (
	Pass = "PASS"
	Fail = "FAIL"
	NA   = "n/a" // a figure it needs was not measured
)

// Target is one of the goals checked on one corpus: Value ≤ Bound.
type Target struct {
	Name   string  `json:"name"`
	Unit   string  `json:"unit"` // "ns" or "bytes"
	Value  float64 `json:"value"`
	Bound  float64 `json:"bound"`
	Status string  `json:"status"`
	Why    string  `json:"why,omitempty"` // for n/a
}

// metric reads one figure of an engine summary; ok is false when the
// engine did not measure it.
type metric struct {
	name string
	unit string
	get  func(EngineSummary) (float64, bool)
}

func classMetric(name string, c corpus.Class, pct int) metric {
	return metric{name: name, unit: "ns", get: func(s EngineSummary) (float64, bool) {
		cs, ok := s.Class(c)
		if !ok {
			return 0, false
		}
		switch pct {
		case 95:
			return cs.P95NS, true
		case 99:
			return cs.P99NS, true
		}
		return cs.P50NS, true
	}}
}

var (
	rankedP50    = classMetric("ranked p50", PoolRanked, 50)
	rankedP95    = classMetric("ranked p95", PoolRanked, 95)
	substringP50 = classMetric("substring p50", PoolSubstring, 50)
	buildTime    = metric{"build", "ns", func(s EngineSummary) (float64, bool) { return s.BuildNS, true }}
	peakRSS      = metric{"peak RSS", "bytes", func(s EngineSummary) (float64, bool) { return s.PeakRSS, true }}
	disk         = metric{"disk", "bytes", func(s EngineSummary) (float64, bool) { return s.DiskBytes, true }}
	openFirst    = metric{"open to first answer", "ns", func(s EngineSummary) (float64, bool) { return s.OpenFirstNS, true }}
)

// targetSpec: kotadb's m must be ≤ factor × the sum of m over peers (or,
// with no peers, ≤ factor × the corpus bytes).
type targetSpec struct {
	m      metric
	factor float64
	peers  []string
}

var targetSpecs = []targetSpec{
	{rankedP50, 1, []string{"bleve"}},
	{rankedP95, 1, []string{"bleve"}},
	{rankedP50, 0.25, []string{"fts5"}},
	{rankedP95, 0.25, []string{"fts5"}},
	{substringP50, 0.5, []string{"fts5-trigram"}},
	{buildTime, 0.5, []string{"fts5", "fts5-trigram"}},
	{peakRSS, 0.2, []string{"bleve"}},
	{disk, 0.25, []string{"fts5", "fts5-trigram"}},
	{disk, 1.5, nil},
	{openFirst, 1, []string{"fts5"}},
}

// Subject is the engine the targets are about.
const Subject = "kotadb"

func (t targetSpec) name() string {
	of := "corpus bytes"
	if len(t.peers) > 0 {
		of = joinPlus(t.peers) + "'s"
		if len(t.peers) > 1 {
			of = "(" + joinPlus(t.peers) + ")"
		}
	}
	if t.factor == 1 {
		return fmt.Sprintf("%s ≤ %s", t.m.name, of)
	}
	return fmt.Sprintf("%s ≤ %gx %s", t.m.name, t.factor, of)
}

func joinPlus(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += " + "
		}
		s += x
	}
	return s
}

// Targets checks every target on a corpus's engines.
func Targets(c CorpusReport) []Target {
	byName := map[string]EngineSummary{}
	for _, e := range c.Engines {
		if e.Error == "" {
			byName[e.Engine] = e
		}
	}
	var out []Target
	for _, spec := range targetSpecs {
		t := Target{Name: spec.name(), Unit: spec.m.unit, Status: NA}
		out = append(out, evaluate(t, spec, byName, c.Bytes))
	}
	return out
}

func evaluate(t Target, spec targetSpec, engines map[string]EngineSummary, corpusBytes int64) Target {
	subject, ok := engines[Subject]
	if !ok {
		t.Why = Subject + " not measured"
		return t
	}
	if t.Value, ok = spec.m.get(subject); !ok {
		t.Why = Subject + " has no " + spec.m.name
		return t
	}
	sum := float64(corpusBytes)
	if len(spec.peers) > 0 {
		sum = 0
		for _, p := range spec.peers {
			e, ok := engines[p]
			if !ok {
				t.Why = p + " not measured"
				return t
			}
			v, ok := spec.m.get(e)
			if !ok {
				t.Why = p + " has no " + spec.m.name
				return t
			}
			sum += v
		}
	}
	t.Bound = spec.factor * sum
	t.Status = Fail
	if t.Value <= t.Bound {
		t.Status = Pass
	}
	return t
}
