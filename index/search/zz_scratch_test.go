package search

import "testing"

func TestZZPostStats(t *testing.T) {
	for _, name := range benchCorpora {
		idx, _ := corpusIndex(t, name)
		snap, _ := idx.acquire()
		for _, v := range snap.views {
			if v.seg == nil {
				continue
			}
			var n, bodyOnly1, single, df1, terms, posCount, deltaBig, posLenBytes, tfBytes int
			hist := map[int]int{}
			v.seg.prefixText(nil, func(term []byte) bool {
				l, _ := v.seg.lookupText(term)
				terms++
				if l.df == 1 {
					df1++
				}
				var c textCursor
				prev := int64(-1)
				for c.reset(l.docs, l.pos, l.skips, noDoc, l.df); c.doc != noDoc; c.next(false) {
					n++
					if int64(c.doc)-prev-1 >= 128 {
						deltaBig++
					}
					prev = int64(c.doc)
					if c.mask == 1<<FieldBody && c.tf[FieldBody] == 1 {
						bodyOnly1++
					}
					if c.mask&(c.mask-1) == 0 {
						single++
					}
					if c.posLen >= 128 {
						posLenBytes += 2
					} else {
						posLenBytes++
					}
					for f := range numTextFields {
						posCount += int(c.tf[f])
						if c.tf[f] > 0 {
							tfBytes++
						}
					}
					hist[c.posLen]++
				}
				return true
			})
			t.Logf("%s: terms %d df1 %d postings %d bodyOnlyTf1 %d singleField %d positions %d bigDelta %d posLenBytes %d tfBytes %d", name, terms, df1, n, bodyOnly1, single, posCount, deltaBig, posLenBytes, tfBytes)
		}
		idx.releaseSnapshot(snap)
		idx.Close()
	}
}
