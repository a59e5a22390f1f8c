// Package normalize turns text into the canonical form the matcher scans,
// keeping a map from every normalized byte back to the original text.
//
// The canonical form, in order of thought:
//
//   - Unicode NFKC (ligatures, full-width forms, compatibility characters);
//   - lower case, with Russian ё folded to е (and the stress-marked ѐ ѝ to е и);
//     Ukrainian і ї є ґ are kept;
//   - a word (run of letters) that mixes Latin and Cyrillic look-alikes is
//     rewritten in its majority script ("сrisis" with a Cyrillic с becomes
//     "crisis");
//   - zero-width characters, the soft hyphen, bidi controls and combining
//     marks U+0300–U+036F that NFKC did not compose are removed;
//   - double quotes and guillemets become ", single quotes and apostrophes ',
//     dashes and hyphens -;
//   - every run of white space becomes one space;
//   - a word hyphenated at a line end is joined again ("infor-\nmation"),
//     and so is one broken by a hyphen and a space ("opera- tion"), unless
//     a conjunction follows ("pre- and post-war");
//   - each invalid UTF-8 byte becomes a space (a separator).
//
// Speed matters more here than anywhere else in the engine. Plain ASCII and
// lower case Cyrillic go through a loop that tests eight bytes at a time
// (plain), the rest of ASCII and of U+0400–U+04FF and the common quotes,
// dashes and spaces through table-driven scalar code, and only the rare
// remaining characters pay for a decode and an NFKC lookup. The map back to
// the original is run-length encoded (see mark), so the fast paths do not
// write it at all.
package normalize

import (
	"bytes"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// Text is a normalized text and its map back to the original.
//
// A Text can be reused: Normalize overwrites it and keeps its buffers, so a
// worker that normalizes one document after another does not allocate once
// the buffers are large enough. A Text is not safe for concurrent use.
type Text struct {
	// Norm is the normalized UTF-8 text.
	Norm []byte
	src  string

	// marks is the map from Norm back to src, run-length encoded (see
	// mark): writing one int32 per normalized byte cost more than all the
	// rest of normalization, while the delta between a normalized offset
	// and its original offset stays the same for long runs (ASCII, Cyrillic
	// letters, single spaces) and changes only where normalization drops or
	// resizes a character. marks is sorted by n and marks[0].n == 0 whenever
	// Norm is not empty.
	marks []mark
	delta int // o - n of the last mark, or noDelta

	// scripts holds the scripts of the letters emitted since the last
	// non-letter: the current word. Zero means the last rune emitted was not
	// a letter.
	scripts uint8

	in       []byte // NFKC input of one segment
	seg      []byte // NFKC output of one segment
	iter     norm.Iter
	word     []byte  // look-alike folding: the word being rewritten
	wordOrig []int32 // and the offset of each of its characters, by index in word

	// bounds holds the word boundaries of Norm[:wpos], flat: start, end,
	// start, ... (see words.go). The last end is missing while a word is
	// open.
	bounds []int32
	wpos   int

	piece *Text // see pieceText
}

// A mark says that the character starting at Norm[n] comes from the
// character starting at src[o], and that until the next mark the
// character starting at Norm[n+k] comes from src[o+k].
//
// Only character starts are mapped: every byte of a normalized character
// maps to the same original offset, so Orig looks up the start of the
// character a byte belongs to. That is what makes a Cyrillic letter (two
// bytes from two bytes) free, and what lets the characters of an expansion
// ("ﬁ" to "fi") or of a Latin letter folded to its two-byte Cyrillic
// look-alike map back to one original character: each character whose
// origin breaks the run gets a mark of its own.
type mark struct{ n, o int32 }

// noDelta is Text.delta when there is no mark: no offset differs from its
// normalized offset by that much.
const noDelta = math.MinInt

// Bits of Text.scripts.
const (
	inLatin    = 1
	inCyrillic = 2
	inOther    = 4 // letters of any other script; keeps "in a word" true
	inMixed    = inLatin | inCyrillic
)

// Normalize fills t with the normalized form of src, reusing t's buffers.
//
// Offsets are int32: src must be shorter than 2 GiB.
func (t *Text) Normalize(src string) {
	t.src = src
	t.scripts = 0
	// Output is rarely longer than the input (only NFKC expansions and
	// Latin-to-Cyrillic folding grow it); growing once here keeps the hot
	// loops free of reallocation.
	want := len(src) + len(src)/8 + 16
	if cap(t.Norm) < want {
		t.Norm = make([]byte, 0, want)
	}
	t.Norm = t.Norm[:0]
	t.marks = t.marks[:0]
	t.delta = noDelta
	// Room for a boundary every two bytes, more than prose needs, so
	// the eight-byte loop seldom stops to grow it.
	if want := len(src)/2 + 16; cap(t.bounds) < want {
		t.bounds = make([]int32, 0, want)
	}
	t.bounds = t.bounds[:0]
	t.wpos = 0

	for i := 0; i < len(src); {
		if c := src[i]; c < utf8.RuneSelf || c >= 0xD0 && c <= 0xD3 {
			if j := t.fast(src, i); j > i {
				i = j
				continue
			}
		}
		i = t.general(src, i)
	}
	t.endWord()
	t.finishWords()
}

// Orig returns the byte offset in the original text of the character that
// produced Norm[i]; it requires 0 <= i < len(Norm). Orig is non-decreasing
// in i, every byte of a normalized character gives the same offset, and
// that offset is the start of a character of the original (an invalid byte
// counts as a character of its own, as in a for-range loop).
//
// It costs a binary search over the runs of the map.
func (t *Text) Orig(i int) int {
	for i > 0 && t.Norm[i]&0xC0 == 0x80 {
		i-- // Norm is valid UTF-8: this finds the character's start
	}
	m := t.markAt(i)
	return int(m.o) + i - int(m.n)
}

// markAt returns the last mark at or before the normalized offset i.
func (t *Text) markAt(i int) mark {
	lo, hi := 1, len(t.marks) // marks[0].n == 0 <= i
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if int(t.marks[h].n) <= i {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return t.marks[lo-1]
}

// mapTo records that the character about to be written at Norm[n], the
// end of the output, comes from src[o]. It is cheap when the current run
// already says so, which is the common case on the slow paths.
func (t *Text) mapTo(n, o int) {
	if o-n != t.delta {
		t.newMark(n, o)
	}
}

// newMark is mapTo when the current run does not predict o. It is kept
// out of line so that mapTo inlines.
//
//go:noinline
func (t *Text) newMark(n, o int) {
	t.delta = o - n
	if k := len(t.marks) - 1; k >= 0 && int(t.marks[k].n) == n {
		// Nothing was written under the last mark (a skipped run of white
		// space, say, and then a character from elsewhere): replace it, or
		// drop it if the run before it predicts o.
		if k > 0 && int(t.marks[k-1].o)-int(t.marks[k-1].n) == o-n {
			t.marks = t.marks[:k]
		} else {
			t.marks[k].o = int32(o)
		}
		return
	}
	t.marks = append(t.marks, mark{int32(n), int32(o)})
}

// truncate cuts Norm back to n bytes, and the map with it, so that output
// can be taken back and written again (look-alike folding, backtracking).
func (t *Text) truncate(n int) {
	t.truncateWords(n)
	t.Norm = t.Norm[:n]
	k := len(t.marks)
	for k > 0 && int(t.marks[k-1].n) > n {
		k--
	}
	t.marks = t.marks[:k]
	t.delta = noDelta
	if k > 0 {
		t.delta = int(t.marks[k-1].o) - int(t.marks[k-1].n)
	}
}

// fast processes the run of ASCII characters, fast-path Cyrillic letters
// (U+0400–U+04FF, see cyrLower) and quickPunct characters starting at
// src[i] and returns the index after it, or i if src[i] starts a character
// it does not handle.
//
// None of them makes the output longer than the input: an ASCII byte emits
// one byte (or none, in a run of white space), a Cyrillic letter two bytes,
// a quote, dash or space of two or three bytes one. So fast makes room for
// the rest of src once and writes by index, and it touches the offset map
// only where it drops input. The slice lives in a local so the loop stays
// in registers; it goes back to t before anything that needs t.Norm.
func (t *Text) fast(src string, i int) int {
	n := len(t.Norm)
	if need := n + len(src) - i; cap(t.Norm) < need {
		t.Norm = slices.Grow(t.Norm, need-n)
	}
	nb := t.Norm[:cap(t.Norm)]
	sc := t.scripts
	t.mapTo(n, i)
	for i < len(src) {
		// Eight bytes at a time while they are plain. A word already
		// mixing scripts goes through the scalar code below, which folds
		// it at its end.
		if sc&inMixed != inMixed && i+8 <= len(src) {
			i, n, sc = t.plain(src, i, nb, n, sc)
			if i >= len(src) {
				break
			}
		}
		c := src[i]
		cl := byteClass[c]
		if cl == classLetter {
			nb[n] = c | 0x20
			n++
			i++
			sc |= inLatin
			continue
		}
		if cl == classMulti {
			// Cyrillic letters that the eight-byte loop leaves out (upper
			// case, ё): two bytes in, two bytes out, so the map needs
			// nothing. The run ends after a letter that stays as it is,
			// so that the eight-byte loop takes the rest of a capitalized
			// word.
			start := i
			for i+1 < len(src) {
				c, c2 := src[i], src[i+1]
				l := cyrLower[int(c&3)<<6|int(c2&0x3F)]
				if c < 0xD0 || c > 0xD3 || l == 0 || c2&0xC0 != 0x80 {
					break
				}
				nb[n] = byte(l >> 8)
				nb[n+1] = byte(l)
				n += 2
				i += 2
				if l == uint16(c)<<8|uint16(c2) {
					break
				}
			}
			if i > start {
				sc |= inCyrillic
				continue
			}
			// Quotes, dashes and no-break spaces: what general does with
			// them, without leaving the loop.
			b, size := quickPunct(src, i)
			if size == 0 {
				break // for general
			}
			if sc&inMixed == inMixed {
				n = t.foldAt(n, len(src)-i)
				nb = t.Norm[:cap(t.Norm)]
				t.mapTo(n, i)
			}
			sc = 0
			if b != ' ' || n == 0 || nb[n-1] != ' ' {
				nb[n] = b
				n++
			}
			i += size
			t.mapTo(n, i)
			continue
		}
		if cl == classHyphen && sc != 0 {
			if k := joinAt(src, i+1, hyphenBreak, t.pieceText()); k >= 0 {
				i = k // the word goes on at src[k]
				t.mapTo(n, i)
				continue
			}
		}
		if sc&inMixed == inMixed {
			n = t.foldAt(n, len(src)-i)
			nb = t.Norm[:cap(t.Norm)]
			t.mapTo(n, i)
		}
		sc = 0
		if cl != classSpace {
			nb[n] = asciiLower[c]
			n++
			i++
			continue
		}
		// One space for the whole run of white space, mapped to its first
		// character; the run after it starts at the end of the white space.
		j, wrote := i, 0
		if n == 0 || nb[n-1] != ' ' {
			nb[n] = ' '
			n++
			j++
			wrote = 1
		}
		for j < len(src) && byteClass[src[j]] == classSpace {
			j++
		}
		if j-i != wrote {
			t.mapTo(n, j)
		}
		i = j
	}
	t.Norm, t.scripts = nb[:n], sc
	return i
}

// SWAR constants: a byte of ones, the top bit of every byte.
const (
	loBits = 0x0101010101010101
	hiBits = 0x8080808080808080
)

// plain is the hot loop of fast: it copies src[i:] to dst[n:] eight bytes
// at a time while the bytes are plain, and returns the new i and n and the
// word state sc after them. The caller has made room in dst and goes on
// with the scalar loop at the first byte that is not plain (or among the
// last seven).
//
// Plain are the characters the scalar loop would emit byte for byte with
// no effect on the offset map or on look-alike folding: ASCII letters,
// digits and punctuation other than '-', '`' and the apostrophe, single
// spaces, and the lower case Cyrillic letters that normalize to themselves,
// unless a letter continues a word of the other script.
//
// plain also records the word boundaries of what it writes (see words.go):
// in plain bytes a word byte is a letter or a digit, so the boundaries are
// where the mask of word bytes changes, found with a few operations on
// masks computed anyway. The apostrophe is not plain: whether it belongs
// to a word depends on the character after it, which for the last of the
// eight is not known yet, and the scalar scan handles that case for less
// than the masks would cost. ASCII apostrophes are rare in running text
// (most has ’, which is not plain either). Eight bytes are tested at once,
// without a branch per byte, since the branches at word boundaries are what
// a byte loop spends its time mispredicting. (Upper case Cyrillic and ё are
// left to the scalar loop: they are a small part of the text, and testing
// for them here cost more on every eight bytes than it saved.)
//
// Each per-byte test adds to every byte a constant that sets its top bit
// exactly when the byte is at least some bound, or xors with a byte first to
// test for equality (the sum 0x7F + x has its top bit clear only for x ==
// 0). Working on the low seven bits of each byte, no addition carries into
// the next byte. Upper case ASCII letters are the letters with bit 0x20
// clear, and get it by moving their top bit down to 0x20.
func (t *Text) plain(src string, i int, dst []byte, n int, sc uint8) (int, int, uint8) {
	var prev uint64 // 0x80 if the output ends with a space
	if n > 0 && dst[n-1] == ' ' {
		prev = 0x80
	}
	// 0x80 if these eight bytes start with the second byte of a plain
	// Cyrillic letter whose first byte ended the last eight.
	var carry uint64
	// Word boundaries (see words.go): catch up with what the scalar code
	// wrote, then record those of the plain bytes from the masks. pIn is
	// 0x80 if the byte before the eight is in a word.
	if t.wpos < n {
		t.scanWords(dst, n)
	}
	bnd := t.bounds
	nw := len(bnd) // boundaries in bnd
	var pIn uint64
	if nw&1 == 1 {
		pIn = 0x80
		if c := src[i]; dst[n-1] == '\'' && c < utf8.RuneSelf && !wordASCII[c] {
			// The word ended with a tentative apostrophe, and the
			// ASCII byte at src[i] will not continue it, whatever path
			// it takes: no ASCII byte turns into a word character.
			bnd = append(bnd, int32(n-1))
			nw++
			pIn = 0
		}
	}
	bnd = bnd[:cap(bnd)]
	for {
		// The inner loop runs while bnd has room for eight boundaries
		// per eight bytes, the most there can be, so that it need not
		// check for room: it writes them through bp.
		if len(bnd)-nw < 256 {
			bnd = slices.Grow(bnd[:nw], 256+(len(src)-i)/2)
			bnd = bnd[:cap(bnd)]
		}
		bp := unsafe.Pointer(unsafe.SliceData(bnd))
		end := min(len(src), i+(len(bnd)-nw)&^7)
		for i+8 <= end {
			w := load64(src[i : i+8])
			var ok, latin, cyr, spaces, digits uint64
			if w&hiBits == 0 {
				// ASCII only, the whole of English text: the tests below
				// without the masks for bytes >= 0x80, and all the way
				// to the next eight when they are all plain.
				ctl := ^(w + 0x60*loBits) // below 0x20
				spaces = ^((w ^ ' '*loBits) + 0x7F*loBits) & hiBits
				hyphen := ^((w ^ '-'*loBits) + 0x7F*loBits)
				grave := ^((w ^ '`'*loBits) + 0x7F*loBits)
				apos := ^((w ^ '\''*loBits) + 0x7F*loBits)
				x := w | 0x20*loBits
				latin = (x + (0x80-'a')*loBits) &^ (x + (0x80-'z'-1)*loBits) & hiBits
				digits = (w + (0x80-'0')*loBits) &^ (w + (0x80-'9'-1)*loBits) & hiBits
				ok = ^(ctl | hyphen | grave | apos | spaces&(spaces<<8|prev) | latin&(uint64(sc&inCyrillic)<<6)) & hiBits
				putLE64(dst[n:n+8], w|(latin&^(w<<2))>>2)
				carry = 0
				if ok == hiBits {
					sc = sc&keepWord(^latin&hiBits) | uint8(latin>>63)&inLatin
					prev = spaces >> 56 & 0x80
					wb := latin | digits
					nw = putBounds(bp, nw, edgeBits(wb, pIn), n)
					pIn = wb >> 56
					i += 8
					n += 8
					continue
				}
			} else {
				asc := ^w & hiBits        // ASCII bytes
				a := w &^ hiBits          // each byte's low seven bits
				ctl := ^(a + 0x60*loBits) // below 0x20
				spaces = ^((a ^ ' '*loBits) + 0x7F*loBits) & asc
				hyphen := ^((a ^ '-'*loBits) + 0x7F*loBits)
				grave := ^((a ^ '`'*loBits) + 0x7F*loBits)
				apos := ^((a ^ '\''*loBits) + 0x7F*loBits)
				x := a | 0x20*loBits
				latin = (x + (0x80-'a')*loBits) &^ (x + (0x80-'z'-1)*loBits) & asc
				digits = (a + (0x80-'0')*loBits) &^ (a + (0x80-'9'-1)*loBits) & asc
				ok = asc &^ (ctl | hyphen | grave | apos | spaces&(spaces<<8|prev))
				next := w >> 8 // the byte after each byte of w
				if i+9 <= len(src) {
					next = load64(src[i+1 : i+9])
				}
				// The bytes that start a Cyrillic letter whose normalized
				// form is itself: а–п, D0 B0–BF; р–я, D1 80–8F; є ѕ і ї, D1
				// 94–97. A letter whose first byte is the last of the eight
				// is checked against the byte after them, and carry makes
				// the next eight start with its second byte.
				d1 := w & loBits // 1 where a D0 or D1 is a D1
				lead := zeroBytes(w&^loBits^0xD0*loBits) &
					(zeroBytes((next^0xB0*loBits^d1*0x30)&(0xF0*loBits)) |
						zeroBytes(next|0x03*loBits^0x97*loBits)&(d1<<7))
				cyr = lead | lead<<8 | carry
				carry = lead >> 56
				ok |= cyr
				// A letter next to one of the other script, in these bytes or
				// at the end of the word before them (0x80 if the word has Latin,
				// Cyrillic letters): a mixed word, which the scalar code folds.
				prevL, prevC := uint64(sc&inLatin)<<7, uint64(sc&inCyrillic)<<6
				ok &^= latin&(cyr<<8|prevC) | cyr&(latin<<8|prevL)
				// Upper case ASCII letters have 0x20 clear: add it. Bytes that
				// are not plain are overwritten later.
				putLE64(dst[n:n+8], w|(latin&^(w<<2))>>2)
				if ok == hiBits {
					// All eight plain, the common case. i and n move on by a
					// constant, so the next load does not wait for the tests on
					// this one.
					letters := latin | cyr
					sc = sc&keepWord(^letters&hiBits) | uint8(latin>>63)&inLatin | uint8(cyr>>62)&inCyrillic
					prev = spaces >> 56 & 0x80
					wb := letters | digits
					nw = putBounds(bp, nw, edgeBits(wb, pIn), n)
					pIn = wb >> 56
					i += 8
					n += 8
					if i+8 > len(src) && carry != 0 {
						// The second byte of the letter, as the loop stops here.
						dst[n] = src[i]
						n++
						i++
					}
					continue
				}
			}
			// The first k bytes are plain (k > 0 if carry was set: the loop
			// never stops inside a character).
			if k := bits.TrailingZeros64(^ok&hiBits) >> 3; k > 0 {
				// The word state after the plain bytes: the script of the
				// last if it is a letter, "no word" if it is anything
				// else; letters only continue the word.
				nbits := 8 * uint(k)
				letters := latin | cyr
				sc = sc&keepWord(^letters&(hiBits>>(64-nbits))) |
					uint8(latin>>(nbits-1))&inLatin | uint8(cyr>>(nbits-2))&inCyrillic
				// The word boundaries in the first k bytes only: the one
				// at the byte after them depends on what the scalar code
				// writes there.
				wb := letters | digits
				nw = putBounds(bp, nw, edgeBits(wb, pIn)&(1<<k-1), n)
				i += k
				n += k
			}
			t.bounds, t.wpos = bnd[:nw], n
			return i, n, sc
		}
		if i+8 > len(src) {
			break
		}
	}
	t.bounds, t.wpos = bnd[:nw], n
	return i, n, sc
}

// gatherBits gathers the low bits of the eight bytes of x into the top
// byte of x * gatherBits, byte k's to bit 56+k.
const gatherBits = 0x0102040810204080

// boundTab[m] holds the offsets of the bits set in m, in order, as eight
// int32 in four uint64, little-endian (zero past the last), and
// boundCount[m] how many bits m has.
var (
	boundTab   [256][4]uint64
	boundCount [256]uint8
)

func init() {
	for m := range 256 {
		var p [8]uint64
		k := 0
		for b := range 8 {
			if m&(1<<b) != 0 {
				p[k] = uint64(b)
				k++
			}
		}
		for j := range 4 {
			boundTab[m][j] = p[2*j] | p[2*j+1]<<32
		}
		boundCount[m] = uint8(k)
	}
}

// putBounds writes the word boundaries in m, whose bit k is set if one is
// at Norm[n+k], to the boundary buffer at bp, from index nw on, and returns
// the new nw. The buffer has room for eight more.
//
// The offsets come from a table, four at a time in two eight-byte stores,
// whether they exist or not (the extra ones are garbage beyond nw,
// overwritten later): how many boundaries eight bytes hold is close to
// random in prose, and a loop over them mispredicted its exit about once
// per eight bytes. More than four in eight bytes ("a b c", "in a ")
// are rare enough for a branch.
func putBounds(bp unsafe.Pointer, nw int, m uint8, n int) int {
	nn := uint64(n) * (1<<32 | 1) // n in both halves
	p, tab := (*[4]uint64)(unsafe.Add(bp, 4*nw)), &boundTab[m]
	p[0], p[1] = tab[0]+nn, tab[1]+nn
	if boundCount[m] > 4 {
		p[2], p[3] = tab[2]+nn, tab[3]+nn
	}
	return nw + int(boundCount[m])
}

// edgeBits returns the word boundaries in the bytes of eight whose top bits
// are set in wb (word bytes), after a byte in a word if pIn is 0x80: bit k
// is set where byte k is in a word and the one before it is not, or the
// other way round.
func edgeBits(wb, pIn uint64) uint8 {
	return uint8((wb ^ (wb<<8 | pIn)) >> 7 * gatherBits >> 56)
}

// keepWord returns 0xFF if nonLetters is 0 and 0 otherwise: the mask that
// keeps the word state over bytes that are all letters. Whether a block
// holds a space is close to random in Cyrillic text, whose words are about
// eight bytes long; a branch on it would be mispredicted often.
func keepWord(nonLetters uint64) uint8 {
	return uint8(-((nonLetters - 1) &^ nonLetters >> 63))
}

// zeroBytes returns the top bit of each byte of v set where the byte is 0.
func zeroBytes(v uint64) uint64 {
	return ^((v&^hiBits + 0x7F*loBits) | v) & hiBits
}

// load64 reads s (len(s) == 8) little-endian: one load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// putLE64 stores v in b (len(b) == 8), little-endian: one store.
func putLE64(b []byte, v uint64) {
	_ = b[7]
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	b[4], b[5], b[6], b[7] = byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56)
}

// quickPunct returns the byte that the quote, dash or white space at src[i]
// becomes, and its size, if it is one of those in U+0080–U+00BF or
// U+2000–U+203F, and what follows it starts an NFKC segment (ASCII, a
// Cyrillic letter or the end of the text): the cases general takes without
// an NFKC lookup. Otherwise size is 0.
func quickPunct(src string, i int) (b byte, size int) {
	switch {
	case src[i] == 0xC2 && i+1 < len(src) && src[i+1]&0xC0 == 0x80:
		b, size = quickC2[src[i+1]&0x3F], 2
	case src[i] == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&0xC0 == 0x80:
		b, size = quickE280[src[i+2]&0x3F], 3
	}
	if b == 0 {
		return 0, 0
	}
	if j := i + size; j < len(src) && src[j] >= utf8.RuneSelf && !cyrillicStarterAt(src, j) {
		return 0, 0
	}
	return b, size
}

// quickC2[k] and quickE280[k] are the bytes U+0080+k and U+2000+k become
// (the UTF-8 forms C2 80+k, E2 80 80+k), or 0 for the characters that need
// general: the rest, and the soft hyphen, hyphens and dashes, which may
// join a broken word (joinAt).
var quickC2, quickE280 [64]byte

func init() {
	for k := range 64 {
		for _, c := range []struct {
			r rune
			b *byte
		}{{rune(0x80 + k), &quickC2[k]}, {rune(0x2000 + k), &quickE280[k]}} {
			switch {
			case c.r == '\u00AD' || punct(c.r) == '-' || invisible(c.r):
			case punct(c.r) != 0:
				*c.b = punct(c.r)
			case unicode.IsSpace(c.r):
				*c.b = ' '
			}
		}
	}
}

// foldAt runs fold on the first n bytes of t.Norm's buffer (the fast loop
// has written them without updating t.Norm), makes sure there is room for
// rest more bytes, and returns the new length.
func (t *Text) foldAt(n, rest int) int {
	t.Norm = t.Norm[:n]
	t.fold()
	// fold can grow the word (Latin to Cyrillic) into the room fast made.
	t.Norm = slices.Grow(t.Norm, rest)
	return len(t.Norm)
}

// rune emits the normalized form of one character of NFKC output.
func (t *Text) rune(r rune, off int) {
	if r < utf8.RuneSelf {
		c := byte(r)
		switch asciiClass[c] {
		case classLetter:
			t.mapTo(len(t.Norm), off)
			t.Norm = append(t.Norm, c|0x20)
			t.scripts |= inLatin
		case classSpace:
			t.space(off)
		default:
			t.byte(asciiLower[c], off)
		}
		return
	}
	if r >= 0x400 && r <= 0x4FF {
		if l := cyrLower[r-0x400]; l != 0 {
			t.mapTo(len(t.Norm), off)
			t.Norm = append(t.Norm, byte(l>>8), byte(l))
			t.scripts |= inCyrillic
			return
		}
	}
	if invisible(r) || isStrippedMark(r) {
		return
	}
	if b := punct(r); b != 0 {
		t.byte(b, off)
		return
	}
	if unicode.IsSpace(r) {
		t.space(off)
		return
	}
	l := unicode.ToLower(r)
	if unicode.IsLetter(l) {
		t.scripts |= scriptBit(l)
	} else {
		t.endWord()
	}
	t.mapTo(len(t.Norm), off)
	t.Norm = utf8.AppendRune(t.Norm, l)
}

// byte emits an ASCII non-letter.
func (t *Text) byte(b byte, off int) {
	t.endWord()
	t.mapTo(len(t.Norm), off)
	t.Norm = append(t.Norm, b)
}

// space emits a space unless the output already ends with one, which
// collapses runs of white space (and of invalid bytes) into one.
func (t *Text) space(off int) {
	t.endWord()
	if n := len(t.Norm); n > 0 && t.Norm[n-1] == ' ' {
		return
	}
	t.mapTo(len(t.Norm), off)
	t.Norm = append(t.Norm, ' ')
}

// endWord is called before a non-letter is emitted; it folds the word just
// finished if it mixed Latin and Cyrillic letters.
func (t *Text) endWord() {
	if t.scripts&inMixed == inMixed {
		t.fold()
	}
	t.scripts = 0
}

// join is joinAt for a hyphen or dash found outside the ASCII loop.
func (t *Text) join(src string, j int, kind wordBreak) int {
	if t.scripts == 0 {
		return -1
	}
	return joinAt(src, j, kind, t.pieceText())
}

// pieceText is the Text joinAt normalizes pieces of src in, made the first
// time it is needed and kept, so normalizing does not allocate once warm.
func (t *Text) pieceText() *Text {
	if t.piece == nil {
		t.piece = new(Text)
	}
	return t.piece
}

// wordBreak is how a character right after a letter may break a word.
type wordBreak uint8

const (
	noBreak     wordBreak = iota
	softBreak             // the soft hyphen: only across a line break
	hyphenBreak           // - ‐ ‑: across a line break, or a space before a word
	dashBreak             // a dash, or what NFKC makes one: written '-' too, so judged as a hyphen after a space
)

// breakOf says how r, right after a letter, may break a word. Dashes
// count because the normalized text writes them as '-': judged otherwise,
// a second normalization would join what the first did not.
func breakOf(r rune) wordBreak {
	switch r {
	case '-', '‐', '‑':
		return hyphenBreak
	case '\u00AD':
		return softBreak
	case '⁻', '₋', '︱', '︲', '﹘', '﹣', '－':
		return dashBreak
	}
	if punct(r) == '-' {
		return dashBreak
	}
	return noBreak
}

// joinAt looks at what follows a hyphen, dash or soft hyphen that comes
// right after a letter (src[j] is the byte after it) and says whether it
// broke a word, as print layouts and text copied from PDFs do. After white
// space must come a letter, and
//   - a line break after a hyphen or soft hyphen ("infor-\nmation");
//   - or, after a hyphen or dash, a word that is not a conjunction or a
//     like word standing between the halves of a pair ("military opera-
//     tion", but not "pre- and post-war" nor «до- та післявоєнний»: issue 6).
//
// If so it returns the offset of that letter, so the break vanishes, and
// otherwise -1. It judges what follows as normalization writes it (a piece
// of src is normalized in t for that: the white space, what vanishes, and
// the next word), so a second normalization of the result decides the same
// as the first did.
func joinAt(src string, j int, kind wordBreak, t *Text) int {
	if j >= len(src) {
		return -1
	}
	if c := src[j]; c < utf8.RuneSelf && asciiClass[c] != classSpace {
		return -1 // "well-known", "2014-2022": the common case, decided at once
	}
	for look := 96; ; look *= 2 {
		end := min(len(src), j+look)
		for end < len(src) && !utf8.RuneStart(src[end]) {
			end++
		}
		t.Normalize(src[j:end])
		out, words := t.Norm, t.Words()
		if len(out) < 2 || out[0] != ' ' || len(words) == 0 || words[0].Start != 1 {
			return -1
		}
		w := words[0]
		if int(w.End) == len(out) && end < len(src) {
			continue // the word may go on past the piece: look further
		}
		if r, _ := utf8.DecodeRune(out[1:]); !unicode.IsLetter(r) {
			return -1
		}
		k := wordAfterSpace(src, j)
		if k < len(src) && src[k] >= utf8.RuneSelf && !norm.NFKC.PropertiesString(src[k:]).BoundaryBefore() {
			return -1 // it would compose with the letter before the break (가 and ᆨ are 각)
		}
		newline := strings.IndexByte(src[j:k], '\n') >= 0
		switch {
		case newline && kind != dashBreak:
			return k
		case kind == softBreak || pairWords[string(out[w.Start:w.End])]:
			return -1
		}
		return k
	}
}

// wordAfterSpace returns the offset of the first character at or after j
// that normalization does not turn into white space or nothing.
func wordAfterSpace(src string, j int) int {
	for j < len(src) {
		r, size := utf8.DecodeRuneInString(src[j:])
		if !(unicode.IsSpace(r) || r == utf8.RuneError && size == 1 || invisible(r) || isStrippedMark(r) ||
			r >= utf8.RuneSelf && bytes.HasPrefix(norm.NFKC.PropertiesString(src[j:]).Decomposition(), []byte{' '})) {
			break // "¨" is NFKC " \u0308": white space too
		}
		j += size
	}
	return j
}

// pairWords stand alone after "word- ": conjunctions, prepositions and
// articles (en, ru, uk), so "pre- and post-war" and «анти- и
// проправительственный» keep their hyphen.
var pairWords = map[string]bool{
	"and": true, "or": true, "nor": true, "to": true, "a": true, "an": true, "the": true, "as": true,
	"but": true, "which": true, "who": true, "that": true, "than": true, "then": true, "vs": true,
	"versus": true, "is": true, "are": true, "was": true, "were": true, "not": true, "of": true,
	"in": true, "on": true, "at": true, "by": true, "for": true, "with": true, "from": true,
	"и": true, "или": true, "либо": true, "а": true, "но": true, "да": true, "ни": true, "не": true,
	"что": true, "как": true, "в": true, "на": true, "с": true, "к": true, "по": true, "до": true,
	"і": true, "й": true, "та": true, "чи": true, "або": true, "але": true, "ні": true,
	"що": true, "як": true, "у": true, "з": true,
}

// OrigSpan maps the normalized byte range [i, j) to the original byte range
// that produced it. It requires 0 <= i < j <= len(t.Norm). The end is
// extended over combining marks (and other characters that combine with the
// one before, per NFKC) that follow the last character, so a span never
// splits a grapheme; invisible characters such as U+200B are not included.
func (t *Text) OrigSpan(i, j int) (start, end int) {
	start = t.Orig(i)
	last := t.Orig(j - 1)
	_, size := utf8.DecodeRuneInString(t.src[last:])
	end = last + size
	for end < len(t.src) {
		r, size := utf8.DecodeRuneInString(t.src[end:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		if !unicode.Is(unicode.M, r) && boundaryAt(t.src, end) {
			break
		}
		end += size
	}
	return start, end
}

// String returns the normalized form of s (used for rule phrases and terms).
// It is exactly the Norm that Normalize produces, leading or trailing space
// included, so phrases and documents are normalized alike.
func String(s string) string {
	var t Text
	t.Normalize(s)
	return string(t.Norm)
}
