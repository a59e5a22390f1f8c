package normalize

import (
	"unicode/utf8"
	"unsafe"
)

// Word boundaries, recorded while Normalize writes Norm so that the
// matcher does not scan the text a second time to find its words.
//
// A word is a maximal run of word characters (see IsWordRune) of Norm,
// where an apostrophe between two word characters belongs to the word.
// The boundaries are kept flat in Text.bounds, start, end, start, end, ...,
// because the eight-byte loop finds them as the positions where the text
// goes into or out of a word, without knowing which is which; the parity
// of the index tells. Words reads the flat slice as spans.
//
// Most boundaries come from the eight-byte loop (plain), which finds them
// with mask operations on the bytes it copies; the bytes the other paths
// write are classified by scanWords just before the loop starts again, or
// at the end, while they are still in the cache.
//
// Apostrophes need one character of look-ahead, which is not written yet
// when the apostrophe is. So an apostrophe right after a word character is
// taken into the word tentatively, and when the word turns out to end right
// after it, the end is recorded one byte earlier. (plain leaves apostrophes
// to scanWords altogether.) Everything about the state of the scan can
// therefore be read off the boundaries and Norm: a word is open if
// len(bounds) is odd, and its last character is a tentative apostrophe if
// Norm[wpos-1] is one. That is what lets plain, scanWords and truncate hand
// the scan over to one another without any more state.

// Span is a byte range [Start, End) of Text.Norm.
type Span struct{ Start, End int32 }

// Words reinterprets Text.bounds as []Span: a Span is exactly two int32,
// Start then End (checked here at compile time).
var (
	_ [unsafe.Sizeof(Span{}) - 8]byte
	_ [8 - unsafe.Sizeof(Span{})]byte
	_ [unsafe.Offsetof(Span{}.End) - 4]byte
)

// Words returns the words of the normalized text, in order: the maximal
// runs of word characters, where an apostrophe (') between two word
// characters belongs to the word ("don't", "п'ять" are one word each; in
// "'tis" and "soldiers'" the apostrophe is outside the word).
//
// Word characters are ASCII letters and digits and every other rune r of
// Norm with unicode.IsLetter(r) || unicode.IsDigit(r) ||
// unicode.Is(unicode.Mn, r) (see IsWordRune): the definition is on the
// normalized text, after NFKC, case folding and removals, so rule phrases
// normalized with String split the same way. Everything else separates
// words. Every span is non-empty and on character boundaries, and spans
// do not overlap; no span needs to be skipped.
//
// The slice is computed during Normalize, belongs to t and is valid until
// the next Normalize; Words itself costs nothing.
func (t *Text) Words() []Span {
	b := t.bounds
	return unsafe.Slice((*Span)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/2)
}

// wordASCII[c] reports whether the ASCII byte c is a word character. It
// is spelled out rather than built from asciiClass, which init fills only
// after package variables are initialized.
var wordASCII = func() (w [utf8.RuneSelf]bool) {
	for c := range w {
		w[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return w
}()

// scanWords records the word boundaries of b[t.wpos:n], the bytes that the
// scalar and general paths wrote since the last scan, and moves t.wpos to
// n. It runs right after them, while they are in the cache, and only on
// them: the eight-byte loop, which writes most of the text, records its
// own boundaries from the masks it computes anyway. b[:n] is valid UTF-8
// (it is Norm, or the fast loop's view of it).
func (t *Text) scanWords(b []byte, n int) {
	bnd := t.bounds
	in := len(bnd)&1 == 1
	for x := t.wpos; x < n; {
		c := b[x]
		word, size := false, 1
		switch {
		case c < utf8.RuneSelf:
			word = wordASCII[c]
		case c == 0xD0 || c == 0xD1:
			// U+0400–U+047F, all letters: most of Russian and Ukrainian.
			word, size = true, 2
		default:
			var r rune
			r, size = utf8.DecodeRune(b[x:n])
			word = IsWordRune(r) // false for RuneError (Norm is valid anyway)
		}
		switch {
		case word:
			if !in {
				bnd = append(bnd, int32(x))
				in = true
			}
		case !in:
		case c == '\'' && b[x-1] != '\'':
			// After a word character: in the word if a word character
			// follows, which is not known yet.
		default:
			bnd = append(bnd, int32(wordEnd(b, x)))
			in = false
		}
		x += size
	}
	t.bounds, t.wpos = bnd, n
}

// wordEnd returns the end of the word whose last tentative character is
// b[x-1], when b[x] does not continue it: a tentative apostrophe is left
// out of the word.
func wordEnd(b []byte, x int) int {
	if b[x-1] == '\'' {
		return x - 1
	}
	return x
}

// finishWords scans what is left of Norm and ends the last word.
func (t *Text) finishWords() {
	t.scanWords(t.Norm, len(t.Norm))
	if len(t.bounds)&1 == 1 {
		t.bounds = append(t.bounds, int32(wordEnd(t.Norm, len(t.Norm))))
	}
}

// truncateWords takes back the boundaries that depend on Norm[n:], which
// is about to be cut (see truncate), so that the scan can go on from n as
// if the cut bytes had never been written. A start depends on the byte it
// is at; an end on the byte it is at, or on the next one when it left out
// a tentative apostrophe (then Norm[end] is that apostrophe: a separator
// that is an apostrophe always ends the word one byte earlier).
func (t *Text) truncateWords(n int) {
	b := t.bounds
	k := len(b)
	for ; k > 0; k-- {
		p := int(b[k-1])
		if k&1 == 0 && t.Norm[p] == '\'' {
			p++
		}
		if p < n {
			break
		}
	}
	t.bounds = b[:k]
	t.wpos = min(t.wpos, n)
}
