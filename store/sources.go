package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/kotadb/kotadb/errs"
)

// PutSource registers (or updates) the folder behind a collection.
func (s *Store) PutSource(src Source) error {
	if err := ValidateCollection(src.Name); err != nil {
		return fmt.Errorf("put source: %w", err)
	}
	b, err := json.Marshal(src)
	if err != nil {
		return fmt.Errorf("put source %q: %w", src.Name, err)
	}
	return s.update("put source", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSources).Put([]byte(src.Name), b)
	})
}

// Source returns the registration of collection name; errs.ErrNotFound if
// there is none.
func (s *Store) Source(name string) (Source, error) {
	var src Source
	err := s.view("source", func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketSources).Get([]byte(name))
		if raw == nil {
			return fmt.Errorf("source %q: %w", name, errs.ErrNotFound)
		}
		var err error
		src, err = s.decodeSource(name, raw)
		return err
	})
	return src, err
}

// Sources returns every registered source, ordered by name.
func (s *Store) Sources() ([]Source, error) {
	var out []Source
	err := s.view("sources", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
			src, err := s.decodeSource(string(k), v)
			out = append(out, src)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteSource removes the registration of collection name and the file
// states of its keys. Its versions stay (history is never rewritten); its
// documents stay live until deleted. errs.ErrNotFound if not registered.
func (s *Store) DeleteSource(name string) error {
	return s.update("delete source", func(tx *bolt.Tx) error {
		sources := tx.Bucket(bucketSources)
		if sources.Get([]byte(name)) == nil {
			return fmt.Errorf("delete source %q: %w", name, errs.ErrNotFound)
		}
		if err := sources.Delete([]byte(name)); err != nil {
			return fmt.Errorf("delete source %q: %w", name, err)
		}
		// Collect first, then delete: deleting while iterating would need
		// a re-seek per key, which a damaged page could turn into a loop.
		prefix := []byte(name + "/")
		files := tx.Bucket(bucketFiles)
		var keys [][]byte
		c := files.Cursor()
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			if err := files.Delete(k); err != nil {
				return fmt.Errorf("delete file states of %q: %w", name, err)
			}
		}
		return nil
	})
}

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}

func (s *Store) decodeSource(name string, raw []byte) (Source, error) {
	var src Source
	if err := json.Unmarshal(raw, &src); err != nil {
		return Source{}, s.corrupt("sources/"+name, err, "")
	}
	if src.Name != name {
		return Source{}, s.corrupt("sources/"+name, nil, "record names source %q", src.Name)
	}
	return src, nil
}
