package match

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/contextlens/contextlens/backend/normalize"
)

// word is one word of a compiled phrase.
type word struct {
	text   string // normalized bytes, without the trailing '*'
	prefix bool   // "stem*": any word starting with text
	any    bool   // "*": exactly one word of any kind
	quoted bool   // written in quotation marks: matches only a word inside quotation marks
}

// phrase is a compiled word sequence.
type phrase []word

// Limits that keep matching linear and stems specific enough to mean something.
const (
	minStemRunes = 3
	maxStemBytes = 63 // prefix lengths are tracked in a uint64 bitmask
	maxWords     = 16
)

// parsePhrase compiles the phrase syntax of rule files: words separated by
// spaces (and, as in text, by hyphens or other non-word characters), a
// trailing '*' marking a stem, a lone '*' standing for any one word, and
// words in double quotation marks ("crisis", «кризис*») that match only
// words the text puts in quotation marks: an outlet naming a framing word
// ("called the war a “crisis”") says so with quotes (issue 6).
func parsePhrase(src string) (phrase, error) {
	var p phrase
	var toks []token
	var nt normalize.Text
	for _, c := range []byte(normalize.String(src)) {
		if c < utf8.RuneSelf && (asciiClass[c] == clsClause || asciiClass[c] == clsSentence) {
			return nil, fmt.Errorf("%q: punctuation inside a phrase never matches (a phrase does not cross , . ; : ! ?)", src)
		}
	}
	inQuotes := false
	for _, chunk := range strings.Fields(src) {
		opens, closes := false, false
		if r, size := utf8.DecodeRuneInString(chunk); isQuoteMark(r) {
			opens, chunk = true, chunk[size:]
		}
		if r, size := utf8.DecodeLastRuneInString(chunk); size > 0 && isQuoteMark(r) {
			closes, chunk = true, chunk[:len(chunk)-size]
		}
		if opens && inQuotes || closes && !inQuotes && !opens {
			return nil, fmt.Errorf("%q: quotation marks must come in pairs around words", src)
		}
		quoted := inQuotes || opens
		inQuotes = quoted && !closes
		if chunk == "*" {
			p = append(p, word{any: true, quoted: quoted})
			continue
		}
		stem := strings.HasSuffix(chunk, "*")
		chunk = strings.TrimSuffix(chunk, "*")
		if strings.Contains(chunk, "*") {
			return nil, fmt.Errorf("%q: '*' may only end a word or stand alone", src)
		}
		nt.Normalize(chunk)
		norm := nt.Norm
		toks, _ = tokenize(norm, nt.Words(), nil, toks[:0], nil)
		if len(toks) == 0 {
			return nil, fmt.Errorf("%q: %q has no letters or digits", src, chunk)
		}
		for k, t := range toks {
			w := word{text: string(norm[t.start:t.end]), quoted: quoted}
			if stem && k == len(toks)-1 {
				w.prefix = true
				if utf8.RuneCountInString(w.text) < minStemRunes {
					return nil, fmt.Errorf("%q: the stem %q is too short (at least %d letters before '*')", src, w.text, minStemRunes)
				}
				if len(w.text) > maxStemBytes {
					return nil, fmt.Errorf("%q: the stem %q is too long", src, w.text)
				}
			}
			p = append(p, w)
		}
	}
	if inQuotes {
		return nil, fmt.Errorf("%q: quotation marks must come in pairs around words", src)
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("%q: empty phrase", src)
	}
	if p[0].any {
		return nil, fmt.Errorf("%q: a phrase cannot start with '*'", src)
	}
	if p[len(p)-1].any {
		return nil, fmt.Errorf("%q: a phrase cannot end with '*'", src)
	}
	if len(p) > maxWords {
		return nil, fmt.Errorf("%q: more than %d words", src, maxWords)
	}
	return p, nil
}

// matchAt reports whether p matches the words starting at toks[i] and returns
// the index after its last word. Words after the first must follow soft breaks.
func (p phrase) matchAt(norm []byte, toks []token, i int) (int, bool) {
	if i+len(p) > len(toks) {
		return 0, false
	}
	for k, w := range p {
		t := toks[i+k]
		if k > 0 && t.brk != breakSoft {
			return 0, false
		}
		if !w.matches(norm[t.start:t.end]) || w.quoted && !t.quoted {
			return 0, false
		}
	}
	return i + len(p), true
}

// isQuoteMark reports whether r is a double quotation mark or guillemet
// (normalization writes them all as '"').
func isQuoteMark(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r == '"'
	case r == utf8.RuneError || unicode.IsLetter(r) || unicode.IsDigit(r):
		return false
	}
	return normalize.String(string(r)) == `"`
}

func (w word) matches(b []byte) bool {
	switch {
	case w.any:
		return true
	case w.prefix:
		return len(b) >= len(w.text) && string(b[:len(w.text)]) == w.text
	default:
		return string(b) == w.text
	}
}

// termList is a set of phrases looked for only around a hit (near and
// unless terms, reporting cues). Terms are filed by their first word, so a
// window costs one map probe per word (plus a few stem compares) whatever
// the number of terms.
type termList struct {
	exact map[uint64][]phrase // whole first word: by its hash (hashBytes)
	stems map[uint16][]phrase // stem first word: by its first two bytes
	// filter has a bit for each key of both maps, so most words of a
	// window are passed over without a map probe.
	filter [16]uint64
}

func termBit(key uint64) (int, uint64) {
	b := (key * 0x9E3779B97F4A7C15) >> 54
	return int(b / 64), 1 << (b % 64)
}

func stemTermKey(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

func parseTerms(terms []string) (*termList, error) {
	l := &termList{exact: map[uint64][]phrase{}, stems: map[uint16][]phrase{}}
	var expanded []string
	for _, t := range terms {
		variants, err := expandPhrase(t)
		if err != nil {
			return nil, err
		}
		expanded = append(expanded, variants...)
	}
	for _, t := range expanded {
		p, err := parsePhrase(t)
		if err != nil {
			return nil, err
		}
		if w := p[0]; w.prefix {
			k := stemTermKey([]byte(w.text))
			l.stems[k] = append(l.stems[k], p)
			i, bit := termBit(uint64(k))
			l.filter[i] |= bit
		} else {
			h := hashBytes([]byte(w.text))
			l.exact[h] = append(l.exact[h], p)
			i, bit := termBit(h)
			l.filter[i] |= bit
		}
	}
	return l, nil
}

// window is the text a term list is looked for in: the words, and their
// hashes, computed the first time a window needs them (0: not yet).
type window struct {
	norm   []byte
	toks   []token
	hashes []uint64
}

func (w window) hash(i int) uint64 {
	if h := w.hashes[i]; h != 0 {
		return h
	}
	h := hashAt(w.norm, int(w.toks[i].start), int(w.toks[i].end))
	w.hashes[i] = h
	return h
}

// foundIn reports whether any term lies entirely within the words [lo, hi).
func (l *termList) foundIn(win window, lo, hi int) bool {
	norm, toks := win.norm, win.toks
	for i := lo; i < hi; i++ {
		t := toks[i]
		h := win.hash(i)
		if w, bit := termBit(h); l.filter[w]&bit != 0 {
			for _, p := range l.exact[h] {
				if end, ok := p.matchAt(norm, toks, i); ok && end <= hi {
					return true
				}
			}
		}
		if len(l.stems) == 0 || t.end-t.start < 2 {
			continue
		}
		k := stemTermKey(norm[t.start:])
		if w, bit := termBit(uint64(k)); l.filter[w]&bit == 0 {
			continue
		}
		for _, p := range l.stems[k] {
			if end, ok := p.matchAt(norm, toks, i); ok && end <= hi {
				return true
			}
		}
	}
	return false
}
