package kotadb

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kotadb/kotadb/parse"
	"github.com/kotadb/kotadb/store"
)

// Document returns the parsed document of a stored version (what `kotadb
// get --meta` prints): title, frontmatter, tags, links, headings,
// warnings. A version records only what its content cannot tell (a file's
// times, or that it is a JSON value: store.DocInfo), so the document is
// derived again from the content, as ingestion derived it:
//
//   - a file (store.DocFile) is parsed with the times it was indexed with;
//   - a JSON value (store.DocJSON) gets its document as Put builds it;
//   - a version written by format 1 carries the document as a JSON
//     metadata blob; a file's is parsed again from the content with the
//     blob's times, which keeps the frontmatter's types (dates, integers)
//     that JSON loses, and a JSON value's is the blob.
//
// It returns nil without an error when the version has no document (a
// delete, or a value stored through the store without one). The indices
// are built from the same function, so a query sees what `get --meta`
// shows.
func (db *DB) Document(e Entry) (*Document, error) {
	return documentOf(db.Path(), e.Version, e.Value, e.Meta)
}

// documentOf derives the Document of version v from its content and its
// metadata blob (format 1; nil otherwise).
func documentOf(dbPath string, v store.Version, content, metaJSON []byte) (*Document, error) {
	if v.Op == store.OpDelete {
		return nil, nil
	}
	collection := store.Collection(v.Key)
	rel := v.Key[len(collection)+1:]
	switch v.Doc.Kind {
	case store.DocFile:
		return parseFile(rel, v, content, parse.FileInfo{Path: rel, ModTime: v.Doc.ModTime, Birth: v.Doc.Birth})
	case store.DocJSON:
		doc, err := jsonDocument(v.Key, content)
		if err != nil {
			return nil, &CorruptionError{Path: dbPath, Where: fmt.Sprintf("%s@%d", v.Key, v.Seq), Detail: "stored JSON value does not decode", Err: err}
		}
		return doc, nil
	}
	if metaJSON == nil {
		return nil, nil
	}
	var meta parse.Document
	if err := json.Unmarshal(metaJSON, &meta); err != nil {
		return nil, &CorruptionError{Path: dbPath, Where: fmt.Sprintf("meta of %s@%d", v.Key, v.Seq), Detail: "undecodable metadata", Err: err}
	}
	if meta.Kind == kindJSON {
		return &meta, nil
	}
	doc, err := parseFile(rel, v, content, parse.FileInfo{Path: rel, ModTime: meta.Updated, Birth: meta.Created})
	if errors.Is(err, ErrBinary) {
		return &meta, nil // what ingestion stored is all there is
	}
	return doc, err
}

// parseFile parses a stored file's content. Warnings name the file by its
// path in the collection, as ingestion recorded them.
func parseFile(rel string, v store.Version, content []byte, info parse.FileInfo) (*Document, error) {
	doc, err := parse.Parse(info, content)
	if err != nil {
		return nil, fmt.Errorf("document of %s@%d: %w", v.Key, v.Seq, err)
	}
	for i := range doc.Warnings {
		if doc.Warnings[i].File == "" {
			doc.Warnings[i].File = rel
		}
	}
	return doc, nil
}
