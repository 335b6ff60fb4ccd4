package store

import "time"

// Op is the kind of change a version records.
type Op uint8

const (
	OpPut    Op = 1 // the key got a new value
	OpDelete Op = 2 // the key was removed (a tombstone version)
	OpMove   Op = 3 // the key was created by moving From (From gets an OpDelete in the same batch)
)

func (o Op) String() string {
	switch o {
	case OpPut:
		return "put"
	case OpDelete:
		return "delete"
	case OpMove:
		return "move"
	}
	return "unknown"
}

// Hash is a SHA-256 content hash. The zero Hash means "no content" (deletes).
type Hash [32]byte

// Version is one entry of the change log: every write is a version.
type Version struct {
	Seq    uint64    // global, monotonic, starts at 1, never reused
	Time   time.Time // wall-clock time of the commit (UTC, ns)
	Op     Op
	Key    string // "collection/key"
	From   string // for OpMove: the old key
	Hash   Hash   // content hash of the value (zero for deletes)
	Size   int64  // uncompressed value size in bytes
	Meta   Hash   // hash of the metadata blob (format 1: parsed Document JSON), zero if none
	Author string // "fs", "cli", an agent's name…
	Prev   uint64 // Seq of the key's previous version, 0 if none
	// Doc says how the version's document (title, tags, links…) derives
	// from its content and key, with what cannot: the file's times. Set
	// instead of a metadata blob (format 2); zero for deletes and for
	// versions with a metadata blob or none.
	Doc DocInfo
}

// DocKind says what a version's content is, and so how its document is
// derived from it: parsing a file's bytes, or reading a JSON value.
type DocKind uint8

const (
	DocNone DocKind = 0 // nothing recorded (the metadata, if any, is the Meta blob)
	DocFile DocKind = 1 // a file's bytes: parse them with ModTime and Birth
	DocJSON DocKind = 2 // a JSON value stored with Put
)

// DocInfo is what a version records so that its document can be derived
// from its content: the kind, and for a file the times the parser was
// given. Times keep their UTC offset (a document's JSON shows it); Birth
// is zero when the file system does not know it.
type DocInfo struct {
	Kind           DocKind
	ModTime, Birth time.Time
}

// Equal reports whether d and o record the same thing: the same kind and
// the same instants with the same UTC offsets.
func (d DocInfo) Equal(o DocInfo) bool {
	return d.Kind == o.Kind && sameTime(d.ModTime, o.ModTime) && sameTime(d.Birth, o.Birth)
}

func sameTime(a, b time.Time) bool {
	_, ao := a.Zone()
	_, bo := b.Zone()
	return a.Equal(b) && ao == bo
}

// Entry is a version together with its value and metadata.
type Entry struct {
	Version
	Value []byte
	Meta  []byte // nil when the version has no metadata
}

// Write is one element of an atomic batch.
type Write struct {
	Op    Op
	Key   string
	From  string // OpMove only
	Value []byte // OpPut / OpMove
	Meta  []byte // optional metadata blob (OpPut / OpMove)
	// Doc, for OpPut and OpMove, records how the document derives from
	// the value instead of storing it as Meta (the two are exclusive). For
	// the no-change rule it counts as metadata: a put with the head's
	// content but another Doc makes a version.
	Doc DocInfo
	// File, when set, records the source file's stat beside the key so the
	// next incremental scan can skip it. With Op == 0 the write only updates
	// the file state (no version is made): a file whose mtime changed but
	// whose content did not.
	File *FileState
}

// FileState is what an incremental scan compares to decide whether a file
// changed: size and mtime first, then the content hash.
type FileState struct {
	Size    int64
	ModTime int64 // unix nanoseconds
	Hash    Hash
}

// Source is a folder registered as a collection.
type Source struct {
	Name    string    `json:"name"`    // the collection name
	Path    string    `json:"path"`    // absolute folder path
	Added   time.Time `json:"added"`   // when it was registered
	Indexed time.Time `json:"indexed"` // last completed scan
	MaxSize int64     `json:"max_size,omitempty"`
}
