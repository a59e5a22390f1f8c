package match

import "unicode"

// DetectLanguage guesses en, ru or uk from the letters of text: mostly
// Cyrillic text is uk when letters only Ukrainian uses (і ї є ґ) outnumber
// those only Russian uses (ы э ъ ё), ru otherwise; anything else is en.
// Good enough to label a news article; rules do not depend on it.
func DetectLanguage(text string) string {
	var latin, cyrillic, uk, ru int
	for i, r := range text {
		if i > 64<<10 {
			break // a long text's first 64 KiB tell its language
		}
		switch {
		case r < 0x80:
			if r|0x20 >= 'a' && r|0x20 <= 'z' {
				latin++
			}
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic++
			switch unicode.ToLower(r) {
			case 'і', 'ї', 'є', 'ґ':
				uk++
			case 'ы', 'э', 'ъ', 'ё':
				ru++
			}
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
