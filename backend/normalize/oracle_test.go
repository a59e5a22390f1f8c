package normalize

// The normalizer as it was before the offset map became run-length
// encoded: one int32 per normalized byte, written as the bytes are. It is
// kept, verbatim but for the type name, as the oracle TestOracle and
// FuzzNormalize compare Text against; the package-level helpers (joinAt,
// segmentEnd, boundaryAt, the tables) are shared.

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// oldText is the Text of the previous implementation.
type oldText struct {
	Norm []byte
	Orig []int32
	src  string

	scripts uint8

	in       []byte
	seg      []byte
	iter     norm.Iter
	word     []byte
	wordOrig []int32
}

// Normalize fills t with the normalized form of src, reusing t's buffers.
//
// Offsets are int32: src must be shorter than 2 GiB.
func (t *oldText) Normalize(src string) {
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
func (t *oldText) ascii(src string, i int) int {
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
			if k := joinAt(src, i+1, hyphenBreak, new(Text)); k >= 0 {
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
func (t *oldText) foldAt(nb []byte, ob []int32, n, rest int) int {
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
func (t *oldText) cyrillic(src string, i int) int {
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
func (t *oldText) rune(r rune, off int) {
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
func (t *oldText) byte(b byte, off int) {
	t.endWord()
	t.Norm = append(t.Norm, b)
	t.Orig = append(t.Orig, int32(off))
}

// space emits a space unless the output already ends with one, which
// collapses runs of white space (and of invalid bytes) into one.
func (t *oldText) space(off int) {
	t.endWord()
	if n := len(t.Norm); n > 0 && t.Norm[n-1] == ' ' {
		return
	}
	t.Norm = append(t.Norm, ' ')
	t.Orig = append(t.Orig, int32(off))
}

// endWord is called before a non-letter is emitted; it folds the word just
// finished if it mixed Latin and Cyrillic letters.
func (t *oldText) endWord() {
	if t.scripts&inMixed == inMixed {
		t.fold()
	}
	t.scripts = 0
}

// join is joinAt for a hyphen or dash found outside the ASCII loop.
func (t *oldText) join(src string, j int, kind wordBreak) int {
	if t.scripts == 0 {
		return -1
	}
	return joinAt(src, j, kind, new(Text))
}

// OrigSpan maps the normalized byte range [i, j) to the original byte range
// that produced it. It requires 0 <= i < j <= len(t.Norm). The end is
// extended over combining marks (and other characters that combine with the
// one before, per NFKC) that follow the last character, so a span never
// splits a grapheme; invisible characters such as U+200B are not included.
func (t *oldText) OrigSpan(i, j int) (start, end int) {
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

// general handles one character outside the fast paths, or one NFKC
// segment (a starter and the characters that combine with it).
//
// Invisible characters are removed before NFKC, not after: they must not
// block composition, or "и\u200B\u0306" would give и and, once the
// U+200B is gone, a second pass й, and String would not be idempotent.
func (t *oldText) general(src string, i int) int {
	r, size := utf8.DecodeRuneInString(src[i:])
	if r == utf8.RuneError && size == 1 {
		t.space(i) // an invalid byte separates words
		return i + 1
	}
	if kind := breakOf(r); kind != noBreak {
		if k := t.join(src, i+size, kind); k >= 0 {
			return k
		}
	}
	if invisible(r) {
		return i + size
	}
	end := i + size
	// Quotes, dashes and spaces are NFKC starters that cannot combine
	// (TestSpecialsAreStarters); when ASCII follows, skip the lookups.
	if end == len(src) || src[end] < utf8.RuneSelf {
		if b := punct(r); b != 0 {
			t.byte(b, i)
			return end
		}
		if unicode.IsSpace(r) {
			t.space(i)
			return end
		}
	}
	props := norm.NFKC.PropertiesString(src[i:])
	start := i
	if !props.BoundaryBefore() {
		start = t.backtrack(src, i)
	}
	end = segmentEnd(src, end)
	if start == i && end == i+size {
		switch b := punct(r); {
		case b != 0:
			t.byte(b, i)
		case unicode.IsSpace(r):
			t.space(i)
		case len(props.Decomposition()) == 0: // NFKC leaves it alone
			t.rune(r, i)
		default:
			t.segment(src[i:end], i)
		}
		return end
	}
	t.segment(src[start:end], start)
	return end
}

// segment emits the normalized form of the NFKC segment seg, which starts
// at src[off]; every output byte maps to off.
func (t *oldText) segment(seg string, off int) {
	in := t.in[:0]
	for _, r := range seg {
		switch {
		case invisible(r):
		case punct(r) != 0:
			// Before NFKC, which would turn ″ into ′′ and ´ into a space
			// and a combining acute.
			in = append(in, punct(r))
		default:
			in = utf8.AppendRune(in, r)
		}
	}
	out := t.nfkc(t.seg[:0], in)
	// Removing a mark can let NFKC compose what the mark blocked (a Hangul
	// syllable and a final jamo with U+0301 between them); normalize again
	// then, so the result is stable.
	if stripped := stripMarks(out); len(stripped) < len(out) {
		in = t.nfkc(in[:0], stripped)
		out = append(out[:0], in...)
	}
	t.in, t.seg = in, out
	for k := 0; k < len(out); {
		r, s := utf8.DecodeRune(out[k:])
		t.rune(r, off)
		k += s
	}
}

// nfkc appends the NFKC form of src to dst. It goes through t.iter, which
// holds its buffers in t: norm.NFKC.Append allocates its reorder buffer on
// every call that has work to do.
func (t *oldText) nfkc(dst, src []byte) []byte {
	t.iter.Init(norm.NFKC, src)
	for !t.iter.Done() {
		dst = append(dst, t.iter.Next()...)
	}
	return dst
}

// backtrack is called when the character at src[i] combines with what
// precedes it (a combining mark after a letter, as in и + U+0306). The
// previous character was emitted already, by a fast path or as a segment
// of its own before invisible characters; backtrack takes its output back
// and returns its offset, so that general normalizes the whole segment.
func (t *oldText) backtrack(src string, i int) int {
	n := len(t.Norm)
	if n == 0 {
		return i
	}
	p := int(t.Orig[n-1])
	r, size := utf8.DecodeRuneInString(src[p:])
	if r == utf8.RuneError && size == 1 {
		return i
	}
	for j := p + size; j < i; {
		r, s := utf8.DecodeRuneInString(src[j:])
		if !invisible(r) && boundaryAt(src, j) {
			return i // something in between ended the segment
		}
		j += s
	}
	for n > 0 && int(t.Orig[n-1]) == p {
		n--
	}
	t.Norm, t.Orig = t.Norm[:n], t.Orig[:n]
	return p
}

// fold rewrites the word at the end of t.Norm, which mixes Latin and
// Cyrillic letters, in the script most of its letters are in: look-alikes
// from the other script are replaced, other letters are left alone. On a
// tie nothing changes, since there is no telling which script was meant.
//
// Mixed words are rare, so this path favours simplicity: it copies the
// word aside and appends it again, because a Cyrillic letter takes two
// bytes and its Latin look-alike one.
func (t *oldText) fold() {
	ws := len(t.Norm)
	latin, cyrillic := 0, 0
	for ws > 0 {
		r, size := utf8.DecodeLastRune(t.Norm[:ws])
		if !unicode.IsLetter(r) {
			break
		}
		switch ScriptOf(r) {
		case Latin:
			latin++
		case Cyrillic:
			cyrillic++
		}
		ws -= size
	}
	var to map[rune]rune
	switch {
	case latin > cyrillic:
		to = toLatin
	case cyrillic > latin:
		to = toCyrillic
	default:
		return
	}
	t.word = append(t.word[:0], t.Norm[ws:]...)
	t.wordOrig = append(t.wordOrig[:0], t.Orig[ws:]...)
	t.Norm, t.Orig = t.Norm[:ws], t.Orig[:ws]
	for k := 0; k < len(t.word); {
		r, size := utf8.DecodeRune(t.word[k:])
		off := t.wordOrig[k]
		if m, ok := to[r]; ok {
			r = m
		}
		n := len(t.Norm)
		t.Norm = utf8.AppendRune(t.Norm, r)
		for ; n < len(t.Norm); n++ {
			t.Orig = append(t.Orig, off)
		}
		k += size
	}
}
