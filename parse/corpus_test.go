package parse

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kotadb/kotadb/errs"
	"github.com/kotadb/kotadb/internal/testcorpus"
)

// corpusFile is one file of a corpus, read into memory.
type corpusFile struct {
	info    FileInfo
	content []byte
}

// loadCorpus reads every markdown file under dir, in path order.
func loadCorpus(tb testing.TB, dir string) []corpusFile {
	tb.Helper()
	var files []corpusFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !IsMarkdown(p) {
			return err
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, corpusFile{
			info:    FileInfo{Path: filepath.ToSlash(rel), ModTime: time.Date(2024, 8, 9, 0, 0, 0, 0, time.UTC)},
			content: content,
		})
		return nil
	})
	if err != nil {
		tb.Fatalf("reading corpus %s: %v", dir, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].info.Path < files[j].info.Path })
	return files
}

// corpusStats sums what Parse found in a corpus.
type corpusStats struct {
	files, binary, bytes      int
	withFrontmatter, warnings int
	links, wikilinks, embeds  int
	markdownLinks, headings   int
	words                     int
	distinctTags              map[string]int // tag -> notes carrying it
	filesWithWarnings         []string
}

func parseCorpus(t *testing.T, files []corpusFile) corpusStats {
	t.Helper()
	st := corpusStats{distinctTags: map[string]int{}}
	for _, f := range files {
		st.files++
		st.bytes += len(f.content)
		doc, err := Parse(f.info, f.content)
		if err != nil {
			if errors.Is(err, errs.ErrBinary) {
				st.binary++
				continue
			}
			t.Errorf("%s: unexpected error: %v", f.info.Path, err)
			continue
		}
		checkInvariants(t, f.content, doc)
		if doc.Frontmatter != nil {
			st.withFrontmatter++
		}
		if len(doc.Warnings) > 0 {
			st.filesWithWarnings = append(st.filesWithWarnings, doc.Warnings[0].String())
		}
		st.warnings += len(doc.Warnings)
		st.headings += len(doc.Headings)
		st.words += doc.Words
		for _, tag := range doc.Tags {
			st.distinctTags[tag]++
		}
		for _, l := range doc.Links {
			st.links++
			switch l.Kind {
			case LinkWiki:
				st.wikilinks++
			case LinkEmbed:
				st.embeds++
			case LinkMarkdown:
				st.markdownLinks++
			}
		}
	}
	return st
}

func (st corpusStats) log(t *testing.T) {
	t.Logf("%d files (%d bytes), %d binary, %d with frontmatter, %d words, %d headings",
		st.files, st.bytes, st.binary, st.withFrontmatter, st.words, st.headings)
	t.Logf("%d links: %d wikilinks, %d embeds, %d markdown; %d distinct tags; %d warnings in %d files",
		st.links, st.wikilinks, st.embeds, st.markdownLinks, len(st.distinctTags), st.warnings, len(st.filesWithWarnings))
	for _, w := range st.filesWithWarnings {
		t.Logf("  warning: %s", w)
	}
}

// TestCorpusDwarves parses the whole Obsidian vault. Its README counts 796
// wikilinks and 662 distinct tags (frontmatter and inline), and Parse finds
// exactly those numbers; the ±10% tolerance is for counting choices that
// could reasonably differ (an embed ![[x]] is not counted as a wikilink;
// "#123" is not a tag). The one warning is a Templater template whose date
// is "<% tp.file.creation_date() %>", which is not a date until Obsidian
// fills it in.
func TestCorpusDwarves(t *testing.T) {
	files := loadCorpus(t, testcorpus.Dir(t, "dwarves-brain"))
	st := parseCorpus(t, files)
	st.log(t)
	if st.files != 885 || st.binary != 0 {
		t.Errorf("read %d files (%d binary), the corpus README says 885 text files", st.files, st.binary)
	}
	if len(st.distinctTags) <= 500 || st.wikilinks <= 600 {
		t.Errorf("%d distinct tags, %d wikilinks: want more than 500 and 600", len(st.distinctTags), st.wikilinks)
	}
	checkNear(t, "wikilinks", st.wikilinks, 796)
	checkNear(t, "distinct tags", len(st.distinctTags), 662)
	// Nested tags such as engineering/backend are kept whole.
	if st.distinctTags["engineering/backend"] == 0 {
		t.Errorf("nested tag engineering/backend not found")
	}
	// 95% of the notes have frontmatter, per the README.
	if st.withFrontmatter < st.files*90/100 {
		t.Errorf("%d of %d files have frontmatter, want at least 90%%", st.withFrontmatter, st.files)
	}
	if st.warnings > 5 {
		t.Errorf("%d warnings; the vault is clean but for a template or two", st.warnings)
	}
}

// TestCorpusOtel parses the Hugo documentation site. Its README counts 9
// files without frontmatter and about 11 whose frontmatter "does not parse
// as YAML": those are 11 include files with an empty "---\n---" block,
// which Parse accepts without a warning, so 1812-9-11 = 1792 files have
// frontmatter values. Hugo has no tags here; the few found are inline
// "#channel" mentions, which are tags by Obsidian's rules.
func TestCorpusOtel(t *testing.T) {
	files := loadCorpus(t, testcorpus.Dir(t, "opentelemetry-docs"))
	st := parseCorpus(t, files)
	st.log(t)
	if st.files != 1812 || st.binary != 0 {
		t.Errorf("read %d files (%d binary), the corpus README says 1812 text files", st.files, st.binary)
	}
	if st.withFrontmatter != 1792 {
		t.Errorf("%d files with frontmatter values, want 1792", st.withFrontmatter)
	}
	if st.warnings != 0 {
		t.Errorf("%d warnings, want none", st.warnings)
	}
	// Internal links are site-absolute or relative markdown links, many of
	// them reference-style; there are no wikilinks.
	if st.markdownLinks < 5000 || st.wikilinks != 0 {
		t.Errorf("%d markdown links and %d wikilinks; want thousands and none", st.markdownLinks, st.wikilinks)
	}
	if len(st.distinctTags) > 20 {
		t.Errorf("%d distinct tags in a site without tags", len(st.distinctTags))
	}
}

func checkNear(t *testing.T, what string, got, want int) {
	t.Helper()
	if got < want*9/10 || got > want*11/10 {
		t.Errorf("%s = %d, want %d ± 10%%", what, got, want)
	}
}

// checkInvariants holds for every document Parse returns.
func checkInvariants(t *testing.T, content []byte, doc *Document) {
	t.Helper()
	where := doc.Path
	if doc.Body < 0 || doc.Body > len(content) {
		t.Errorf("%s: Body = %d, outside 0..%d", where, doc.Body, len(content))
	}
	if doc.Size != int64(len(content)) {
		t.Errorf("%s: Size = %d, want %d", where, doc.Size, len(content))
	}
	inRange := func(what string, line int) {
		if line < 1 || line > doc.Lines {
			t.Errorf("%s: %s line %d outside 1..%d", where, what, line, doc.Lines)
		}
	}
	for _, l := range doc.Links {
		inRange("link "+l.Target, l.Line)
	}
	for _, h := range doc.Headings {
		inRange("heading "+h.Text, h.Line)
	}
	for _, w := range doc.Warnings {
		inRange("warning "+w.Message, w.Line)
	}
	for i, tag := range doc.Tags {
		if tag == "" || strings.HasPrefix(tag, "#") || strings.HasSuffix(tag, "/") || tag != strings.ToLower(tag) {
			t.Errorf("%s: tag %q is not normalized", where, tag)
		}
		if i > 0 && doc.Tags[i-1] >= tag {
			t.Errorf("%s: tags not sorted and unique: %q before %q", where, doc.Tags[i-1], tag)
		}
	}
	if doc.Title == "" && strings.TrimSuffix(filepath.Base(doc.Path), filepath.Ext(doc.Path)) != "" {
		t.Errorf("%s: empty title", where)
	}
}
