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
	if r == '‐' || r == '‑' || r == '\u00AD' {
		if k := t.join(src, i+size); k >= 0 {
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
