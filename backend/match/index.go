package match

import (
	"encoding/binary"
	"math/bits"
)

// index finds the phrases a text word can start.
//
// Every word of the text is hashed once while it is scanned (tokenize). Three
// kinds of keys are looked up, each first in a Bloom-style bitset that fits in
// cache, so the rare words that pass alone reach the hash table:
//   - the pair of a word and the next one (phrases whose first two words are
//     whole words: most of them), so a common first word such as "the" or "в"
//     costs nothing unless the pair is right;
//   - the whole word (one-word phrases, and phrases whose second word is a
//     stem or "*"), with a filter on the second word's first bytes;
//   - the word's prefixes at the lengths of known stems ("кризис*"), tried
//     only when the word's first three bytes begin some stem; likewise the
//     pair of a word and a stem of the next one ("на украин*").
//
// Anchoring phrases at word starts means no Aho-Corasick failure links are
// needed: the scan is one pass with one multiply per byte.
type index struct {
	// bloom is a register-blocked Bloom filter: a key's bit sits in the
	// 64-bit word picked by its "block key", the hash of the text word being
	// looked at. A word's own key and the key of the pair it ends share that
	// word, so a text word costs one memory read for both.
	bloom      []uint64
	blockMask  uint64
	prefixLens uint64 // bit L: some first-word stem is L bytes long
	// stemLens has, for the first bytes of first-word stems (hashed to a
	// slot: stemSlot), the lengths of the stems that start so (bit L: L
	// bytes). A word tries only those lengths, not every stem length of
	// the rule set: the real rules have many stems (issue 6).
	stemLens []uint64
	// stemStarts has a bit for the first bytes of every stem, first or
	// second (stemStartBit), so most words pass the tables by at once.
	stemStarts []uint64
	// The same for stems in second place ("на украин*"), which are keyed
	// by the pair of the first word and the stem.
	secondLens     uint64
	secondStemLens []uint64
	slots          []slot  // open addressing, linear probing; len is a power of two
	entries        []entry // grouped by key; a slot points at its group
}

type slot struct {
	key    uint64
	off, n uint32 // entries[off:off+n]; n == 0 marks an empty slot
}

// entry is one phrase a key can start, with a filter on its second word:
// the second word's first bytes (little-endian) and a mask of them.
type entry struct {
	phrase     int32
	next, mask uint64 // mask 0: nothing to filter on
}

// candidate is a text position whose key is in the index.
type candidate struct {
	tok int32
	key uint64
}

// Key kinds are kept apart by salts, so a word, a stem and a pair with the
// same bytes never share a key.
const (
	stemSalt uint64 = 0x9E3779B97F4A7C15
	pairMul  uint64 = 0xC2B2AE3D27D4EB4F
)

func wordKey(h uint64) uint64             { return h }
func stemKey(h uint64) uint64             { return h ^ stemSalt }
func pairKey(first, second uint64) uint64 { return (first*pairMul ^ second) + 0x165667B19E3779F9 }

// indexBuilder collects keys before the index is laid out.
type indexBuilder struct {
	groups      map[uint64][]entry
	order       []uint64
	blockOf     map[uint64]uint64 // key -> block key
	prefixLens  uint64
	stems       [][]byte
	secondLens  uint64
	secondStems [][]byte
}

func newIndexBuilder() *indexBuilder {
	return &indexBuilder{groups: map[uint64][]entry{}, blockOf: map[uint64]uint64{}}
}

// addPhrase indexes phrase p under the best key it has.
func (b *indexBuilder) addPhrase(id int32, p phrase) {
	var key, block uint64
	var e entry
	e.phrase = id
	switch {
	case p[0].prefix:
		block = stemKey(hashBytes([]byte(p[0].text)))
		key = block
		b.prefixLens |= 1 << uint(len(p[0].text))
		b.stems = append(b.stems, []byte(p[0].text))
		e.next, e.mask = secondWordFilter(p)
	case len(p) >= 2 && !p[1].any && !p[1].prefix:
		block = hashBytes([]byte(p[1].text))
		key = pairKey(hashBytes([]byte(p[0].text)), block)
	case len(p) >= 2 && p[1].prefix:
		block = stemKey(hashBytes([]byte(p[1].text)))
		key = pairKey(hashBytes([]byte(p[0].text)), block)
		b.secondLens |= 1 << uint(len(p[1].text))
		b.secondStems = append(b.secondStems, []byte(p[1].text))
	default:
		block = hashBytes([]byte(p[0].text))
		key = wordKey(block)
		e.next, e.mask = secondWordFilter(p)
	}
	if _, ok := b.groups[key]; !ok {
		b.order = append(b.order, key)
		b.blockOf[key] = block
	}
	b.groups[key] = append(b.groups[key], e)
}

func (b *indexBuilder) build() *index {
	keys := len(b.order)
	// About 24 bits per key keeps false positives near 4%; at least 8 KiB.
	blocks := 1024
	for blocks*64/24 < keys && blocks < 1<<24 {
		blocks <<= 1
	}
	nslots := 1
	for nslots < 2*keys {
		nslots <<= 1
	}
	ix := &index{
		bloom:          make([]uint64, blocks),
		blockMask:      uint64(blocks - 1),
		prefixLens:     b.prefixLens,
		stemLens:       make([]uint64, stemSlots),
		stemStarts:     make([]uint64, (1<<16)/64),
		slots:          make([]slot, nslots),
		secondLens:     b.secondLens,
		secondStemLens: make([]uint64, stemSlots),
	}
	for _, k := range b.order {
		ix.bloom[ix.blockOf(b.blockOf[k])] |= bloomBit(k)
		group := b.groups[k]
		s := slot{key: k, off: uint32(len(ix.entries)), n: uint32(len(group))}
		ix.entries = append(ix.entries, group...)
		for i := mix(k) & uint64(nslots-1); ; i = (i + 1) & uint64(nslots-1) {
			if ix.slots[i].n == 0 {
				ix.slots[i] = s
				break
			}
		}
	}
	for _, stem := range b.stems {
		ix.stemLens[stemSlot(stem)] |= 1 << uint(len(stem))
		setBit(ix.stemStarts, stemStartBit(stem[:min(len(stem), 4)]))
	}
	for _, stem := range b.secondStems {
		ix.secondStemLens[stemSlot(stem)] |= 1 << uint(len(stem))
		setBit(ix.stemStarts, stemStartBit(stem[:min(len(stem), 4)]))
	}
	return ix
}

// lookup returns the entries of key.
func (ix *index) lookup(key uint64) []entry {
	mask := uint64(len(ix.slots) - 1)
	for i := mix(key) & mask; ; i = (i + 1) & mask {
		s := &ix.slots[i]
		if s.n == 0 {
			return nil
		}
		if s.key == key {
			return ix.entries[s.off : s.off+s.n]
		}
	}
}

// blockOf is the bloom word of a block key.
func (ix *index) blockOf(block uint64) uint64 { return mix(block) & ix.blockMask }

// bloomBit is key's bit within its bloom word.
func bloomBit(key uint64) uint64 { return 1 << ((key * 0x2545F4914F6CDD1D) >> 58) }

// bloomHas tests one key; the scan reads the word once for several keys.
func (ix *index) bloomHas(block, key uint64) bool {
	return ix.bloom[ix.blockOf(block)]&bloomBit(key) != 0
}

// stemStartBit maps the first bytes of a word or stem to a bit: four bytes
// when there are four (two Cyrillic letters: three bytes would be one and a
// half, which lets far too many words through), else three. Stems have at
// least three letters, so at least three bytes.
func stemStartBit(b []byte) uint32 {
	x := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
	if len(b) >= 4 {
		x |= uint32(b[3]) << 24
		return (x * 0x9E3779B1) >> 16
	}
	return ((x * 0x85EBCA6B) >> 16) ^ 1 // three-byte starts hash differently
}

// stemSlots is the size of the stem-length tables: 32 KiB each, in cache;
// stems whose starts share a slot share its lengths, which costs a look-up
// at most.
const stemSlots = 1 << 12

// stemSlot is the slot of a stem, or of a word's start, by stemStartBit.
func stemSlot(b []byte) uint32 { return stemStartBit(b[:min(len(b), 4)]) >> 4 }

func setBit(set []uint64, bit uint32) { set[bit/64] |= 1 << (bit % 64) }

func hasBit(set []uint64, bit uint32) bool { return set[bit/64]&(1<<(bit%64)) != 0 }

// mix spreads FNV's weak high bits before they pick a bit or a slot.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

func trailingZeros(x uint64) int { return bits.TrailingZeros64(x) }

// sizeBytes is the memory the index holds.
func (ix *index) sizeBytes() int {
	return len(ix.bloom)*8 + len(ix.stemLens)*8 + len(ix.secondStemLens)*8 + len(ix.stemStarts)*8 + len(ix.slots)*16 + len(ix.entries)*24
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
