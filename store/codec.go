package store

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// minCompressSize is the size below which a blob is stored raw: a zstd
// frame header and the codec header would eat most of any gain.
const minCompressSize = 64

// Compression levels, chosen by measuring the two test corpora
// (klauspost zstd; ratio of raw to stored bytes, dwarves-brain/otel docs):
//
//	no dictionary:   SpeedFastest 2.20x/2.75x, SpeedDefault 2.29x/2.88x,
//	                 at about the same speed (hashing and bbolt dominate)
//	with dictionary: SpeedFastest 2.73x/3.19x, SpeedDefault 2.80x/3.30x,
//	                 but SpeedDefault loads dwarves-brain 2.5x slower
//	                 (go test ./store -run '^$' -bench ColdLoad/dict=true):
//	                 every document starts by copying the dictionary's
//	                 match tables, 1.3 MiB for SpeedDefault against
//	                 256 KiB for SpeedFastest, which for notes of a few
//	                 KiB costs more than compressing them.
const (
	levelPlain = zstd.SpeedDefault
	levelDict  = zstd.SpeedFastest
)

// encoderWindow is the zstd window blobs are compressed with (see
// newEncoder). Decoders accept any window up to MaxValueSize: blobs of
// earlier builds used zstd's default.
const encoderWindow = 256 << 10

// codec compresses and decompresses blob records. Each zstd.Encoder and
// zstd.Decoder is itself a pool (EncodeAll/DecodeAll may be called from
// several goroutines at once), so the codec keeps one per dictionary and
// creates them on first use. Safe for concurrent use.
type codec struct {
	mu       sync.Mutex
	dicts    map[uint32][]byte // dictionary id -> zstd dictionary
	encoders map[uint32]*zstd.Encoder
	decoders map[uint32]*zstd.Decoder
}

func newCodec() *codec {
	return &codec{
		dicts:    map[uint32][]byte{},
		encoders: map[uint32]*zstd.Encoder{},
		decoders: map[uint32]*zstd.Decoder{},
	}
}

// concurrency bounds how many goroutines compress at once per dictionary;
// each zstd state holds a few MiB of tables.
func concurrency() int { return min(runtime.GOMAXPROCS(0), 4) }

// addDict registers a dictionary by id (id 0 means "no dictionary" and is
// not allowed).
func (c *codec) addDict(id uint32, dict []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dicts[id] = dict
	// Drop state built for an earlier dictionary of that id (a training
	// whose commit failed and was retried under the same id).
	if e := c.encoders[id]; e != nil {
		_ = e.Close()
		delete(c.encoders, id)
	}
	if d := c.decoders[id]; d != nil {
		d.Close()
		delete(c.decoders, id)
	}
}

func (c *codec) encoder(dictID uint32) (*zstd.Encoder, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.encoders[dictID]; e != nil {
		return e, nil
	}
	var dict []byte
	if dictID != 0 {
		d, ok := c.dicts[dictID]
		if !ok {
			return nil, fmt.Errorf("dictionary %d is not loaded", dictID)
		}
		dict = d
	}
	e, err := newEncoder(dict, concurrency())
	if err != nil {
		return nil, fmt.Errorf("zstd encoder for dictionary %d: %w", dictID, err)
	}
	c.encoders[dictID] = e
	return e, nil
}

// newEncoder makes an encoder with dictionary dict (nil: none) that runs
// up to concurrent compressions at once, each with its own state.
//
// The window is sized for documents rather than zstd's streams: the
// default keeps a history buffer of several MiB per state (one state per
// core), while notes are a few KiB. 256 KiB holds the 64 KiB dictionary
// and nearly every document whole; both test corpora store the same bytes
// with it as with the default, for a fraction of the heap. A larger
// document only loses matches further back than the window.
func newEncoder(dict []byte, concurrent int) (*zstd.Encoder, error) {
	opts := []zstd.EOption{
		zstd.WithEncoderLevel(levelPlain),
		zstd.WithEncoderCRC(false),
		zstd.WithEncoderConcurrency(concurrent),
		zstd.WithWindowSize(encoderWindow),
		zstd.WithLowerEncoderMem(true),
	}
	if dict != nil {
		opts[0] = zstd.WithEncoderLevel(levelDict)
		opts = append(opts, zstd.WithEncoderDict(dict))
	}
	return zstd.NewWriter(nil, opts...)
}

func (c *codec) decoder(dictID uint32) (*zstd.Decoder, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.decoders[dictID]; d != nil {
		return d, nil
	}
	opts := []zstd.DOption{
		zstd.WithDecoderConcurrency(concurrency()),
		zstd.WithDecoderMaxMemory(MaxValueSize),
		zstd.IgnoreChecksum(true),
		// Buffers sized for the frame at hand, not for zstd's streams.
		zstd.WithDecoderLowmem(true),
	}
	if dictID != 0 {
		d, ok := c.dicts[dictID]
		if !ok {
			return nil, fmt.Errorf("blob names dictionary %d, which the store does not hold", dictID)
		}
		opts = append(opts, zstd.WithDecoderDicts(d))
	}
	dec, err := zstd.NewReader(nil, opts...)
	if err != nil {
		return nil, fmt.Errorf("zstd decoder for dictionary %d: %w", dictID, err)
	}
	c.decoders[dictID] = dec
	return dec, nil
}

// encode returns the blob record of data, compressed with dictionary
// dictID (0 = none). Small or incompressible data is stored raw.
func (c *codec) encode(data []byte, dictID uint32) ([]byte, error) {
	if len(data) < minCompressSize {
		return packBlob(nil, data, 0), nil
	}
	enc, err := c.encoder(dictID)
	if err != nil {
		return nil, err
	}
	return packBlob(enc, data, dictID), nil
}

// packBlob builds the blob record of data with enc, which must use
// dictionary dictID; raw when enc is nil, data is small or compression does
// not pay.
func packBlob(enc *zstd.Encoder, data []byte, dictID uint32) []byte {
	raw := func() []byte { return append([]byte{codecRaw}, data...) }
	if enc == nil || len(data) < minCompressSize {
		return raw()
	}
	rec := make([]byte, 0, 16+len(data)/2)
	if dictID != 0 {
		rec = append(rec, codecZstdDict)
		rec = binary.AppendUvarint(rec, uint64(dictID))
	} else {
		rec = append(rec, codecZstd)
	}
	rec = binary.AppendUvarint(rec, uint64(len(data)))
	rec = enc.EncodeAll(data, rec)
	if len(rec) >= 1+len(data) {
		return raw()
	}
	return rec
}

// blobHeader is the parsed header of a blob record.
type blobHeader struct {
	codec   byte
	dictID  uint32
	rawLen  uint64
	payload []byte
}

func parseBlobHeader(rec []byte) (blobHeader, error) {
	d := decoder{buf: rec}
	var h blobHeader
	h.codec = d.byte1("codec")
	switch {
	case d.err != nil:
	case h.codec == codecRaw:
		h.rawLen = uint64(len(rec) - 1)
	case h.codec == codecZstd, h.codec == codecZstdDict:
		if h.codec == codecZstdDict {
			id := d.uvarint("dictionary id")
			if d.err == nil && (id == 0 || id > 1<<32-1) {
				d.fail("dictionary id", "%d out of range", id)
			}
			h.dictID = uint32(id)
		}
		h.rawLen = d.uvarint("length")
		if d.err == nil && h.rawLen > MaxValueSize {
			d.fail("length", "%d exceeds the %d byte limit", h.rawLen, MaxValueSize)
		}
	default:
		d.fail("codec", "unknown codec %d", h.codec)
	}
	if d.err != nil {
		return blobHeader{}, fmt.Errorf("blob record: %w", d.err)
	}
	h.payload = rec[d.off:]
	return h, nil
}

// decode returns the uncompressed bytes of a blob record in fresh memory
// (the record may live in bbolt's mmap, valid only inside a transaction).
func (c *codec) decode(rec []byte) ([]byte, error) {
	h, err := parseBlobHeader(rec)
	if err != nil {
		return nil, err
	}
	if h.codec == codecRaw {
		return append([]byte(nil), h.payload...), nil
	}
	dec, err := c.decoder(h.dictID)
	if err != nil {
		return nil, err
	}
	out, err := dec.DecodeAll(h.payload, make([]byte, 0, min(h.rawLen, 8<<20)))
	if err != nil {
		return nil, fmt.Errorf("blob record: zstd: %w", err)
	}
	if uint64(len(out)) != h.rawLen {
		return nil, fmt.Errorf("blob record: decompressed to %d bytes, header says %d", len(out), h.rawLen)
	}
	return out, nil
}

// dropEncoders forgets the encoders, so that their state (history
// buffers and hash tables, about 1 MiB per dictionary and core) can be
// collected; the next write builds them again. An Encoder used only
// through EncodeAll holds no goroutines and needs no Close, and one still
// compressing on another goroutine finishes with the state it holds.
func (c *codec) dropEncoders() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.encoders)
}

// close releases the pooled encoder and decoder state.
func (c *codec) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range c.encoders {
		_ = e.Close()
		delete(c.encoders, id)
	}
	for id, d := range c.decoders {
		d.Close()
		delete(c.decoders, id)
	}
}
