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
	if s.cache == nil || len(s.cache) >= maxStemCache {
		s.cache = make(map[string]string, 64)
	}
	w := string(term)
	st := s.stem(w)
	s.cache[w] = st
	return st
}

func (s *Stemmer) stem(w string) string {
	if s.env == nil {
		s.env = snowballstem.NewEnv("")
	}
	s.env.SetCurrent(w)
	english.Stem(s.env)
	if st := s.env.Current(); st != w {
		return st
	}
	return w // share the input's memory
}

// Stem stems one folded term (no cache: for one-off calls).
func Stem(term string) string {
	if !Stemmable([]byte(term)) {
		return term
	}
	var s Stemmer
	return s.stem(term)
}
