package normalize

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Look-alike pairs (lower case: folding runs after case folding, so upper
// case look-alikes such as B/В, H/Н, M/М, T/Т arrive here as b/в, h/н, m/м,
// t/т). A word that mixes scripts is usually a deliberate evasion ("сrisis")
// or an OCR or keyboard-layout slip, and the pairs are what such words use.
// ï/ї is here because NFKC composes Latin i + U+0308 into ï.
var lookalikes = [...][2]rune{
	{'a', 'а'}, {'b', 'в'}, {'c', 'с'}, {'e', 'е'}, {'h', 'н'}, {'i', 'і'},
	{'j', 'ј'}, {'k', 'к'}, {'m', 'м'}, {'o', 'о'}, {'p', 'р'}, {'s', 'ѕ'},
	{'t', 'т'}, {'x', 'х'}, {'y', 'у'}, {'ï', 'ї'},
}

// latinOf[k] is the Latin look-alike of U+0400+k and cyrillicOf[r] the
// Cyrillic look-alike of r < U+0100, or 0 for none: every pair falls in
// those ranges, and arrays are several times faster than maps here. Built
// in init from lookalikes, so the two directions cannot disagree.
var (
	latinOf    [256]rune
	cyrillicOf [256]rune
)

func init() {
	for _, p := range lookalikes {
		cyrillicOf[p[0]] = p[1]
		latinOf[p[1]-0x400] = p[0]
	}
}

// fold rewrites the word at the end of t.Norm, which mixes Latin and
// Cyrillic letters, in the script most of its letters are in: look-alikes
// from the other script are replaced, other letters are left alone. On a
// tie nothing changes, since there is no telling which script was meant.
//
// Mixed words are rare in real text, so fold stays simple: it copies the
// word from its first look-alike on aside and appends it again, because a
// Cyrillic letter takes two bytes and its Latin look-alike one.
func (t *Text) fold() {
	ws := len(t.Norm)
	latin, cyrillic := 0, 0
word:
	for ws > 0 {
		if c := t.Norm[ws-1]; c < utf8.RuneSelf {
			if asciiClass[c] != classLetter {
				break
			}
			latin++
			ws--
			continue
		}
		r, size := utf8.RuneError, 2
		if ws >= 2 && t.Norm[ws-2] >= 0xC0 && t.Norm[ws-2] < 0xE0 {
			r = rune(t.Norm[ws-2]&0x1F)<<6 | rune(t.Norm[ws-1]&0x3F) // Cyrillic, mostly
		} else {
			r, size = utf8.DecodeLastRune(t.Norm[:ws])
		}
		switch ScriptOf(r) {
		case Latin:
			latin++
		case Cyrillic:
			cyrillic++
		default:
			if !unicode.IsLetter(r) {
				break word
			}
		}
		ws -= size
	}
	if latin == cyrillic {
		return
	}
	toLatin := latin > cyrillic
	p := ws
	for p < len(t.Norm) {
		r, size := decodeNorm(t.Norm[p:])
		if lookalike(r, toLatin) != 0 {
			break
		}
		p += size
	}
	if p == len(t.Norm) {
		return // no look-alike to replace
	}
	t.word = append(t.word[:0], t.Norm[p:]...)
	// The offset of each character from p on, read off the map while it
	// still describes them: walk the marks from the one in force at p.
	t.wordOrig = slices.Grow(t.wordOrig[:0], len(t.word))[:len(t.word)]
	k := len(t.marks) - 1
	for int(t.marks[k].n) > p {
		k--
	}
	for q := 0; q < len(t.word); {
		for k+1 < len(t.marks) && int(t.marks[k+1].n) <= p+q {
			k++
		}
		t.wordOrig[q] = t.marks[k].o + int32(p+q) - t.marks[k].n
		_, size := decodeNorm(t.word[q:])
		q += size
	}
	t.truncate(p)
	for q := 0; q < len(t.word); {
		r, size := decodeNorm(t.word[q:])
		if l := lookalike(r, toLatin); l != 0 {
			r = l
		}
		t.mapTo(len(t.Norm), int(t.wordOrig[q]))
		t.Norm = utf8.AppendRune(t.Norm, r)
		q += size
	}
}

// lookalike returns the look-alike of r in Latin (toLatin) or Cyrillic, or
// 0 if r has none.
func lookalike(r rune, toLatin bool) rune {
	if toLatin {
		if r >= 0x400 && r <= 0x4FF {
			return latinOf[r-0x400]
		}
	} else if r < 0x100 {
		return cyrillicOf[r]
	}
	return 0
}

// decodeNorm is utf8.DecodeRune for valid UTF-8 (Norm), with one- and
// two-byte characters (ASCII, Cyrillic) decoded without a call.
func decodeNorm(b []byte) (rune, int) {
	if c := b[0]; c < 0xE0 {
		if c < utf8.RuneSelf {
			return rune(c), 1
		}
		return rune(c&0x1F)<<6 | rune(b[1]&0x3F), 2
	}
	return utf8.DecodeRune(b)
}
