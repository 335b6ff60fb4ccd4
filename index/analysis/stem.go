package analysis

import (
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// Stemmable reports whether a folded term goes through the English stemmer:
// plain ASCII words of three letters or more. Identifiers with digits or
// connectors, CJK bigrams and words of other alphabets are left alone (the
// English rules would only mangle them).
func Stemmable(term []byte) bool {
	if len(term) < 3 {
		return false
	}
	for _, c := range term {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Stemmer applies the English (Porter2) Snowball stemmer. It keeps a cache
// because a corpus repeats the same few thousand words; use one Stemmer per
// goroutine.
type Stemmer struct {
	env   *snowballstem.Env
	cache map[string]string
}

// maxStemCache bounds the cache; past it the cache is dropped and refilled,
// which keeps memory flat on huge vocabularies.
const maxStemCache = 1 << 16

// Stem returns the stem of a folded term, or the term itself when it is not
// Stemmable.
func (s *Stemmer) Stem(term []byte) string {
	if !Stemmable(term) {
		return string(term)
	}
	if st, ok := s.cache[string(term)]; ok {
		return st
	}
	if s.env == nil {
		s.env = snowballstem.NewEnv("")
	}
	if s.cache == nil || len(s.cache) >= maxStemCache {
		s.cache = make(map[string]string, 1024)
	}
	w := string(term)
	s.env.SetCurrent(w)
	english.Stem(s.env)
	st := s.env.Current()
	if st == w {
		st = w // share the key's memory
	}
	s.cache[w] = st
	return st
}

// Stem stems one folded term with a fresh stemmer.
func Stem(term string) string {
	var s Stemmer
	return s.Stem([]byte(term))
}
