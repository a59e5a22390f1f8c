package match

import (
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

// fnv constants: FNV-1a, 64 bit. A word's hash is built one byte at a time
// while it is scanned, so prefixes of any length cost nothing extra.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

// hashBytes is the FNV-1a hash of b, as the scanner computes it.
func hashBytes(b []byte) uint64 {
	h := fnvOffset
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// tokenize splits normalized text into words. When ix is not nil it also
// looks up each word (and each prefix length the index has wildcard stems
// of) and appends first-word candidates.
func tokenize(norm []byte, ix *index, toks []token, cands []candidate) ([]token, []candidate) {
	brk := breakSentence // the start of the text breaks like a new sentence
	quoted := false
	n := len(norm)
	for i := 0; i < n; {
		b := norm[i]
		if b < utf8.RuneSelf {
			switch asciiClass[b] {
			case clsWord:
				// handled below
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
		// A word starts at i.
		start := i
		h := fnvOffset
		var prefixHits uint64 // bit L set: the first L bytes are a wildcard stem
		for i < n {
			c := norm[i]
			if c < utf8.RuneSelf {
				cls := asciiClass[c]
				if cls == clsApostrophe && isWordStartAt(norm, i+1) {
					// an apostrophe between letters belongs to the word (д'Артаньян, don't)
				} else if cls != clsWord {
					break
				}
				h = (h ^ uint64(c)) * fnvPrime
				i++
			} else {
				size, word := wordRuneAt(norm, i)
				if !word {
					break
				}
				for k := 0; k < size; k++ {
					h = (h ^ uint64(norm[i+k])) * fnvPrime
				}
				i += size
			}
			if ix != nil {
				if l := i - start; l < 64 && ix.prefixLens&(1<<uint(l)) != 0 && ix.bloomHas(h^prefixSalt) {
					prefixHits |= 1 << uint(l)
				}
			}
		}
		ti := int32(len(toks))
		toks = append(toks, token{start: int32(start), end: int32(i), brk: brk, quoted: quoted})
		brk = breakSoft
		if ix != nil {
			if ix.bloomHas(h) {
				cands = append(cands, candidate{tok: ti, key: h})
			}
			for prefixHits != 0 {
				l := trailingZeros(prefixHits)
				prefixHits &= prefixHits - 1
				cands = append(cands, candidate{tok: ti, key: prefixKey(norm[start : start+l])})
			}
		}
	}
	return toks, cands
}

// prefixSalt separates the keys of wildcard stems from those of whole words.
const prefixSalt uint64 = 0x9E3779B97F4A7C15

func prefixKey(stem []byte) uint64 { return hashBytes(stem) ^ prefixSalt }
