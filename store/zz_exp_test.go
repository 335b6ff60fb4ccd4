package store

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/kotadb/kotadb/parse"
)

func cpuNow() time.Duration { return time.Duration(0) }

func TestZZExp(t *testing.T) {
	for _, name := range []string{"dwarves-brain", "opentelemetry-docs"} {
		paths, data := corpusFiles(t, name)
		var metas [][]byte
		var raw, rawMeta int
		for i, p := range paths {
			doc, err := parse.Parse(parse.FileInfo{Path: p, ModTime: time.Unix(1e9, 0)}, data[i])
			if err != nil {
				t.Fatal(err)
			}
			m, _ := json.Marshal(doc)
			metas = append(metas, m)
			raw += len(data[i])
			rawMeta += len(m)
		}
		t.Logf("%s: %d files, raw %d, meta %d", name, len(paths), raw, rawMeta)
		measure := func(label string, enc *zstd.Encoder, id uint32, train time.Duration) {
			start := time.Now()
			sc, sm := 0, 0
			for i := range data {
				sc += len(packBlob(enc, data[i], id))
			}
			mid := time.Now()
			for i := range metas {
				sm += len(packBlob(enc, metas[i], id))
			}
			end := time.Now()
			t.Logf("  %-40s train %6.1fms content %7d (%.3f) %6.1fms meta %7d (%.3f) %6.1fms total/raw %.3f", label, train.Seconds()*1000,
				sc, float64(sc)/float64(raw), mid.Sub(start).Seconds()*1000, sm, float64(sm)/float64(rawMeta), end.Sub(mid).Seconds()*1000, float64(sc+sm)/float64(raw))
		}
		for _, lvl := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault} {
			enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(lvl), zstd.WithEncoderCRC(false), zstd.WithEncoderConcurrency(1))
			measure("nodict "+lvl.String(), enc, 0, 0)
		}
		rng := rand.New(rand.NewPCG(0x6b6f7461, uint64(len(data))))
		perm := rng.Perm(len(data))
		for _, budget := range []int{512 << 10} {
 for _, hb := range []int{18, 17, 16, 15} {
 _ = hb
			for _, table := range []int{256 << 10} {
				for _, hist := range []int{64 << 10} {
				for _, metaShare := range []int{8} {
					if table > budget {
						continue
					}
					var samples [][]byte
					tot := 0
					for _, i := range perm {
						if tot >= budget {
							break
						}
						s := data[i][:min(len(data[i]), 32<<10)]
						samples = append(samples, s)
						tot += len(s)
						if metaShare > 0 && len(samples)%metaShare == 0 {
							samples = append(samples, metas[i])
							tot += len(metas[i])
						}
					}
					start := time.Now()
					picked := pickSamples(samples, budget)
					var sb int
					for _, p := range picked {
						sb += len(p)
					}
					dict, err := zstd.BuildDict(zstd.BuildDictOptions{ID: 1, Contents: pickSamples(picked, table),
						History: buildHistory(picked, min(hist, sb/4)), Offsets: [3]int{1, 4, 8}, Level: levelDict})
					if err != nil {
						t.Fatal(err)
					}
					train := time.Since(start)
					enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(levelDict), zstd.WithEncoderCRC(false), zstd.WithEncoderConcurrency(1), zstd.WithEncoderDict(dict))
					measure(fmtLabel(budget, table, hist)+" m"+itoa(metaShare)+" hb"+itoa(hb), enc, 1, train)
}
				}
				}
			}
		}
	}
}

func fmtLabel(b, tb, h int) string {
	return "dict budget " + itoa(b>>10) + "K table " + itoa(tb>>10) + "K hist " + itoa(h>>10) + "K"
}
func itoa(n int) string { return string(json.Number(jsonInt(n))) }
func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }
