//go:build !amd64 || purego

package trigram

// blocks tests nothing where there is no vector kernel: the word scan of
// pairFilter.next does all the work.
func (p *pairFilter) blocks(text []byte, from, n int) (block int, mask uint32, end int) {
	return -1, 0, from
}

// haveVectorPairs: pairFilter.blocks has a vector kernel here.
var haveVectorPairs = false
