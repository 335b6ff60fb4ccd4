package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Table is a grid of cells; the first column is a label (left-aligned),
// the others are figures (right-aligned).
type Table struct {
	Header []string
	Rows   [][]string
	// TextCells left-aligns every column (for tables of words, not figures).
	TextCells bool
}

// WriteText writes t with columns padded to line up in a terminal.
func (t Table) WriteText(w io.Writer) error {
	widths := make([]int, len(t.Header))
	for _, row := range append([][]string{t.Header}, t.Rows...) {
		for i, cell := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(cell))
			}
		}
	}
	var b strings.Builder
	line := func(row []string) {
		var l strings.Builder
		for i := range widths {
			cell := ""
			if i < len(row) {
				cell = row[i]
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			switch {
			case i == 0:
				l.WriteString(cell + pad)
			case t.TextCells:
				l.WriteString("  " + cell + pad)
			default:
				l.WriteString("  " + pad + cell)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	line(t.Header)
	sep := make([]string, len(widths))
	for i, n := range widths {
		sep[i] = strings.Repeat("-", n)
	}
	line(sep)
	for _, row := range t.Rows {
		line(row)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes t as a GitHub-flavored markdown table.
func (t Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	line := func(row []string) {
		b.WriteString("|")
		for i := range t.Header {
			cell := ""
			if i < len(row) {
				cell = strings.ReplaceAll(row[i], "|", `\|`)
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	line(t.Header)
	b.WriteString("|")
	for i := range t.Header {
		if i == 0 || t.TextCells {
			b.WriteString(" --- |")
		} else {
			b.WriteString(" ---: |")
		}
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		line(row)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sig formats x with about three significant digits.
func sig(x float64) string {
	a := x
	if a < 0 {
		a = -a
	}
	switch {
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", x)
	case a >= 10:
		return fmt.Sprintf("%.1f", x)
	case a >= 1:
		return fmt.Sprintf("%.2f", x)
	case a >= 0.01:
		return fmt.Sprintf("%.3f", x)
	}
	return fmt.Sprintf("%.2g", x)
}

// ratio formats a/b with two significant digits ("0.42x", "1.3x", "17x"),
// or "—" when b is 0.
func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	r := a / b
	switch {
	case r >= 10:
		return fmt.Sprintf("%.0fx", r)
	case r >= 1:
		return fmt.Sprintf("%.1fx", r)
	case r >= 0.1:
		return fmt.Sprintf("%.2fx", r)
	case r >= 0.01:
		return fmt.Sprintf("%.3fx", r)
	}
	return fmt.Sprintf("%.2gx", r)
}
