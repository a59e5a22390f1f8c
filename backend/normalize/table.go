package normalize

import (
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Classes of bytes for the ASCII fast path.
const (
	classOther  = iota // digits, punctuation, controls: copied as they are
	classLetter        // A-Z a-z: lower-cased with c|0x20
	classSpace         // white space: one space per run
	classHyphen        // '-': may end a line inside a hyphenated word
	classMapped        // '`': becomes asciiLower[c]
	classMulti         // >= 0x80: part of a multi-byte character
)

var (
	// asciiClass and asciiLower drive the ASCII fast path: asciiLower is the
	// output byte (lower case, white space as ' ', '`' as '\'').
	asciiClass [utf8RuneSelf]uint8
	asciiLower [utf8RuneSelf]byte
	// byteClass is asciiClass extended to all bytes, so the hot loop needs
	// no separate test for the end of an ASCII run.
	byteClass [256]uint8

	// cyrLower maps U+0400+k to the UTF-8 encoding of its normalized form
	// (two bytes, high byte first), or 0 for the characters that need the
	// general path: combining marks and signs that are not letters.
	cyrLower [256]uint16
	// cyrStarter[k] reports whether U+0400+k starts an NFKC segment.
	cyrStarter [256]bool
	// cyrLetter[k] is unicode.IsLetter(U+0400+k), for ScriptOf.
	cyrLetter [256]bool
)

const utf8RuneSelf = 0x80

func init() {
	for c := 0; c < utf8RuneSelf; c++ {
		asciiLower[c] = byte(c)
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
			asciiClass[c] = classLetter
			asciiLower[c] = byte(c) | 0x20
		case c == ' ', c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			asciiClass[c] = classSpace
			asciiLower[c] = ' '
		case c == '-':
			asciiClass[c] = classHyphen
		case c == '`':
			asciiClass[c] = classMapped
			asciiLower[c] = '\''
		}
		byteClass[c] = asciiClass[c]
	}
	for c := utf8RuneSelf; c < 256; c++ {
		byteClass[c] = classMulti
	}
	for k := range cyrLower {
		r := rune(0x400 + k)
		s := string(r)
		props := norm.NFKC.PropertiesString(s)
		cyrStarter[k] = props.BoundaryBefore()
		cyrLetter[k] = unicode.IsLetter(r)
		// Every letter of the block is NFKC-stable and a starter (checked
		// by TestCyrillicTable); the conditions keep the table honest if a
		// future Unicode version changes that.
		if !unicode.IsLetter(r) || !props.BoundaryBefore() || !norm.NFKC.IsNormalString(s) {
			continue
		}
		l := foldCyrillic(unicode.ToLower(r))
		cyrLower[k] = uint16(0xC0|l>>6)<<8 | uint16(0x80|l&0x3F)
	}
}

// foldCyrillic folds the Cyrillic letters the matcher treats as one:
// ё is written as е in most Russian text, and ѐ ѝ are е и with a grave
// stress mark (NFKC composes е or и + U+0300 into them, so removing the
// mark is not enough).
func foldCyrillic(r rune) rune {
	switch r {
	case 'ё', 'ѐ':
		return 'е'
	case 'ѝ':
		return 'и'
	}
	return r
}

// isFastCyrillic reports whether the Cyrillic fast path handles r.
func isFastCyrillic(r rune) bool {
	return r >= 0x400 && r <= 0x4FF && cyrLower[r-0x400] != 0
}

// punct returns the ASCII character that a quote, apostrophe or dash is
// unified to, or 0.
func punct(r rune) byte {
	switch r {
	case '"', '“', '”', '„', '‟', '«', '»', '‹', '›', '″', '＂':
		return '"'
	case '\'', '‘', '’', '‚', '‛', '′', 'ʼ', '`', '´':
		return '\''
	case '-', '‐', '‑', '‒', '–', '—', '―', '−', '⸺', '⸻':
		return '-'
	}
	return 0
}

// invisible reports whether r is removed: a zero-width character, a bidi
// control or the soft hyphen. U+034F COMBINING GRAPHEME JOINER is here too:
// it is an NFKC starter, unlike the other marks of U+0300–U+036F, so it
// would block composition if it were stripped after NFKC.
func invisible(r rune) bool {
	switch {
	case r == 0xAD, r == 0x34F:
		return true
	case r >= 0x200B && r <= 0x200F: // ZWSP, ZWNJ, ZWJ, LRM, RLM
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x061C, r == 0x2060, r == 0xFEFF:
		return true
	}
	return false
}

// isStrippedMark reports whether r is a combining mark removed from NFKC
// output: stress marks and accents that did not compose into a letter.
// They must reach NFKC first, since и + U+0306 is й and і + U+0308 is ї.
func isStrippedMark(r rune) bool {
	return r >= 0x300 && r <= 0x36F
}

// Script is the writing system of a letter, as far as look-alike folding
// cares.
type Script uint8

// Scripts.
const (
	OtherScript Script = iota
	Latin
	Cyrillic
)

// ScriptOf returns the script of r: Latin, Cyrillic or OtherScript (which
// includes every non-letter).
func ScriptOf(r rune) Script {
	switch {
	case r < utf8RuneSelf:
		if asciiClass[r] == classLetter {
			return Latin
		}
		return OtherScript
	case r >= 0x400 && r <= 0x4FF:
		if cyrLetter[r-0x400] {
			return Cyrillic
		}
		return OtherScript
	case !unicode.IsLetter(r):
		return OtherScript
	case unicode.Is(unicode.Latin, r):
		return Latin
	case unicode.Is(unicode.Cyrillic, r):
		return Cyrillic
	}
	return OtherScript
}

// scriptBit is the Text.scripts bit of the letter r.
func scriptBit(r rune) uint8 {
	switch ScriptOf(r) {
	case Latin:
		return inLatin
	case Cyrillic:
		return inCyrillic
	}
	return inOther
}

// IsWordByte reports whether the ASCII byte b is a word character (letter or
// digit). It returns false for every byte >= 0x80: those belong to a
// multi-byte character, which IsWordRune classifies.
func IsWordByte(b byte) bool {
	return b < utf8RuneSelf && (asciiClass[b] == classLetter || '0' <= b && b <= '9')
}

// IsWordRune reports whether r is a word character in normalized text:
// unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r),
// that is a letter, a decimal digit, or a non-spacing combining mark that
// survived normalization (it belongs to the letter before it). This is the
// definition of Text.Words, which the matcher and rule phrases rely on.
// Spacing (Mc) and enclosing (Me) marks are not word characters.
func IsWordRune(r rune) bool {
	if r < utf8RuneSelf {
		return IsWordByte(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
