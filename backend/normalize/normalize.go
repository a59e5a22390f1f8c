// Package normalize turns text into the canonical form the matcher scans,
// keeping a map from every normalized byte back to the original text.
//
// TEMPORARY naive implementation: lower-casing only. To be replaced.
package normalize

import (
	"strings"
	"unicode/utf8"
)

// Text is a normalized text and its map back to the original.
type Text struct {
	// Norm is the normalized UTF-8 text.
	Norm []byte
	// Orig[i] is the byte offset in the original text of the character that
	// produced Norm[i]. len(Orig) == len(Norm).
	Orig []int32
	src  string
}

// Normalize fills t with the normalized form of src, reusing t's buffers.
func (t *Text) Normalize(src string) {
	t.Norm = t.Norm[:0]
	t.Orig = t.Orig[:0]
	t.src = src
	for i, r := range src {
		lr := []rune(strings.ToLower(string(r)))[0]
		var buf [4]byte
		n := utf8.EncodeRune(buf[:], lr)
		for k := 0; k < n; k++ {
			t.Norm = append(t.Norm, buf[k])
			t.Orig = append(t.Orig, int32(i))
		}
	}
}

// OrigSpan maps the normalized byte range [i, j) to the original byte range
// that produced it. j > i. The end is extended over combining marks that
// follow the last character, so a span never splits a grapheme.
func (t *Text) OrigSpan(i, j int) (start, end int) {
	start = int(t.Orig[i])
	last := int(t.Orig[j-1])
	_, size := utf8.DecodeRuneInString(t.src[last:])
	return start, last + size
}

// String returns the normalized form of s (used for rule phrases and terms).
func String(s string) string {
	var t Text
	t.Normalize(s)
	return string(t.Norm)
}
