package ingest

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressBar draws the progress of a run on a terminal.
type progressBar struct {
	bar *progressbar.ProgressBar
}

// NewProgressBar returns a Progress that draws on w: a spinner until the
// walk knows how many files there are, then a bar, cleared when Index
// returns. The CLI uses one only when stderr is a terminal.
func NewProgressBar(w io.Writer) Progress {
	return &progressBar{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("indexing"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("files"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)}
}

// SetTotal turns the spinner into a bar of n files.
func (p *progressBar) SetTotal(n int) { p.bar.ChangeMax(n) }

// Add advances the bar by n files.
func (p *progressBar) Add(n int) { _ = p.bar.Add(n) }

// Finish clears the bar; Index calls it when the run ends.
func (p *progressBar) Finish() { _ = p.bar.Finish() }

// finisher is implemented by Progress values that need to know the run is
// over, like the one NewProgressBar returns.
type finisher interface{ Finish() }
