// Package trigram is kotadb's substring and regular-expression index: for
// every document it records which byte trigrams of the case-folded text
// occur, so a query can be narrowed to the few documents that contain every
// trigram the pattern requires, and only those are verified (the design of
// Russ Cox's google/codesearch, with a smaller posting format).
//
// # Use
//
// A Builder collects documents (numbered densely by the caller) in memory,
// answers queries itself and writes the on-disk section (WriteTo); Open
// reads a section back. PlanSubstring and PlanRegexp turn a pattern into a
// Query; Candidates returns the documents that may match. Verify each
// candidate with ContainsSubstring or MatchRegexp, and use FindSubstring or
// MatchLines for the matching lines of the documents shown.
//
// # Case folding
//
// The index is case-insensitive. Every rune is mapped to a canonical member
// of its Unicode simple-case-folding orbit (the orbit unicode.SimpleFold
// walks: k, K and the Kelvin sign K share one), which is exactly the
// equivalence Go's regexp uses for (?i). The canonical member is the
// smallest rune of the orbit, except that ASCII letters fold to lower case
// so trigram strings stay readable. Invalid UTF-8 bytes fold to U+FFFD, as
// regexp decodes them. Folding never changes the number of runes.
//
// # Trigrams are bytes
//
// Trigrams are three consecutive bytes of the UTF-8 encoding of the folded
// text, not three runes. A trigram then fits a uint32 key, and CJK text,
// whose runes are three bytes long, is searchable down to a single
// character: トレース yields ten byte trigrams, 可 yields one. Because UTF-8 is
// self-synchronising, the folded text contains the folded pattern as bytes
// exactly when it contains it as runes.
//
// # Assembly
//
// On amd64 with AVX2 the substring search tests two bytes of the pattern
// at 32 positions at a time in a small assembly kernel (pairscan_amd64.s),
// five to seven times faster than the portable word-wide scan. Other
// architectures, and builds with the purego tag, use the portable scan;
// both give the same answers, and the tests run both.
//
// # Semantics
//
// A case-insensitive substring s matches a text exactly when the regexp
// (?i) + regexp.QuoteMeta(s) does. Regexps use RE2 syntax with ^ and $
// matching at line boundaries. Candidates returns a superset of the
// documents that match; the verification functions decide.
package trigram
