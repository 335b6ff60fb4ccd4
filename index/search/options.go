package search

// Options configure an Index.
type Options struct {
	// TextSource returns the raw text of an indexed document version, for
	// snippets and for verifying regex/substring matches of documents that
	// were flushed to segments (segments do not keep a copy of the text).
	// Without it such documents get no snippet and never match a Regex or
	// Substring.
	TextSource func(key string, seq uint64) ([]byte, error)
	// FlushDocs and FlushBytes: the head is flushed to a segment in the
	// background when it holds this many documents or about this many
	// bytes. Defaults 50,000 and 32 MiB. FlushBytes is also what bounds a
	// bulk build's memory: Apply waits for the background flush when the
	// head grows past it by half, or past a quarter of it while a flush is
	// writing (see mustWait), so a build holds about a head and a quarter.
	// A head's bytes are its dictionaries (terms and trigrams) and
	// postings, not the texts when there is a TextSource: dwarves-brain
	// (3.2 MB of markdown) makes about 8 MiB of head, opentelemetry-docs
	// (14.8 MB) about 40 MiB. Fewer, bigger flushes cost less CPU (each
	// writes its dictionaries, and the segments are merged later) at a
	// higher peak, but the peak of a build is mostly its last flush: on
	// opentelemetry-docs a 32 MiB head (one flush before Close) took 15%
	// less CPU than a 10 MiB one (four flushes and a merge) for 4–8 MB more
	// peak RSS, and a 16 MiB one raised the peak most of all (a flush
	// while a big head keeps growing). Measured with a DB.Index + Close
	// probe, three runs each, 2026-11-21.
	FlushDocs  int
	FlushBytes int
	// MergeFactor is how many adjacent segments a merge combines (about
	// that many segments stay per size tier, see pickMerge). Default 8;
	// below 2 disables background merges.
	MergeFactor int
	// BM25 are the ranking parameters; zero means DefaultBM25.
	BM25 *BM25Params
	// MaxExpansions caps the words a Prefix expands to (default 128) and
	// MaxCorrections the words a misspelled term is corrected to (default
	// 32).
	MaxExpansions  int
	MaxCorrections int

	// noWorker turns the background goroutine off, so that tests drive
	// flushes and merges one by one (crash points must be reproducible).
	noWorker bool
}

func (o *Options) withDefaults() Options {
	c := *o
	if c.FlushDocs <= 0 {
		c.FlushDocs = 50_000
	}
	if c.FlushBytes <= 0 {
		c.FlushBytes = 32 << 20
	}
	if c.MergeFactor == 0 {
		c.MergeFactor = 8
	}
	if c.BM25 == nil {
		p := DefaultBM25
		c.BM25 = &p
	}
	if c.MaxExpansions <= 0 {
		c.MaxExpansions = 128
	}
	if c.MaxCorrections <= 0 {
		c.MaxCorrections = 32
	}
	return c
}

// SearchOptions configure one search.
type SearchOptions struct {
	Limit  int // hits to return; default 10
	Offset int // hits to skip
	// Exact turns typo tolerance off.
	Exact bool
	// Snippets computes a snippet for each returned hit.
	Snippets bool
	// Explain fills Results.Explain.
	Explain bool
}

// Results are the answer to a search.
type Results struct {
	// Total is the number of live documents matching the query.
	Total int
	Hits  []Hit
	// Corrections lists the query words that were corrected (typo
	// tolerance or Fuzzy) and the words they were corrected to.
	Corrections []Correction
	Explain     *Explain
	// Seq is the store seq the searched snapshot reflects.
	Seq uint64
}

// Hit is one matching document.
type Hit struct {
	Key   string
	Title string
	Seq   uint64 // the store seq of the indexed version
	Score float64
	// Exact is false when the document matches only through corrected
	// words; such hits rank after every exact one.
	Exact bool
	// Corrected lists the corrections this document's match relied on.
	Corrected []Correction
	Snippet   *Snippet
}

// Correction says that a query word was matched as other words.
type Correction struct {
	From string
	To   []string
}

// Snippet is the best passage of a hit.
type Snippet struct {
	Text string
	// Line is the 1-based line of the passage's start in the document.
	Line int
	// Heading is the text of the heading the passage sits under ("" before
	// the first heading).
	Heading string
	// Highlights are the byte ranges of matched words within Text.
	Highlights []Range
}

// Range is a byte range [Start, End).
type Range struct{ Start, End int }

// Marked returns the snippet text with each highlight wrapped in open and
// close (for example "**" and "**").
func (s *Snippet) Marked(open, close string) string {
	out := make([]byte, 0, len(s.Text)+len(s.Highlights)*(len(open)+len(close)))
	last := 0
	for _, h := range s.Highlights {
		out = append(out, s.Text[last:h.Start]...)
		out = append(out, open...)
		out = append(out, s.Text[h.Start:h.End]...)
		out = append(out, close...)
		last = h.End
	}
	return string(append(out, s.Text[last:]...))
}

// Stats describe an index.
type Stats struct {
	Seq          uint64 // highest store seq applied
	DurableSeq   uint64 // highest store seq in the manifest
	Segments     int
	SegmentBytes int64
	HeadDocs     int    // documents in memory, not yet flushed
	LiveDocs     uint64 // documents live now
	Versions     uint64 // document versions indexed, dead ones included
	Flushes      uint64
	Merges       uint64
	// BackgroundErr is the last error of a background flush or merge.
	BackgroundErr error
}
