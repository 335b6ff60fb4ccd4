package store

import (
	"encoding/binary"
	"fmt"
)

// checkLog reads the change log in seq order: every record decodes, seqs run
// 1, 2, 3… without gaps, times never decrease, each version's Prev is the
// key's previous version, deletes only follow live versions, a move follows
// the delete of its source. It records the latest version of each key, the
// first reference to each blob and the version counters for later checks.
func (v *verifier) checkLog() {
	var prev Version // previous record in seq order
	format := v.formatVersion()
	c := v.tx.Bucket(bucketLog).Cursor()
	for k, raw := c.First(); k != nil; k, raw = c.Next() {
		v.res.Versions++
		if len(k) != 8 {
			v.problem(ProblemLog, fmt.Sprintf("%x", k), "key of %d bytes, want 8", len(k))
			continue
		}
		seq := binary.BigEndian.Uint64(k)
		where := fmt.Sprint(seq)
		if seq != prev.Seq+1 {
			v.problem(ProblemLog, where, "follows seq %d: versions are missing", prev.Seq)
		}
		rec, err := decodeVersion(raw)
		if err != nil {
			v.problem(ProblemLog, where, "%v", err)
			prev.Seq = seq
			continue
		}
		if rec.Seq != seq {
			v.problem(ProblemLog, where, "record says seq %d", rec.Seq)
		}
		if rec.Time.Before(prev.Time) {
			v.problem(ProblemLog, where, "time %s is before the previous version's %s", rec.Time, prev.Time)
		}
		if err := ValidateKey(rec.Key); err != nil {
			v.problem(ProblemLog, where, "%v", err)
		}
		if rec.Doc.Kind != DocNone && format < formatDocInfo {
			v.problem(ProblemLog, where, "a format-%d record in a format-%d file", formatDocInfo, format)
		}
		v.checkRecord(where, rec, prev)
		v.reference(rec.Hash, rec, rec.Size)
		v.reference(rec.Meta, rec, -1)
		c := v.counter(Collection(rec.Key))
		c.versions++
		if rec.Op == OpDelete {
			c.deletes++
		}
		v.last[rec.Key] = rec
		prev = rec
	}
	v.res.Keys = len(v.last)
	for _, last := range v.last {
		if last.Op != OpDelete {
			v.res.LiveKeys++
		}
	}
	if raw := v.tx.Bucket(bucketMeta).Get(metaTime); raw != nil && prev.Seq != 0 {
		if t, n := binary.Varint(raw); n > 0 && t != prev.Time.UnixNano() {
			v.problem(ProblemMeta, "time", "last commit time %s, but the newest version has %s", unixTime(t), prev.Time)
		}
	}
}

// checkRecord checks one version against the op's rules and the key's chain.
func (v *verifier) checkRecord(where string, rec, prev Version) {
	last, had := v.last[rec.Key]
	wantPrev := uint64(0)
	if had {
		wantPrev = last.Seq
	}
	if rec.Prev != wantPrev {
		v.problem(ProblemLog, where, "prev is %d, but the previous version of %q is %d", rec.Prev, rec.Key, wantPrev)
	}
	switch rec.Op {
	case OpDelete:
		if rec.Hash != (Hash{}) || rec.Meta != (Hash{}) || rec.Doc.Kind != DocNone || rec.Size != 0 || rec.From != "" {
			v.problem(ProblemLog, where, "delete of %q carries content, metadata, size or source", rec.Key)
		}
		if !had || last.Op == OpDelete {
			v.problem(ProblemLog, where, "delete of %q, which was not live", rec.Key)
		}
	case OpPut, OpMove:
		if rec.Hash == (Hash{}) {
			v.problem(ProblemLog, where, "%s of %q without a content hash", rec.Op, rec.Key)
		}
		if rec.Op == OpPut && rec.From != "" {
			v.problem(ProblemLog, where, "put of %q names a source %q", rec.Key, rec.From)
		}
		if rec.Op == OpMove && (prev.Op != OpDelete || prev.Key != rec.From || prev.Seq+1 != rec.Seq || !prev.Time.Equal(rec.Time)) {
			v.problem(ProblemLog, where, "move of %q from %q does not follow the delete of its source", rec.Key, rec.From)
		}
	}
}

// reference records the first version that uses blob h.
func (v *verifier) reference(h Hash, rec Version, size int64) {
	if h == (Hash{}) {
		return
	}
	if _, ok := v.refs[h]; !ok {
		v.refs[h] = blobRef{key: rec.Key, seq: rec.Seq, size: size}
	}
}

// formatVersion returns the file's format version, FormatVersion when it is
// unreadable (checkMeta reports that).
func (v *verifier) formatVersion() uint64 {
	d := decoder{buf: v.tx.Bucket(bucketMeta).Get(metaFormat)}
	if f := d.uvarint("format"); d.end() == nil {
		return f
	}
	return FormatVersion
}
