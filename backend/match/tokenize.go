package match

import (
	"encoding/binary"
	"unicode"
	"unicode/utf8"
)

// Breaks between two words. A phrase only matches across a soft break;
// context windows stop at a sentence break.
const (
	breakSoft     uint8 = iota // spaces, hyphens, dashes, quotes
	breakClause                // , : ( ) [ ] and the like
	breakSentence              // . ! ? ; and the end of a line of text
)

// token is one word of the normalized text.
type token struct {
	start, end int32 // byte range in the normalized text
	brk        uint8 // the break between the previous word and this one
	quoted     bool  // inside double quotes (or guillemets, unified by normalize)
}

// asciiClass classifies ASCII bytes of normalized text. It is built by a
// function (not init) because package-level rule terms are parsed at
// variable initialization, before init functions run.
var asciiClass = buildASCIIClass()

const (
	clsOther uint8 = iota
	clsWord
	clsClause
	clsSentence
	clsQuote
	clsApostrophe
)

func buildASCIIClass() (asciiClass [128]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		asciiClass[c] = clsWord
	}
	for c := 'A'; c <= 'Z'; c++ {
		asciiClass[c] = clsWord
	}
	for c := '0'; c <= '9'; c++ {
		asciiClass[c] = clsWord
	}
	for _, c := range ",:()[]{}/|" {
		asciiClass[c] = clsClause
	}
	for _, c := range ".!?;\n" {
		asciiClass[c] = clsSentence
	}
	asciiClass['"'] = clsQuote
	asciiClass['\''] = clsApostrophe
	return asciiClass
}

// isWordRune reports whether a non-ASCII rune belongs to a word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// wordRuneAt decodes the rune at norm[i] (non-ASCII) and reports its size and
// whether it belongs to a word. Cyrillic (lead bytes 0xD0, 0xD1: U+0400-U+047F,
// all letters) takes a fast path because it is most of ru/uk text.
func wordRuneAt(norm []byte, i int) (size int, word bool) {
	if b := norm[i]; (b == 0xD0 || b == 0xD1) && i+1 < len(norm) && norm[i+1]&0xC0 == 0x80 {
		return 2, true
	}
	r, size := utf8.DecodeRune(norm[i:])
	if r == utf8.RuneError && size <= 1 {
		return 1, false
	}
	return size, isWordRune(r)
}

// isWordStartAt reports whether norm[i] starts a word character.
func isWordStartAt(norm []byte, i int) bool {
	if i >= len(norm) {
		return false
	}
	if b := norm[i]; b < utf8.RuneSelf {
		return asciiClass[b] == clsWord
	}
	_, w := wordRuneAt(norm, i)
	return w
}

// hashBytes hashes a word eight bytes at a time: one multiply per eight
// bytes instead of FNV's one per byte, whose dependency chain bounded the
// scan at about 600 MB/s. Word bytes are never 0, so the zero padding of the
// last chunk cannot make two words of different lengths collide; the length
// is mixed in all the same.
func hashBytes(b []byte) uint64 {
	h := uint64(len(b)) * 0x9E3779B97F4A7C15
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * 0xff51afd7ed558ccd
		h ^= h >> 32
		b = b[8:]
	}
	if len(b) > 0 {
		var tail uint64
		for k, c := range b {
			tail |= uint64(c) << (8 * k)
		}
		h = (h ^ tail) * 0xff51afd7ed558ccd
		h ^= h >> 32
	}
	return h
}

// hashAt is hashBytes(norm[i:j]), reading the last chunk with one load when
// the text has room after it.
func hashAt(norm []byte, i, j int) uint64 {
	if j+8 > len(norm) {
		return hashBytes(norm[i:j])
	}
	h := uint64(j-i) * 0x9E3779B97F4A7C15
	for ; j-i >= 8; i += 8 {
		h = (h ^ binary.LittleEndian.Uint64(norm[i:])) * 0xff51afd7ed558ccd
		h ^= h >> 32
	}
	if i < j {
		tail := binary.LittleEndian.Uint64(norm[i:]) & (1<<(8*uint(j-i)) - 1)
		h = (h ^ tail) * 0xff51afd7ed558ccd
		h ^= h >> 32
	}
	return h
}

// wordByte marks the bytes that continue a word without decoding: ASCII
// letters and digits, the lead bytes of U+0400-U+047F (0xD0, 0xD1: all
// Cyrillic letters) and continuation bytes (met here only after such a
// lead, since any other lead byte takes the decoding path, which consumes
// its whole character).
var wordByte = func() (t [256]bool) {
	for c := 0; c < 128; c++ {
		t[c] = asciiClass[c] == clsWord
	}
	for c := 0x80; c <= 0xBF; c++ {
		t[c] = true
	}
	t[0xD0], t[0xD1] = true, true
	return t
}()

// tokenize splits normalized text into words. When ix is not nil it also
// looks up each word (whole, as the first of a pair with the next word, and
// at the lengths of known stems) and appends candidates.
func tokenize(norm []byte, ix *index, toks []token, cands []candidate) ([]token, []candidate) {
	brk := breakSentence // the start of the text breaks like a new sentence
	quoted := false
	var prevHash uint64 // hash of the previous word, for pair keys
	n := len(norm)
	for i := 0; i < n; {
		b := norm[i]
		if b < utf8.RuneSelf {
			switch asciiClass[b] {
			case clsWord:
				// a word starts here
			case clsClause:
				brk = max(brk, breakClause)
				i++
				continue
			case clsSentence:
				brk = breakSentence
				i++
				continue
			case clsQuote:
				quoted = !quoted
				i++
				continue
			default:
				i++
				continue
			}
		} else if size, word := wordRuneAt(norm, i); !word {
			i += size
			continue
		}
		start := i
		for i < n {
			c := norm[i]
			if wordByte[c] {
				i++
				continue
			}
			if c == '\'' && isWordStartAt(norm, i+1) {
				i++ // an apostrophe between letters belongs to the word (don't, п'ять)
				continue
			}
			if c < utf8.RuneSelf {
				break
			}
			size, word := wordRuneAt(norm, i)
			if !word {
				break
			}
			i += size
		}
		ti := int32(len(toks))
		toks = append(toks, token{start: int32(start), end: int32(i), brk: brk, quoted: quoted})
		if ix != nil {
			h := hashAt(norm, start, i)
			bw := ix.bloom[ix.blockOf(h)] // one read for the word and its pair
			if bw&bloomBit(wordKey(h)) != 0 {
				cands = append(cands, candidate{tok: ti, key: wordKey(h)})
			}
			if brk == breakSoft && ti > 0 {
				if pk := pairKey(prevHash, h); bw&bloomBit(pk) != 0 {
					cands = append(cands, candidate{tok: ti - 1, key: pk})
				}
			}
			if i-start >= 3 {
				// A stem of three bytes is filed under its three bytes, a
				// longer one under its first four: try both starts of the word.
				bit3 := stemStartBit(norm[start : start+3])
				bit4 := bit3
				if i-start >= 4 {
					bit4 = stemStartBit(norm[start : start+4])
				}
				if ix.prefixLens != 0 && (hasBit(ix.stemStarts, bit4) || hasBit(ix.stemStarts, bit3)) {
					cands = ix.stemCandidates(norm[start:i], ti, cands)
				}
				if ix.secondLens != 0 && brk == breakSoft && ti > 0 && (hasBit(ix.secondStarts, bit4) || hasBit(ix.secondStarts, bit3)) {
					cands = ix.secondStemCandidates(norm[start:i], prevHash, ti-1, cands)
				}
			}
			prevHash = h
		}
		brk = breakSoft
	}
	return toks, cands
}

// stemCandidates appends the prefixes of word that may be known stems.
// Only the few words whose first bytes begin some stem get here, so the
// prefixes are hashed again rather than tracked in the main loop.
func (ix *index) stemCandidates(word []byte, ti int32, cands []candidate) []candidate {
	lens := ix.prefixLens & (1<<uint(min(len(word), 63)+1) - 1)
	for lens != 0 {
		l := trailingZeros(lens)
		lens &= lens - 1
		if k := stemKey(hashBytes(word[:l])); ix.bloomHas(k, k) {
			cands = append(cands, candidate{tok: ti, key: k})
		}
	}
	return cands
}

// secondStemCandidates appends the pairs of the previous word (hash prev,
// token ti) and the prefixes of word that may be known second-place stems.
func (ix *index) secondStemCandidates(word []byte, prev uint64, ti int32, cands []candidate) []candidate {
	lens := ix.secondLens & (1<<uint(min(len(word), 63)+1) - 1)
	for lens != 0 {
		l := trailingZeros(lens)
		lens &= lens - 1
		if sk := stemKey(hashBytes(word[:l])); ix.bloomHas(sk, pairKey(prev, sk)) {
			k := pairKey(prev, sk)
			cands = append(cands, candidate{tok: ti, key: k})
		}
	}
	return cands
}
