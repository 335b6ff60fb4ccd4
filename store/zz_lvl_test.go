package store

import (
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

func TestZZLevels(t *testing.T) {
	_, data := corpusFiles(t, "dwarves-brain")
	picked := pickSamples(data)
	var sb int64
	for _, p := range picked { sb += int64(len(p)) }
	raw := 0
	for _, d := range data { raw += len(d) }
	for _, lvl := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression} {
		dict, err := zstd.BuildDict(zstd.BuildDictOptions{ID: 1, Contents: picked, History: buildHistory(picked, min(dictSize, int(sb/4))), Offsets: [3]int{1, 4, 8}, Level: lvl})
		if err != nil { t.Fatal(err) }
		for _, useDict := range []bool{false, true} {
			opts := []zstd.EOption{zstd.WithEncoderLevel(lvl), zstd.WithEncoderCRC(false), zstd.WithEncoderConcurrency(1)}
			if useDict { opts = append(opts, zstd.WithEncoderDict(dict)) }
			enc, _ := zstd.NewWriter(nil, opts...)
			for _, d := range data[:50] { enc.EncodeAll(d, nil) }
			start := time.Now()
			n := 0
			for _, d := range data { n += len(enc.EncodeAll(d, nil)) }
			el := time.Since(start)
			t.Logf("%-8v dict=%v: %d bytes (%.2fx) %.1f MB/s", lvl, useDict, n, float64(raw)/float64(n), float64(raw)/1e6/el.Seconds())
		}
	}
}
