// Package store is kotadb's durable, versioned document store: one bbolt
// file holding every version of every document, the change log that indices
// replay, the file states that make rescans incremental, and the registered
// sources. The on-disk layout is documented at the top of format.go.
//
// # Keys
//
// A key is "collection/path": the collection is the text before the first
// '/', and neither part may be empty. Keys are valid UTF-8 without NUL, at
// most MaxKeyLen bytes. Anything else is errs.ErrInvalidKey.
//
// # Versions
//
// Every write is a version with a global sequence number (1, 2, 3… never
// reused), a commit time, the content's SHA-256 and size, the author and
// the key's previous version (Prev), and what its metadata is: a DocInfo
// (the content is a file, parsed with the times recorded beside it, or a
// JSON value: the document derives from the content, so none is stored),
// or the SHA-256 of a metadata blob (the only kind in format 1). Deletes
// are versions too (tombstones). A move makes two versions in one batch:
// the delete of From, then a move version of Key.
//
// Commit times never decrease along the log, even if the clock steps back
// (a commit takes the later of now and the previous commit time), so "the
// version live at time t" (GetAt) is well defined.
//
// History, GetAt and GetAtSeq follow the key's Prev links back from its
// latest version, one log read per version passed: cheap for the tens of
// versions a note has, linear for a key rewritten thousands of times.
//
// # Blobs
//
// Contents and metadata blobs are stored once per SHA-256, zstd-compressed
// (SpeedDefault; SpeedFastest with a dictionary, see codec.go), small or
// incompressible ones raw, and never removed, so history costs only what
// changed. TrainDictionary gives a collection a dictionary for its later
// blobs; dictionaries are kept for as long as blobs use them, i.e. forever.
// Reads check every blob's SHA-256.
//
// # Transactions
//
// Apply commits a batch in one bbolt transaction: all of it or none of it,
// including on a full disk or an I/O error. A put whose content and
// metadata (blob and DocInfo) equal the key's current head makes no
// version but still stores its file state. Deleting (or moving) a key that is not live fails the
// whole batch with errs.ErrNotFound. A delete (and the source of a move)
// drops the key's file state.
//
// Hashing and compressing the values is most of a write's cost and needs
// no lock: Apply does it before its transaction, on all cores, and callers
// with their own goroutines (ingest's workers) call Prepare or PrepareAll
// themselves and commit the results with ApplyPrepared.
//
// # Concurrency
//
// A Store is safe for concurrent use: reads run in parallel, writes are
// serialized (bbolt: many readers, one writer). Only one process may open
// the file for writing; readers (Options.ReadOnly) share it with each other
// but not with a writer. A process that cannot get the lock within
// Options.Timeout gets a *LockedError naming the writer, from "<db>.lock".
//
// Scan, Changes and FileStates read in batches and call their callback
// between transactions, so a callback may use the store, writes included.
// The flip side: they are not snapshots. Changes sees versions committed
// while it runs (it only moves forward in seq order); Scan sees keys ahead
// of its position in their newest state.
//
// # Damage
//
// Stored data that fails a check is a *errs.CorruptionError (errors.Is
// errs.ErrCorrupt), which tells the user to run `kotadb verify`; the store
// does not panic on a damaged file. bbolt trusts its file and can fault,
// panic or recurse without end on damaged pages, so Open first checks the
// meta pages, freelist and file length from the file (metacheck.go), then
// walks the page trees without bbolt (pagecheck.go): at Open those it reads
// itself, the others before the first transaction, whose error the damage
// then is. Every transaction runs with memory faults turned into panics
// and recovered. Verify reads
// everything (pages, bbolt's tx.Check, version chains, heads, every blob's
// hash, the pack, counters) and reports each problem; Check returns the
// first.
//
// Caveats: a damaged page that still looks like a valid leaf is read as
// data (the record decoders then report it); a fault inside bolt.Open
// itself, which the checks before it make unlikely, leaves the file mapped
// and so locked until the process exits; Verify reads the whole file;
// NoSync trades durability for speed and is for tests.
package store
