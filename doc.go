/*
Package kotadb is a local memory engine for AI agents: it indexes a folder of
markdown notes or a git repository of notes and code into a durable, versioned
document store with persistent search indices.

The files stay the source of truth. kotadb reads them and never writes into
the folder it indexes; its database is a single file elsewhere (see
DefaultPath).

# Data flow

	file ──parse──▶ document ──store──▶ version ──apply──▶ index ──query──▶ result

Step by step:

  - A file is read from a registered folder (a source). Its path relative to
    the folder, with the source's name in front, is its key:
    "vault/projects/kota.md". Files matched by .kotadbignore, binary files and
    files over the size limit are skipped and counted.
  - The parser turns the bytes into a Document: title, frontmatter with typed
    values, tags (nested with '/'), links, headings, aliases, and warnings
    with file:line:col for whatever it could not understand. A file with bad
    frontmatter is still indexed; the warning is kept with it.
  - The store records a Version for every change: the bytes (by content
    hash, compressed) and what the bytes cannot tell, the file's times and
    whether it is a file or a JSON value. The Document is derived from
    those again when asked (DB.Document), so it is never stored twice.
    Nothing is overwritten; a delete is a version too (a tombstone).
  - Indices are derived from the store's change log and can always be
    rebuilt from it. They live in the folder <db>.index/ beside the database
    file: the segment index (ranked text, phrases, typo tolerance, trigrams
    for substrings and regexes, keyword and numeric fields for tags, paths,
    frontmatter and dates) and the link graph. Each records the Seq it
    covers and, when opened, replays only the changes after it; nothing is
    rescanned. Every write through DB (Index, Put, Delete) brings open
    indices up to date before it returns.
  - One query model (package query) answers everything: DB.Search for ranked
    text with snippets, DB.Query for text combined with tags, paths, fields,
    dates and links, with sort, paging, projection and aggregates. The
    planner starts from the most selective index and ranks only survivors.

# Versions

Every write gets a sequence number (Seq) that is global to the database,
starts at 1, only grows and is never reused. A key's versions form a chain
(each Version's Prev is the Seq of the one before), so History, GetAt and
GetAtSeq can answer what a key held at any earlier moment. Writing the same
content (and file times) a key already has makes no new version, so re-indexing
an unchanged folder adds nothing.

# Durability

A write, or a batch of writes from one indexing pass, is one transaction:
after it returns without error it is on disk (fsync'd) and a crash loses none
of it; a crash in the middle leaves none of it. Options.NoSync trades that
guarantee for speed and is meant for tests and benchmarks only.

Every blob carries a checksum. Damaged data is reported as a
*CorruptionError (errors.Is(err, ErrCorrupt)), never silently returned and
never a panic; DB.Verify checks every blob, every version chain and every
source folder against the files on disk.

# Concurrency and locking

One process at a time may open a database for writing; others get ErrLocked,
whose message names the process holding the lock, after waiting up to
Options.Timeout. Within a process a *DB is safe for concurrent use: reads run
in parallel and see a consistent snapshot; writes are serialized.

Searching needs a DB opened for writing, because bringing the indices up to
date writes them; a read-only DB serves Get, Ls and History. Many processes
sharing one database without waiting for each other is a later step (a
daemon that owns the lock).

# Caveats

  - The database file grows with every version and does not shrink when keys
    are deleted: history is the point.
  - Indexing trusts file size and modification time to skip unchanged files,
    then compares content hashes; a tool that rewrites a file while keeping
    both its size and its mtime can hide a change until the next full check
    (DB.Verify finds it).
  - Keys are case-sensitive even on case-insensitive file systems.
*/
package kotadb
