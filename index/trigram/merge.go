package trigram

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/RoaringBitmap/roaring/v2"
)

// Merge writes to w the section of the concatenation of sections: the
// documents of srcs[i] are shifted by bases[i] (increasing, each source's
// documents below the next one's base), and every document is below
// numDocs. It is what Builder.WriteTo would write for the shifted documents'
// texts, without the texts, and holds only the table in memory: the lists
// are generated twice from the sources, once for the checksum (which the
// header, written first, carries) and once to write them.
func Merge(w io.Writer, srcs []*Reader, bases []uint32, numDocs uint32) (int64, error) {
	if len(srcs) != len(bases) {
		return 0, fmt.Errorf("trigram: merge: %d sources, %d bases", len(srcs), len(bases))
	}
	all := roaring.New()
	for i, r := range srcs {
		if i > 0 && uint64(bases[i]) < uint64(bases[i-1])+uint64(srcs[i-1].numDocs) {
			return 0, fmt.Errorf("trigram: merge: source %d starts at %d, inside source %d", i, bases[i], i-1)
		}
		if uint64(bases[i])+uint64(r.numDocs) > uint64(numDocs) {
			return 0, fmt.Errorf("trigram: merge: source %d ends past %d documents", i, numDocs)
		}
		it := r.all.Iterator()
		for it.HasNext() {
			all.Add(it.Next() + bases[i])
		}
	}
	m := &merger{srcs: srcs, bases: bases, bsLen: bitsetLen(numDocs)}
	universe := appendUniverse(nil, all.ToArray(), m.bsLen)

	// Pass 1: the table and the block index; lists are only measured.
	var blocks, table []byte
	postLen, n := 0, 0
	var keys []uint32 // keys of the block being built
	var entries []byte
	flushBlock := func() {
		if len(keys) == 0 {
			return
		}
		blocks = binary.LittleEndian.AppendUint32(blocks, keys[0])
		blocks = binary.LittleEndian.AppendUint32(blocks, uint32(len(table)))
		blocks = binary.LittleEndian.AppendUint32(blocks, uint32(postLen-m.blockPost))
		for _, k := range keys {
			table = append(table, byte(k>>16), byte(k>>8), byte(k))
		}
		table = append(table, entries...)
		keys, entries = keys[:0], entries[:0]
	}
	err := m.each(func(key uint32, docs []uint32) error {
		if len(keys) == 0 {
			m.blockPost = 0
		}
		keys = append(keys, key)
		var list []byte
		entries, list = m.encode(entries, docs)
		postLen += len(list)
		m.blockPost += len(list)
		n++
		if len(keys) == blockSize {
			flushBlock()
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	flushBlock()
	return writeSectionParts(w, numDocs, uint32(n), uint32(all.GetCardinality()), universe, blocks, table, postLen, m.lists)
}

// merger walks the merged lists of several sources in key order.
type merger struct {
	srcs      []*Reader
	bases     []uint32
	bsLen     int
	docs      []uint32
	list      []byte
	blockPost int
}

// encode appends docs' table entry to entries and returns the list bytes
// (nil for a single document), encoded as Builder.WriteTo encodes them.
func (m *merger) encode(entries []byte, docs []uint32) ([]byte, []byte) {
	if len(docs) == 1 {
		entries = binary.AppendUvarint(entries, 1<<1)
		return binary.AppendUvarint(entries, uint64(docs[0])), nil
	}
	m.list = appendVarintList(m.list[:0], docs)
	if len(m.list) < m.bsLen {
		entries = binary.AppendUvarint(entries, uint64(len(docs))<<1)
		return binary.AppendUvarint(entries, uint64(len(m.list))), m.list
	}
	m.list = appendBitset(m.list[:0], docs, m.bsLen)
	return binary.AppendUvarint(entries, uint64(len(docs))<<1|1), m.list
}

// lists calls fn with every list, in section order.
func (m *merger) lists(fn func(list []byte) error) error {
	var scratch []byte
	return m.each(func(_ uint32, docs []uint32) error {
		var list []byte
		scratch, list = m.encode(scratch[:0], docs)
		if list == nil {
			return nil
		}
		return fn(list)
	})
}

// each calls fn with every key of the sources in increasing order and its
// shifted documents (valid until fn returns).
func (m *merger) each(fn func(key uint32, docs []uint32) error) error {
	its := make([]entryIter, len(m.srcs))
	for i, r := range m.srcs {
		its[i] = entryIter{r: r}
		its[i].next()
	}
	for {
		least, any := uint32(0), false
		for i := range its {
			if its[i].ok && (!any || its[i].key < least) {
				least, any = its[i].key, true
			}
		}
		if !any {
			for i := range its {
				if its[i].err != nil {
					return fmt.Errorf("trigram: merge: source %d: %w", i, its[i].err)
				}
			}
			return nil
		}
		m.docs = m.docs[:0]
		for i := range its {
			it := &its[i]
			if !it.ok || it.key != least {
				continue
			}
			start := len(m.docs)
			m.docs = it.p.decodeInto(m.docs)
			for j := start; j < len(m.docs); j++ {
				m.docs[j] += m.bases[i]
			}
			it.next()
		}
		if err := fn(least, m.docs); err != nil {
			return err
		}
	}
}

// entryIter walks a Reader's entries in key order. Open validated them.
type entryIter struct {
	r                *Reader
	block, i, n      int
	tOff, eOff, pOff int
	key              uint32
	p                posting
	ok               bool
	err              error
}

func (it *entryIter) next() {
	r := it.r
	if it.i == it.n {
		if it.block*blockHdrSize >= len(r.blocks) {
			it.ok = false
			return
		}
		_, t, p := r.block(it.block)
		it.n, it.i = r.blockLen(it.block), 0
		it.tOff, it.pOff = int(t), int(p)
		it.eOff = it.tOff + keySize*it.n
		it.block++
	}
	it.key = r.key(it.tOff + keySize*it.i)
	p, next, err := r.decodeEntry(it.eOff, it.pOff)
	if err != nil {
		it.ok, it.err = false, err // unreachable: Open validated every entry
		return
	}
	it.p, it.eOff, it.pOff = p, next, it.pOff+len(p.data)
	it.i++
	it.ok = true
}
