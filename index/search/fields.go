package search

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kotadb/kotadb/index"
)

// Text fields: analyzed, with positions, scored with BM25F. They share one
// term dictionary per segment; each posting says which fields it is in.
const (
	FieldTitle = iota
	FieldHeadings
	FieldTags
	FieldPath
	FieldBody
	numTextFields
)

// TextFields are the names of the text fields, indexed by field number; a
// Term's Field is one of them or "" for all.
var TextFields = [numTextFields]string{"title", "headings", "tags", "path", "body"}

func textFieldNumber(name string) (int, bool) {
	for i, n := range TextFields {
		if n == name {
			return i, true
		}
	}
	return 0, false
}

// allFields is the mask of every text field.
const allFields = 1<<numTextFields - 1

// valueGap separates the values of a multi-valued text field (headings,
// tags) so that a phrase never spans two of them.
const valueGap = 8

// Keyword field names. Frontmatter fields are "field." + the lower-cased
// key (nested maps join keys with '.').
const (
	KeywordTag        = "tag"        // each tag as written: project/kota
	KeywordTagTree    = "tagx"       // each tag and its ancestors: project, project/kota
	KeywordPath       = "path"       // the key inside the collection
	KeywordKey        = "key"        // the full key collection/path
	KeywordCollection = "collection" // the collection name
	KeywordLang       = "lang"       // the language (markdown, go, …)
	KeywordLink       = "link"       // link targets: lower case, no .md
	KeywordAlias      = "alias"      // aliases
	FieldPrefix       = "field."     // frontmatter fields
	// KeywordHas holds the name of each frontmatter field with a non-null
	// value (lower-cased, nested map keys joined with '.'), so that field
	// existence is one lookup even for values that have no keyword of
	// their own ("", [], {}).
	KeywordHas = "has"
	// KeywordFolder holds each folder the path is in, with a trailing '/'
	// ("a/" and "a/b/" for a/b/c.md), so that a path prefix ending at a
	// folder is one lookup instead of a walk over every path under it.
	KeywordFolder = "folder"
)

// Numeric fields: created and updated (unix seconds), and every frontmatter
// number or date under "field." + key.
const (
	NumericCreated = "created"
	NumericUpdated = "updated"
)

// maxKeywordLen bounds a keyword value (in bytes); longer values are cut.
const maxKeywordLen = 256

// kwKey is how a keyword is keyed in dictionaries: field, NUL, value. The
// NUL sorts before every other byte, so one field's values are contiguous
// and a prefix scan over "field\x00prefix" finds them.
func kwKey(field, value string) string { return field + "\x00" + value }

func normalizeKeyword(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) > maxKeywordLen {
		v = v[:maxKeywordLen]
	}
	return v
}

// numericValue is one value of a numeric field of a document.
type numericValue struct {
	field string
	value float64
}

// docKeywords returns the keyword terms (kwKey form, deduplicated, sorted)
// and numeric values of a document.
func docKeywords(d *index.Doc) ([]string, []numericValue) {
	set := map[string]struct{}{}
	add := func(field, v string) {
		v = normalizeKeyword(v)
		if v != "" {
			set[kwKey(field, v)] = struct{}{}
		}
	}
	var nums []numericValue
	for _, t := range d.Tags {
		add(KeywordTag, t)
		for i := 0; i < len(t); i++ {
			if t[i] == '/' {
				add(KeywordTagTree, t[:i])
			}
		}
		add(KeywordTagTree, t)
	}
	add(KeywordPath, d.Path)
	for i := 0; i < len(d.Path); i++ {
		if d.Path[i] == '/' {
			add(KeywordFolder, d.Path[:i+1])
		}
	}
	add(KeywordKey, d.Key)
	add(KeywordCollection, d.Collection)
	add(KeywordLang, d.Lang)
	for _, l := range d.Links {
		add(KeywordLink, normalizeLink(l.Target))
	}
	for _, a := range d.Aliases {
		add(KeywordAlias, a)
	}
	if !d.Created.IsZero() {
		nums = append(nums, numericValue{NumericCreated, unixSeconds(d.Created)})
	}
	if !d.Updated.IsZero() {
		nums = append(nums, numericValue{NumericUpdated, unixSeconds(d.Updated)})
	}
	var walk func(name string, v any, depth int)
	walk = func(name string, v any, depth int) {
		if depth > 8 {
			return
		}
		switch v := v.(type) {
		case string:
			add(name, v)
		case bool:
			add(name, strconv.FormatBool(v))
		case int64:
			add(name, strconv.FormatInt(v, 10))
			nums = append(nums, numericValue{name, float64(v)})
		case int:
			add(name, strconv.Itoa(v))
			nums = append(nums, numericValue{name, float64(v)})
		case float64:
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				add(name, strconv.FormatFloat(v, 'g', -1, 64))
				nums = append(nums, numericValue{name, v})
			}
		case time.Time:
			add(name, v.UTC().Format(time.DateOnly))
			nums = append(nums, numericValue{name, unixSeconds(v)})
		case []any:
			for _, e := range v {
				walk(name, e, depth+1)
			}
		case []string:
			for _, e := range v {
				add(name, e)
			}
		case map[string]any:
			for k, e := range v {
				walk(name+"."+strings.ToLower(k), e, depth+1)
			}
		}
	}
	for k, v := range d.Fields {
		walk(FieldPrefix+strings.ToLower(k), v, 0)
	}
	fieldNames(d.Fields, "", 0, add)
	kws := make([]string, 0, len(set))
	for k := range set {
		kws = append(kws, k)
	}
	sort.Strings(kws)
	sort.Slice(nums, func(i, j int) bool {
		if nums[i].field != nums[j].field {
			return nums[i].field < nums[j].field
		}
		return nums[i].value < nums[j].value
	})
	return kws, nums
}

// fieldNames adds a KeywordHas term for each field of a frontmatter map
// with a non-null value, descending into nested maps.
func fieldNames(fields map[string]any, prefix string, depth int, add func(field, v string)) {
	for k, v := range fields {
		if v == nil {
			continue
		}
		name := prefix + strings.ToLower(k)
		add(KeywordHas, name)
		if m, ok := v.(map[string]any); ok && depth < 8 {
			fieldNames(m, name+".", depth+1, add)
		}
	}
}

// normalizeLink makes link targets comparable: lower case, no ".md".
func normalizeLink(target string) string {
	t := strings.ToLower(strings.TrimSpace(target))
	return strings.TrimSuffix(t, ".md")
}

func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// fieldValues calls fn with each value of each text field of a document
// and the position the value starts at.
func fieldValues(d *index.Doc, fn func(field int, text []byte, startPos int) int) {
	fn(FieldTitle, []byte(d.Title), 0)
	pos := 0
	for _, h := range d.Headings {
		pos = fn(FieldHeadings, []byte(h.Text), pos) + valueGap
	}
	pos = 0
	for _, t := range d.Tags {
		pos = fn(FieldTags, []byte(t), pos) + valueGap
	}
	fn(FieldPath, []byte(d.Path), 0)
	body := d.Text
	if d.BodyStart > 0 && d.BodyStart <= len(body) {
		body = body[d.BodyStart:]
	}
	fn(FieldBody, body, 0)
}
