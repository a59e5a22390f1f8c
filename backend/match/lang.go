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
		switch langByte[b] {
		case 0:
			continue
		case 1:
			latin++
		case 2:
			if i+1 >= len(text) {
				continue
			}
			cyrillic++
			switch lead, next := b, text[i+1]; {
			case lead == 0xD1 && (next == 0x96 || next == 0x97 || next == 0x94), // і ї є
				lead == 0xD0 && (next == 0x86 || next == 0x87 || next == 0x84), // І Ї Є
				lead == 0xD2 && (next == 0x90 || next == 0x91):                 // Ґ ґ
				uk++
			case lead == 0xD1 && (next == 0x8B || next == 0x8D || next == 0x8A || next == 0x91), // ы э ъ ё
				lead == 0xD0 && (next == 0xAB || next == 0xAD || next == 0xAA || next == 0x81): // Ы Э Ъ Ё
				ru++
			}
			i++
		}
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

// langByte classes bytes for DetectLanguage: 1 an ASCII letter, 2 the lead
// byte of a Cyrillic letter (U+0400-U+04FF), 0 anything else.
var langByte = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-32] = 1, 1
	}
	for c := 0xD0; c <= 0xD3; c++ {
		t[c] = 2
	}
	return t
}()

// detectSample bounds the bytes DetectLanguage reads: a few paragraphs
// settle the language of an article, and detection stays a small, fixed
// cost on long texts.
const detectSample = 8 << 10
