package match

import "math/bits"

// index finds the phrases whose first word a text word can start.
//
// Every word of the text is hashed once while it is scanned (tokenize); the
// hash of the whole word and the hashes of its prefixes at the lengths of the
// known stems are tested against a Bloom-style bitset that fits in cache.
// Only the rare words that pass look up the map and compare bytes. Anchoring
// phrases at word starts means no Aho-Corasick failure links are needed: the
// scan is one pass with one multiply per byte.
type index struct {
	bloom      []uint64
	bloomShift uint
	prefixLens uint64             // bit L: some stem is L bytes long
	phrases    map[uint64][]int32 // key of first word -> phrase ids
}

// candidate is a text word whose whole form (or a prefix) is a known first word.
type candidate struct {
	tok int32
	key uint64
}

func newIndex(keys int) *index {
	// About 32 bits per key keeps false positives near 3%; at least 64 Kbit.
	size := uint(16)
	for (1<<size)/32 < keys && size < 26 {
		size++
	}
	ix := &index{
		bloom:      make([]uint64, (1<<size)/64),
		bloomShift: 64 - size,
		phrases:    make(map[uint64][]int32, keys),
	}
	return ix
}

func (ix *index) add(key uint64, phraseID int32, stemLen int) {
	bit := mix(key) >> ix.bloomShift
	ix.bloom[bit/64] |= 1 << (bit % 64)
	ix.phrases[key] = append(ix.phrases[key], phraseID)
	if stemLen > 0 {
		ix.prefixLens |= 1 << uint(stemLen)
	}
}

func (ix *index) bloomHas(key uint64) bool {
	bit := mix(key) >> ix.bloomShift
	return ix.bloom[bit/64]&(1<<(bit%64)) != 0
}

// mix spreads FNV's weak high bits before they pick a bloom bit.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

func trailingZeros(x uint64) int { return bits.TrailingZeros64(x) }

// sizeBytes estimates the memory the index holds.
func (ix *index) sizeBytes() int {
	n := len(ix.bloom) * 8
	for _, ids := range ix.phrases {
		n += 8 + 24 + 4*cap(ids) + 16 // key, slice header, ids, map overhead
	}
	return n
}
