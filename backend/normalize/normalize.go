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
//   - a word hyphenated at a line end is joined again ("infor-\nmation");
//   - each invalid UTF-8 byte becomes a space (a separator).
//
// Speed matters more here than anywhere else in the engine: ASCII and the
// Cyrillic block U+0400–U+04FF go through table-driven fast paths, and only
// the rare remaining characters pay for a decode and an NFKC lookup.
package normalize

import (
	"slices"
	"unicode"
	"unicode/utf8"

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
	// Orig[i] is the byte offset in the original text of the character that
	// produced Norm[i]. len(Orig) == len(Norm). Orig is non-decreasing, and
	// every value is the start of a character of the original (an invalid
	// byte counts as a character of its own, as in a for-range loop).
	Orig []int32
	src  string

	// scripts holds the scripts of the letters emitted since the last
	// non-letter: the current word. Zero means the last rune emitted was not
	// a letter.
	scripts uint8

	in       []byte // NFKC input of one segment
	seg      []byte // NFKC output of one segment
	iter     norm.Iter
	word     []byte  // look-alike folding: the word being rewritten
	wordOrig []int32 // and its offsets
}

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
	if cap(t.Orig) < want {
		t.Orig = make([]int32, 0, want)
	}
	t.Norm = t.Norm[:0]
	t.Orig = t.Orig[:0]

	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c < utf8.RuneSelf:
			i = t.ascii(src, i)
		case c >= 0xD0 && c <= 0xD3:
			i = t.cyrillic(src, i)
		default:
			i = t.general(src, i)
		}
	}
	t.endWord()
}

// ascii processes the run of ASCII bytes starting at src[i] and returns the
// index after it. Each ASCII byte emits at most one byte, so it makes room
// for the rest of src once and writes by index; the slices live in locals
// so the loop stays in registers, and go back to t before anything that
// needs t.
func (t *Text) ascii(src string, i int) int {
	n := len(t.Norm)
	need := n + len(src) - i
	if cap(t.Norm) < need {
		t.Norm = append(t.Norm[:n], make([]byte, need-n)...)
	}
	if cap(t.Orig) < need {
		t.Orig = append(t.Orig[:n], make([]int32, need-n)...)
	}
	nb, ob := t.Norm[:need], t.Orig[:need]
	sc := t.scripts
	for ; i < len(src); i++ {
		c := src[i]
		cl := byteClass[c]
		if cl == classLetter {
			nb[n] = c | 0x20
			ob[n] = int32(i)
			n++
			sc |= inLatin
			continue
		}
		if cl == classOther {
			if sc&inMixed == inMixed {
				n = t.foldAt(nb, ob, n, len(src)-i)
				nb, ob = t.Norm[:cap(t.Norm)], t.Orig[:cap(t.Orig)]
			}
			sc = 0
			nb[n] = c
			ob[n] = int32(i)
			n++
			continue
		}
		if cl == classMulti {
			break
		}
		if cl == classHyphen && sc != 0 {
			if k := joinAt(src, i+1); k >= 0 {
				i = k - 1 // the word goes on at src[k]
				continue
			}
		}
		if sc&inMixed == inMixed {
			n = t.foldAt(nb, ob, n, len(src)-i)
			nb, ob = t.Norm[:cap(t.Norm)], t.Orig[:cap(t.Orig)]
		}
		sc = 0
		if cl == classSpace && n > 0 && nb[n-1] == ' ' {
			continue
		}
		nb[n] = asciiLower[c]
		ob[n] = int32(i)
		n++
	}
	t.Norm, t.Orig, t.scripts = nb[:n], ob[:n], sc
	return i
}

// foldAt runs fold on the first n bytes of nb and ob (the ASCII loop's
// view of t.Norm and t.Orig), makes sure there is room for rest more bytes,
// and returns the new length.
func (t *Text) foldAt(nb []byte, ob []int32, n, rest int) int {
	t.Norm, t.Orig = nb[:n], ob[:n]
	t.fold()
	// fold can grow the word (Latin to Cyrillic) into the room ascii made.
	t.Norm = slices.Grow(t.Norm, rest)
	t.Orig = slices.Grow(t.Orig, rest)
	return len(t.Norm)
}

// cyrillic processes the runs of characters from U+0400–U+04FF starting at
// src[i] through cyrLower, and falls back to general for anything else
// (marks, truncated sequences).
func (t *Text) cyrillic(src string, i int) int {
	// Two bytes in, two bytes out: make room once, write by index.
	n := len(t.Norm)
	need := n + len(src) - i
	t.Norm = slices.Grow(t.Norm, need-n)
	t.Orig = slices.Grow(t.Orig, need-n)
	nb, ob := t.Norm[:need], t.Orig[:need]
	start := i
	for i+1 < len(src) {
		c, c2 := src[i], src[i+1]
		l := cyrLower[int(c&3)<<6|int(c2&0x3F)]
		if c < 0xD0 || c > 0xD3 || l == 0 || c2&0xC0 != 0x80 {
			break
		}
		nb[n], nb[n+1] = byte(l>>8), byte(l)
		ob[n], ob[n+1] = int32(i), int32(i)
		n += 2
		i += 2
	}
	t.Norm, t.Orig = nb[:n], ob[:n]
	if i == start {
		return t.general(src, i)
	}
	t.scripts |= inCyrillic
	return i
}

// rune emits the normalized form of one character of NFKC output.
func (t *Text) rune(r rune, off int) {
	if r < utf8.RuneSelf {
		c := byte(r)
		switch asciiClass[c] {
		case classLetter:
			t.Norm = append(t.Norm, c|0x20)
			t.Orig = append(t.Orig, int32(off))
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
			t.Norm = append(t.Norm, byte(l>>8), byte(l))
			t.Orig = append(t.Orig, int32(off), int32(off))
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
	n := len(t.Norm)
	t.Norm = utf8.AppendRune(t.Norm, l)
	for ; n < len(t.Norm); n++ {
		t.Orig = append(t.Orig, int32(off))
	}
}

// byte emits an ASCII non-letter.
func (t *Text) byte(b byte, off int) {
	t.endWord()
	t.Norm = append(t.Norm, b)
	t.Orig = append(t.Orig, int32(off))
}

// space emits a space unless the output already ends with one, which
// collapses runs of white space (and of invalid bytes) into one.
func (t *Text) space(off int) {
	t.endWord()
	if n := len(t.Norm); n > 0 && t.Norm[n-1] == ' ' {
		return
	}
	t.Norm = append(t.Norm, ' ')
	t.Orig = append(t.Orig, int32(off))
}

// endWord is called before a non-letter is emitted; it folds the word just
// finished if it mixed Latin and Cyrillic letters.
func (t *Text) endWord() {
	if t.scripts&inMixed == inMixed {
		t.fold()
	}
	t.scripts = 0
}

// join is joinAt for a hyphen found outside the ASCII loop.
func (t *Text) join(src string, j int) int {
	if t.scripts == 0 {
		return -1
	}
	return joinAt(src, j)
}

// joinAt looks at what follows a hyphen that comes right after a letter
// (src[j] is the byte after the hyphen). If it is a line break, with
// optional spaces or tabs around it, and then a letter, the word was
// hyphenated at a line end: joinAt returns the offset of that letter, so
// the hyphen and the break vanish. Otherwise it returns -1.
func joinAt(src string, j int) int {
	for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	if j < len(src) && src[j] == '\r' {
		j++
	}
	if j >= len(src) || src[j] != '\n' {
		return -1
	}
	j++
	for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	if j >= len(src) {
		return -1
	}
	if c := src[j]; c < utf8.RuneSelf {
		if asciiClass[c] != classLetter {
			return -1
		}
		return j
	}
	if r, _ := utf8.DecodeRuneInString(src[j:]); !unicode.IsLetter(r) {
		return -1
	}
	return j
}

// OrigSpan maps the normalized byte range [i, j) to the original byte range
// that produced it. It requires 0 <= i < j <= len(t.Norm). The end is
// extended over combining marks (and other characters that combine with the
// one before, per NFKC) that follow the last character, so a span never
// splits a grapheme; invisible characters such as U+200B are not included.
func (t *Text) OrigSpan(i, j int) (start, end int) {
	start = int(t.Orig[i])
	last := int(t.Orig[j-1])
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
