package match

// DetectLanguage guesses en, ru or uk from the letters of text: mostly
// Cyrillic text is uk when letters only Ukrainian uses (і ї є ґ) outnumber
// those only Russian uses (ы э ъ ё), ru otherwise; anything else is en.
// Good enough to label a news article; rules do not depend on it.
//
// It reads the first 8 KiB, and bytes, not runes: every Cyrillic letter it counts is two bytes
// with lead 0xD0-0xD2, so a table on the second byte tells them apart.
func DetectLanguage(text string) string {
	var latin, cyrillic, uk, ru int
	n := min(len(text), detectSample) // the start of a text tells its language
	for i := 0; i < n; i++ {
		b := text[i]
		if b < 0x80 {
			latin += int(asciiLetter[b])
			continue
		}
		if b < 0xD0 || b > 0xD3 || i+1 >= len(text) {
			continue
		}
		cyrillic++
		k := cyrillicKind[int(b-0xD0)<<6|int(text[i+1]&0x3F)]
		uk += int(k & kindUkrainian)
		ru += int(k >> 1)
		i++
	}
	switch {
	case cyrillic <= latin:
		return "en"
	case uk > ru:
		return "uk"
	default:
		return "ru"
	}
}

// asciiLetter is 1 for A-Z and a-z.
var asciiLetter = func() (t [128]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-32] = 1, 1
	}
	return t
}()

// Letter kinds for DetectLanguage.
const (
	kindUkrainian = 1 // і ї є ґ (and capitals): Ukrainian only
	kindRussian   = 2 // ы э ъ ё (and capitals): Russian only
)

// cyrillicKind is indexed by a Cyrillic letter's UTF-8 bytes: the lead
// 0xD0-0xD3 (less 0xD0) times 64, plus the low six bits of the second.
var cyrillicKind = func() (t [4 << 6]uint8) {
	for _, r := range "іїєґІЇЄҐ" {
		t[cyrillicSlot(r)] = kindUkrainian
	}
	for _, r := range "ыэъёЫЭЪЁ" {
		t[cyrillicSlot(r)] = kindRussian
	}
	return t
}()

func cyrillicSlot(r rune) int {
	b := []byte(string(r))
	return int(b[0]-0xD0)<<6 | int(b[1]&0x3F)
}

// detectSample bounds the bytes DetectLanguage reads: a few paragraphs
// settle the language of an article, and detection stays a small, fixed
// cost on long texts.
const detectSample = 4 << 10
