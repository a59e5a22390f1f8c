package normalize

import (
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

// toLatin and toCyrillic index lookalikes; built in init so the two
// directions cannot disagree.
var (
	toLatin    = map[rune]rune{}
	toCyrillic = map[rune]rune{}
)

func init() {
	for _, p := range lookalikes {
		toCyrillic[p[0]] = p[1]
		toLatin[p[1]] = p[0]
	}
}

// fold rewrites the word at the end of t.Norm, which mixes Latin and
// Cyrillic letters, in the script most of its letters are in: look-alikes
// from the other script are replaced, other letters are left alone. On a
// tie nothing changes, since there is no telling which script was meant.
//
// Mixed words are rare, so this path favours simplicity: it copies the
// word aside and appends it again, because a Cyrillic letter takes two
// bytes and its Latin look-alike one.
func (t *Text) fold() {
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
