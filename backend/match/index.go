package match

import (
	"encoding/binary"
	"math/bits"
)

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
	phrases    map[uint64][]entry // key of first word -> phrases
}

// entry is one phrase a first word can start, with a filter on its second
// word: the second word's first bytes (little-endian) and a mask of them.
// Common first words ("the", "в") start many phrases; the filter rejects
// nearly all of them with one compare instead of a full verification.
type entry struct {
	phrase     int32
	next, mask uint64 // mask 0: no second word to filter on
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
		phrases:    make(map[uint64][]entry, keys),
	}
	return ix
}

func (ix *index) add(key uint64, e entry, stemLen int) {
	bit := mix(key) >> ix.bloomShift
	ix.bloom[bit/64] |= 1 << (bit % 64)
	ix.phrases[key] = append(ix.phrases[key], e)
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
		n += 8 + 24 + 24*cap(ids) + 16 // key, slice header, entries, map overhead
	}
	return n
}

// load8 reads up to 8 bytes of b from i, little-endian, zero-padded.
func load8(b []byte, i int) uint64 {
	if i+8 <= len(b) {
		return binary.LittleEndian.Uint64(b[i:])
	}
	var v uint64
	for k := 0; i+k < len(b) && k < 8; k++ {
		v |= uint64(b[i+k]) << (8 * k)
	}
	return v
}

// secondWordFilter builds the entry filter of phrase p.
func secondWordFilter(p phrase) (next, mask uint64) {
	if len(p) < 2 || p[1].any {
		return 0, 0
	}
	w := p[1].text
	for k := 0; k < len(w) && k < 8; k++ {
		next |= uint64(w[k]) << (8 * k)
		mask |= 0xFF << (8 * k)
	}
	return next, mask
}
