package store

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kotadb/kotadb/errs"
)

// MaxKeyLen is the longest key, in bytes, the store accepts.
const MaxKeyLen = 1024

// MaxValueSize is the largest value (or metadata) the store accepts, in
// bytes. Blob decoding refuses to produce more, which also bounds the memory
// a damaged blob can make the decoder allocate.
const MaxValueSize = 1 << 30

// ValidateKey reports whether key is a valid "collection/rest" key: valid
// UTF-8 without NUL, at most MaxKeyLen bytes, with a non-empty collection
// before the first '/' and a non-empty rest after it. The error wraps
// errs.ErrInvalidKey and quotes the key.
func ValidateKey(key string) error {
	if err := checkName(key); err != nil {
		return fmt.Errorf("key %q: %w", key, err)
	}
	col, rest, ok := strings.Cut(key, "/")
	switch {
	case !ok:
		return fmt.Errorf("key %q: %w: no '/' separating collection and path", key, errs.ErrInvalidKey)
	case col == "":
		return fmt.Errorf("key %q: %w: empty collection", key, errs.ErrInvalidKey)
	case rest == "":
		return fmt.Errorf("key %q: %w: empty path after the collection", key, errs.ErrInvalidKey)
	}
	return nil
}

// ValidateCollection reports whether name can be a collection: what comes
// before the first '/' of a valid key.
func ValidateCollection(name string) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("collection %q: %w", name, err)
	}
	switch {
	case name == "":
		return fmt.Errorf("collection %q: %w: empty", name, errs.ErrInvalidKey)
	case strings.Contains(name, "/"):
		return fmt.Errorf("collection %q: %w: contains '/'", name, errs.ErrInvalidKey)
	}
	return nil
}

func checkName(s string) error {
	switch {
	case len(s) > MaxKeyLen:
		return fmt.Errorf("%w: %d bytes, longer than %d", errs.ErrInvalidKey, len(s), MaxKeyLen)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: not valid UTF-8", errs.ErrInvalidKey)
	case strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("%w: contains a NUL byte", errs.ErrInvalidKey)
	}
	return nil
}

// Collection returns the collection part of a key ("" if it has none).
func Collection(key string) string {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[:i]
	}
	return ""
}
