package contextlens

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// HasControlChar reports whether s holds a character no stored text may
// hold: NUL and the other C0 controls, DEL and the C1 controls
// (U+0080–U+009F). Tab, newline and carriage return are allowed. Every text
// the service stores (rule fields, revision messages, readers' reports) is
// checked with it before it reaches a database: PostgreSQL cannot store a
// NUL at all, and the others are invisible or garble a card.
func HasControlChar(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return true
		}
	}
	return false
}

// IsBidiControl reports whether r is a bidirectional formatting character:
// the embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
// the marks LRM, RLM and ALM (U+200E, U+200F, U+061C). In a rule they make
// text display in another order than it is matched ("zorblax \u202eetalp"
// shows as one phrase and matches another).
func IsBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// IsZeroWidth reports whether r is an invisible zero-width character:
// ZERO WIDTH SPACE, NON-JOINER and JOINER (U+200B–U+200D), WORD JOINER
// (U+2060) and ZERO WIDTH NO-BREAK SPACE (U+FEFF).
func IsZeroWidth(r rune) bool {
	return r >= 0x200B && r <= 0x200D || r == 0x2060 || r == 0xFEFF
}

// HasBidiControl reports whether s holds a bidi control (IsBidiControl).
func HasBidiControl(s string) bool { return strings.ContainsFunc(s, IsBidiControl) }

// HasZeroWidth reports whether s holds a zero-width character (IsZeroWidth).
func HasZeroWidth(s string) bool { return strings.ContainsFunc(s, IsZeroWidth) }

// textRules say what one text field accepts.
type textRules struct {
	required  bool
	maxRunes  int  // 0: no limit in characters
	maxBytes  int  // 0: no limit in bytes
	zeroWidth bool // zero-width characters allowed
	bidi      bool // bidi controls allowed
}

// textProblem returns what is wrong with s under tr, or "" if nothing is.
// Messages never quote the text.
func textProblem(s string, tr textRules) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case HasControlChar(s):
		return "contains a control character (only tab, newline and carriage return are allowed)"
	case !tr.bidi && HasBidiControl(s):
		return "contains a bidirectional control character (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069)"
	case !tr.zeroWidth && HasZeroWidth(s):
		return "contains a zero-width character (U+200B–U+200D, U+2060, U+FEFF)"
	case tr.required && strings.TrimSpace(s) == "":
		return "is required"
	case tr.maxRunes > 0 && utf8.RuneCountInString(s) > tr.maxRunes:
		return "is longer than " + strconv.Itoa(tr.maxRunes) + " characters"
	case tr.maxBytes > 0 && len(s) > tr.maxBytes:
		return "is longer than " + strconv.Itoa(tr.maxBytes) + " bytes"
	}
	return ""
}
