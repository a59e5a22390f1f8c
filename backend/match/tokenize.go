package match

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/contextlens/contextlens/backend/normalize"
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

// asciiClass classifies the ASCII bytes found between words. It is built
// by a function (not init) because package-level rule terms are parsed at
// variable initialization, before init functions run.
var asciiClass = buildASCIIClass()

const (
	clsOther    uint8 = iota // spaces, hyphens, apostrophes...: a soft break
	clsClause                // , : ( ) [ ] { } / |
	clsSentence              // . ! ? ;
	clsQuote                 // " (normalize unifies every double quote and guillemet to it)
)

func buildASCIIClass() (asciiClass [128]uint8) {
	for _, c := range ",:()[]{}/|" {
		asciiClass[c] = clsClause
	}
	for _, c := range ".!?;\n" {
		asciiClass[c] = clsSentence
	}
	asciiClass['"'] = clsQuote
	return asciiClass
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

// tokenize turns the words the normalizer found into tokens, reading the
// bytes between words (usually one space) for sentence and clause breaks
// and quotation marks. When ix is not nil it also looks up each word
// (whole, as the second of a pair with the previous word, and at the
// lengths of known stems) and appends candidates.
func tokenize(norm []byte, words []normalize.Span, ix *index, toks []token, cands []candidate) ([]token, []candidate) {
	brk := breakSentence // the start of the text breaks like a new sentence
	quoted := false
	var prevHash uint64 // hash of the previous word, for pair keys
	prevEnd := 0
	prevStart := 0
	for _, w := range words {
		start, end := int(w.Start), int(w.End)
		if gap := norm[prevEnd:start]; len(gap) != 1 || gap[0] != ' ' {
			if len(toks) > 0 {
				gap = skipNonBreakingDot(norm, prevStart, prevEnd, start, gap)
			}
			for _, c := range gap {
				if c >= utf8.RuneSelf {
					continue // non-ASCII separators (symbols, emoji) break nothing
				}
				switch asciiClass[c] {
				case clsClause:
					brk = max(brk, breakClause)
				case clsSentence:
					brk = breakSentence
				case clsQuote:
					quoted = !quoted
				}
			}
		}
		prevStart, prevEnd = start, end
		ti := int32(len(toks))
		toks = append(toks, token{start: w.Start, end: w.End, brk: brk, quoted: quoted})
		if ix != nil {
			h := hashAt(norm, start, end)
			bw := ix.bloom[ix.blockOf(h)] // one read for the word and its pair
			if bw&bloomBit(wordKey(h)) != 0 {
				cands = append(cands, candidate{tok: ti, key: wordKey(h)})
			}
			if brk == breakSoft && ti > 0 {
				if pk := pairKey(prevHash, h); bw&bloomBit(pk) != 0 {
					cands = append(cands, candidate{tok: ti - 1, key: pk})
				}
			}
			if end-start >= 3 && ix.prefixLens|ix.secondLens != 0 {
				// A stem of three bytes is filed under its three bytes, a
				// longer one under its first four: try both starts of the word.
				word := norm[start:end]
				bit3 := stemStartBit(word[:3])
				bit4 := bit3
				if len(word) >= 4 {
					bit4 = stemStartBit(word[:4])
				}
				// Most words start no stem: an 8 KiB bitset says so before
				// the larger tables of lengths are read.
				if hasBit(ix.stemStarts, bit4) || hasBit(ix.stemStarts, bit3) {
					slot3, slot4 := bit3>>4, bit4>>4
					fits := uint64(1)<<uint(min(len(word), 63)+1) - 1 // stems no longer than the word
					if lens := (ix.stemLens[slot4] | ix.stemLens[slot3]) & fits; lens != 0 {
						cands = ix.stemCandidates(word, lens, ti, cands)
					}
					if brk == breakSoft && ti > 0 {
						if lens := (ix.secondStemLens[slot4] | ix.secondStemLens[slot3]) & fits; lens != 0 {
							cands = ix.secondStemCandidates(word, lens, prevHash, ti-1, cands)
						}
					}
				}
			}
			prevHash = h
		}
		brk = breakSoft
	}
	return toks, cands
}

// skipNonBreakingDot returns the gap between the words norm[prevStart:prevEnd]
// and the one at next without the '.' or ',' that does not end a sentence or
// clause: a decimal point or comma ("98.42 percent", «98,42»), and the dot of
// an initial or a title ("U.S. officials", "Mr. Peskov", «В. Путин»), so
// that windows and phrases go on across it.
func skipNonBreakingDot(norm []byte, prevStart, prevEnd, next int, gap []byte) []byte {
	switch {
	case len(gap) == 1 && (gap[0] == '.' || gap[0] == ',') && isDigit(norm[prevEnd-1]) && isDigit(norm[next]):
		return nil
	case gap[0] == '.' && isAbbreviation(norm[prevStart:prevEnd]):
		return gap[1:]
	}
	return gap
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isAbbreviation reports whether a word before a '.' is an initial (one
// Latin or Cyrillic letter) or a title that a name follows.
func isAbbreviation(w []byte) bool {
	switch {
	case len(w) == 1:
		return 'a' <= w[0] && w[0] <= 'z'
	case len(w) == 2 && (w[0] == 0xD0 || w[0] == 0xD1):
		return true // one Cyrillic letter
	}
	return titles[string(w)]
}

// titles are abbreviations that a name or a word follows, in normalized
// (lower) case («спец. операция»).
var titles = map[string]bool{"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "gen": true,
	"lt": true, "col": true, "sgt": true, "capt": true, "gov": true, "sen": true, "rep": true, "st": true,
	"jr": true, "sr": true, "vs": true, "спец": true}

// stemCandidates appends the prefixes of word, at the lengths lens, that
// may be known stems.
// Only the few words whose first bytes begin some stem get here, so the
// prefixes are hashed again rather than tracked in the main loop.
func (ix *index) stemCandidates(word []byte, lens uint64, ti int32, cands []candidate) []candidate {
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
// token ti) and the prefixes of word, at the lengths lens, that may be
// known second-place stems.
func (ix *index) secondStemCandidates(word []byte, lens, prev uint64, ti int32, cands []candidate) []candidate {
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
