package normalize

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The general path: characters outside ASCII and U+0400–U+04FF, decoded
// one by one and run through NFKC a segment at a time.

// general handles one character outside the fast paths, or one NFKC
// segment (a starter and the characters that combine with it).
//
// Invisible characters are removed before NFKC, not after: they must not
// block composition, or "и\u200B\u0306" would give и and, once the
// U+200B is gone, a second pass й, and String would not be idempotent.
func (t *Text) general(src string, i int) int {
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
	// (TestSpecialsAreStarters); when what follows starts a segment of its
	// own and is cheap to tell so (ASCII, a Cyrillic letter: what follows
	// them in most text), skip the lookups.
	if end == len(src) || src[end] < utf8.RuneSelf || cyrillicStarterAt(src, end) {
		if b := punct(r); b != 0 {
			t.byte(b, i)
			return end
		}
		if unicode.IsSpace(r) {
			t.space(i)
			return end
		}
	}
	if isStrippedMark(r) && t.dropMark(src, i, r) {
		return end
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
		case isASCII(props.Decomposition()):
			// ﬁ, full-width Latin, ™…: ASCII composes with nothing, so
			// the decomposition is the NFKC form.
			for _, c := range props.Decomposition() {
				t.rune(rune(c), i)
			}
		default:
			t.segment(src[i:end], i)
		}
		return end
	}
	t.segment(src[start:end], start)
	return end
}

// dropMark reports whether the mark r at src[i], which normalization
// strips, can be dropped without a look at its NFKC segment: the last
// character emitted is an ASCII or Cyrillic letter that r does not compose
// with, and only invisible characters come between them. The segment would
// then normalize to that letter again, mapped to the same offset. This is
// the common case of a stress mark in Russian or Ukrainian text
// ("Укра\u0301ина"), which backtrack and segment would handle ten times
// slower.
//
// A second mark after r goes the long way (it is not invisible), which
// normalizes the whole segment, r included, as if r had never been
// dropped.
func (t *Text) dropMark(src string, i int, r rune) bool {
	n := len(t.Norm)
	if n == 0 {
		return false
	}
	p := t.Orig(n - 1)
	b, size := utf8.DecodeRuneInString(src[p:])
	var k int // index of b in composePairs
	switch {
	case b < utf8.RuneSelf && asciiClass[b] == classLetter:
		k = int(b)
	case isFastCyrillic(b):
		k = 0x80 + int(b-0x400)
	default:
		return false
	}
	for j := p + size; j < i; {
		r, s := utf8.DecodeRuneInString(src[j:])
		if !invisible(r) {
			return false
		}
		j += s
	}
	m := r - 0x300
	return composePairs[k][m>>6]&(1<<(m&63)) == 0
}

// composePairs[k] has bit m set if the letter k (ASCII k, or U+0400+k-0x80)
// followed by the mark U+0300+m may compose under NFKC (bits 0–63 in the
// first word, 64–111 in the second). Such a composition is a character whose
// canonical decomposition is the two, and for these letters all of those
// lie in the ranges init scans (TestComposePairs checks the table against
// NFC). Only letters are looked up: "<" + U+0338 composes to "≮".
var composePairs [0x80 + 0x100][2]uint64

func init() {
	for _, rg := range [][2]rune{{0xC0, 0x250}, {0x400, 0x500}, {0x1E00, 0x1F00}} {
		for c := rg[0]; c < rg[1]; c++ {
			d := norm.NFD.PropertiesString(string(c)).Decomposition()
			b, s := utf8.DecodeRune(d)
			m, s2 := utf8.DecodeRune(d[min(s, len(d)):])
			if s+s2 != len(d) || !isStrippedMark(m) {
				continue
			}
			var k int
			switch {
			case b < utf8.RuneSelf:
				k = int(b)
			case b >= 0x400 && b <= 0x4FF:
				k = 0x80 + int(b-0x400)
			default:
				continue
			}
			m -= 0x300
			composePairs[k][m>>6] |= 1 << (m & 63)
		}
	}
	// U+0340 U+0341 U+0343 U+0344 are canonically U+0300 U+0301 U+0313
	// and U+0308 U+0301: they compose as those do. Count them as composing
	// with every letter.
	for m := rune(0); m < 0x70; m++ {
		if norm.NFD.PropertiesString(string(0x300+m)).Decomposition() != nil {
			for k := range composePairs {
				composePairs[k][m>>6] |= 1 << (m & 63)
			}
		}
	}
}

// isASCII reports whether b is all ASCII.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// segment emits the normalized form of the NFKC segment seg, which starts
// at src[off]; every output byte maps to off.
func (t *Text) segment(seg string, off int) {
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
func (t *Text) nfkc(dst, src []byte) []byte {
	t.iter.Init(norm.NFKC, src)
	for !t.iter.Done() {
		dst = append(dst, t.iter.Next()...)
	}
	return dst
}

// stripMarks removes the marks isStrippedMark selects from b, in place.
func stripMarks(b []byte) []byte {
	w := 0
	for k := 0; k < len(b); {
		r, s := utf8.DecodeRune(b[k:])
		if !isStrippedMark(r) {
			w += copy(b[w:], b[k:k+s])
		}
		k += s
	}
	return b[:w]
}

// segmentEnd returns the end of the NFKC segment that continues at src[j].
// Invisible characters followed by a combining character belong to it.
func segmentEnd(src string, j int) int {
	for j < len(src) {
		if !boundaryAt(src, j) {
			_, s := utf8.DecodeRuneInString(src[j:])
			j += s
			continue
		}
		k := j
		for k < len(src) {
			r, s := utf8.DecodeRuneInString(src[k:])
			if !invisible(r) {
				break
			}
			k += s
		}
		if k == j || k == len(src) || boundaryAt(src, k) {
			return j
		}
		j = k
	}
	return j
}

// backtrack is called when the character at src[i] combines with what
// precedes it (a combining mark after a letter, as in и + U+0306). The
// previous character was emitted already, by a fast path or as a segment
// of its own before invisible characters; backtrack takes its output back
// and returns its offset, so that general normalizes the whole segment.
func (t *Text) backtrack(src string, i int) int {
	n := len(t.Norm)
	if n == 0 {
		return i
	}
	p := t.Orig(n - 1)
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
	for n > 0 && t.Orig(n-1) == p {
		n--
	}
	t.truncate(n)
	return p
}

// boundaryAt reports whether an NFKC segment starts at src[j]: the
// character there cannot combine with the one before it.
func boundaryAt(src string, j int) bool {
	if j >= len(src) {
		return true
	}
	c := src[j]
	if c < utf8.RuneSelf {
		return true
	}
	if c >= 0xD0 && c <= 0xD3 && j+1 < len(src) && src[j+1]&0xC0 == 0x80 {
		return cyrStarter[int(c&3)<<6|int(src[j+1]&0x3F)]
	}
	r, size := utf8.DecodeRuneInString(src[j:])
	if r == utf8.RuneError && size == 1 {
		return true
	}
	return norm.NFKC.PropertiesString(src[j:]).BoundaryBefore()
}

// cyrillicStarterAt reports whether src[j:] starts with a character of
// U+0400–U+04FF that starts an NFKC segment (not a combining mark).
func cyrillicStarterAt(src string, j int) bool {
	if j+1 >= len(src) {
		return false
	}
	c, c2 := src[j], src[j+1]
	return c >= 0xD0 && c <= 0xD3 && c2&0xC0 == 0x80 && cyrStarter[int(c&3)<<6|int(c2&0x3F)]
}
