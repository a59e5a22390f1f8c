package normalize

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// checkInvariants checks what the engine relies on for any input.
func checkInvariants(t *testing.T, src string, x *Text) {
	t.Helper()
	orig := origs(x)
	if !utf8.Valid(x.Norm) {
		t.Fatalf("%q: Norm %q is not valid UTF-8", src, x.Norm)
	}
	starts := make(map[int32]bool, len(src))
	for i := range src {
		starts[int32(i)] = true
	}
	for i, o := range orig {
		if !starts[o] {
			t.Fatalf("%q: Orig(%d) = %d is not a character start", src, i, o)
		}
		if i > 0 && o < orig[i-1] {
			t.Fatalf("%q: Orig decreases at %d: %v", src, i, orig)
		}
	}
	// The map must say exactly what the per-byte map of the previous
	// implementation said, and Norm must be the same.
	var old oldText
	old.Normalize(src)
	if string(old.Norm) != string(x.Norm) {
		t.Fatalf("%q: Norm %q, old implementation %q", src, x.Norm, old.Norm)
	}
	if !slices.Equal(orig, old.Orig) {
		t.Fatalf("%q (norm %q): Orig\n got %v\nwant %v (old implementation)\nmarks %v", src, x.Norm, orig, old.Orig, x.marks)
	}
	if strings.Contains(string(x.Norm), "  ") {
		t.Fatalf("%q: Norm %q has a double space", src, x.Norm)
	}
	for _, r := range string(x.Norm) {
		if invisible(r) || isStrippedMark(r) || r == 'ё' || punct(r) != 0 && r >= utf8.RuneSelf {
			t.Fatalf("%q: Norm %q keeps %U", src, x.Norm, r)
		}
	}
	// Every span on character boundaries maps to a non-empty original
	// range on character boundaries. Quadratic, so only short texts get
	// every pair.
	var bounds []int
	for i := range string(x.Norm) {
		bounds = append(bounds, i)
	}
	bounds = append(bounds, len(x.Norm))
	step := 1 + len(bounds)/40
	for a := 0; a < len(bounds)-1; a += step {
		for b := a + 1; b < len(bounds); b += step {
			start, end := x.OrigSpan(bounds[a], bounds[b])
			if start < 0 || end > len(src) || start >= end {
				t.Fatalf("%q: OrigSpan(%d, %d) = %d, %d", src, bounds[a], bounds[b], start, end)
			}
			if (end < len(src) && !starts[int32(end)]) || !starts[int32(start)] {
				t.Fatalf("%q: OrigSpan(%d, %d) = %d, %d splits a character", src, bounds[a], bounds[b], start, end)
			}
		}
	}
	s1 := string(x.Norm)
	if s2 := String(s1); s2 != s1 {
		t.Fatalf("not idempotent:\nsrc  %q\nonce %q\ntwice %q", src, s1, s2)
	}
	checkWords(t, src, x)
}

// origs returns Orig(i) for every byte of x.Norm: the old per-byte map.
func origs(x *Text) []int32 {
	o := make([]int32, len(x.Norm))
	for i := range o {
		o[i] = int32(x.Orig(i))
	}
	return o
}

// pieces are the building blocks of random test strings: every rule's
// trigger, and the characters that combine or confuse.
var pieces = []string{
	"a", "B", "crisis", "Ukraine", "e", "i", "o", "p", "c", "x", "y", "H", "M", "T", "ï",
	"а", "В", "кризис", "Киев", "е", "і", "о", "р", "с", "х", "у", "Н", "М", "Т", "ё", "Ё", "ї", "ґ", "й",
	"ά", "Ω", "ß", "İ", "ǅ", "ﬁ", "Ａ", "５", "№", "…", "Ⅻ", "ﷺ", "가", "\u11A8", "😀", "\uFFFD",
	"\u0301", "\u0300", "\u0306", "\u0308", "\u0327", "\u0483", "\u034F", "\u0341", "\u0338", "\u0323", "\u0307", "<",
	"\u200B", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u200F", "\u202E", "\u2066", "\u061C",
	"“", "”", "«", "»", "‹", "″", "＂", "\"", "’", "‚", "′", "ʼ", "`", "´", "'", "¨",
	"‐", "‑", "–", "—", "−", "⸻", "-",
	" ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u2028", "\u3000", "\u0085",
	".", ",", "!", "1", "*",
	"\xff", "\xd0", "\xcc", "\xe2\x80",
}

func randomText(rng *rand.Rand, n int, pieces []string) string {
	var b strings.Builder
	for range n {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// TestOracle runs long texts, where the map has many runs, against the
// old implementation (checkInvariants compares them); TestProperties covers
// short ones.
func TestOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var x Text
	for k := range 300 {
		var src string
		if k%2 == 0 {
			src = randomText(rng, 200+rng.IntN(800), pieces)
		} else {
			src = prose(rng, 500+rng.IntN(3000), mixedWords)
		}
		x.Normalize(src)
		checkInvariants(t, src, &x)
	}
}

func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x Text
	for range 20000 {
		src := randomText(rng, rng.IntN(24), pieces)
		x.Normalize(src)
		checkInvariants(t, src, &x)
	}
}

// reference is a slow, obviously-correct normalizer without offsets:
// invisible characters out and quotes and dashes mapped, whole-string NFKC,
// combining marks out (and NFKC again if that let something compose), the
// per-character rules, words broken by a hyphen and a space joined, then
// look-alike folding on letter runs. It leaves out line-end hyphenation, so
// TestReference has no line breaks.
func reference(s string) string {
	var b strings.Builder
	for i, r := range s {
		if _, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 {
			r = ' '
		}
		switch {
		case invisible(r):
		case punct(r) != 0:
			b.WriteByte(punct(r))
		default:
			b.WriteRune(r)
		}
	}
	n := norm.NFKC.String(b.String())
	if m := string(stripMarks([]byte(n))); m != n {
		n = norm.NFKC.String(m)
	}
	var out []rune
	for _, r := range n {
		switch {
		case isStrippedMark(r):
		case unicode.IsSpace(r):
			if len(out) == 0 || out[len(out)-1] != ' ' {
				out = append(out, ' ')
			}
		default:
			out = append(out, foldCyrillic(unicode.ToLower(r)))
		}
	}
	out = refJoin(out)
	refFoldRuns(out)
	return string(out)
}

// refFoldRuns folds every run of letters of rs as a word.
func refFoldRuns(rs []rune) {
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && unicode.IsLetter(rs[j]) {
			j++
		}
		refFold(rs[i:j])
		i = j + 1
	}
}

// refJoin removes "- " between a letter and a letter when the word after
// it (as Words sees words), folded, is not one of pairWords: "opera- tion"
// is "operation", "pre- and post-war" stays.
func refJoin(out []rune) []rune {
	for i := 1; i+2 < len(out); i++ {
		if out[i] != '-' || out[i+1] != ' ' || !unicode.IsLetter(out[i-1]) || !unicode.IsLetter(out[i+2]) ||
			!norm.NFKC.PropertiesString(string(out[i+2])).BoundaryBefore() {
			continue
		}
		j := i + 2 // the word after: word characters, and apostrophes between them
		for j < len(out) && (IsWordRune(out[j]) || out[j] == '\'' && j+1 < len(out) && IsWordRune(out[j+1])) {
			j++
		}
		word := slices.Clone(out[i+2 : j])
		refFoldRuns(word)
		if !pairWords[string(word)] {
			out = slices.Delete(out, i, i+2)
		}
	}
	return out
}

// toLatin and toCyrillic are the look-alike pairs as maps, for refFold.
var toLatin, toCyrillic = func() (l, c map[rune]rune) {
	l, c = map[rune]rune{}, map[rune]rune{}
	for _, p := range lookalikes {
		c[p[0]] = p[1]
		l[p[1]] = p[0]
	}
	return l, c
}()

func refFold(w []rune) {
	var n [3]int
	for _, r := range w {
		n[ScriptOf(r)]++
	}
	to := toCyrillic
	switch {
	case n[Latin] > n[Cyrillic]:
		to = toLatin
	case n[Latin] == n[Cyrillic]:
		return
	}
	for k, r := range w {
		if m, ok := to[r]; ok {
			w[k] = m
		}
	}
}

func TestReference(t *testing.T) {
	var safe []string
	for _, p := range pieces {
		if !strings.Contains(p, "\n") {
			safe = append(safe, p)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		src := randomText(rng, rng.IntN(24), safe)
		if got, want := String(src), reference(src); got != want {
			t.Fatalf("String(%q)\n got %q\nwant %q", src, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "Ukraine crisis", "«Киевский режим»", "сrisis", "київськoго", "infor-\nmation",
		"и\u0306", "е\u0301", "a\xffb", "\u0301\u0301", "ﬁ\u0301", "x-\r\n y", "ЁЖ\u200Bик",
		"\xd0", "😀\u0308", "‐\n", "a\u00AD\nb", "가\u11A8", "ﷺ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var x Text
		x.Normalize(src)
		checkInvariants(t, src, &x)
	})
}

// TestSpecialsAreStarters backs the shortcut in general that emits quotes,
// dashes and spaces without looking at NFKC properties.
func TestSpecialsAreStarters(t *testing.T) {
	for r := rune(0x80); r <= 0x10FFFF; r++ {
		if (punct(r) != 0 || unicode.IsSpace(r)) && !norm.NFKC.PropertiesString(string(r)).BoundaryBefore() {
			t.Errorf("%U is special but not an NFKC starter", r)
		}
	}
}

// TestCyrillicTable checks the fast path's assumption that the letters of
// U+0400–U+04FF are NFKC-stable starters whose lower case stays in the block.
func TestCyrillicTable(t *testing.T) {
	for k := range 256 {
		r := rune(0x400 + k)
		if unicode.IsLetter(r) && cyrLower[k] == 0 {
			t.Errorf("%U is a letter the fast path does not handle", r)
		}
		if cyrLower[k] == 0 {
			continue
		}
		want := string(foldCyrillic(unicode.ToLower(r)))
		got := string([]byte{byte(cyrLower[k] >> 8), byte(cyrLower[k])})
		if got != want {
			t.Errorf("%U: table %q, want %q", r, got, want)
		}
	}
}

// TestStrippedMarksCombine checks that every mark stripped after NFKC is a
// non-starter: a starter would block composition and must be invisible
// (removed before NFKC) instead.
func TestStrippedMarksCombine(t *testing.T) {
	for r := rune(0x300); r <= 0x36F; r++ {
		if !invisible(r) && norm.NFKC.PropertiesString(string(r)).BoundaryBefore() {
			t.Errorf("%U is an NFKC starter", r)
		}
	}
}

// TestComposePairs checks the table dropMark relies on against NFC itself,
// for every letter it covers and every stripped mark.
func TestComposePairs(t *testing.T) {
	for b := rune(0); b <= 0x4FF; b++ {
		k := int(b)
		switch {
		case b < utf8.RuneSelf && asciiClass[b] == classLetter:
		case isFastCyrillic(b):
			k = 0x80 + int(b-0x400)
		default:
			continue // dropMark does not look these up
		}
		for m := rune(0x300); m <= 0x36F; m++ {
			first, _ := utf8.DecodeRuneInString(norm.NFC.String(string([]rune{b, m})))
			want := first != b
			got := composePairs[k][(m-0x300)>>6]&(1<<((m-0x300)&63)) != 0
			singleton := norm.NFD.PropertiesString(string(m)).Decomposition() != nil
			if got != want && !(got && singleton) { // true is safe for those
				t.Errorf("%U %U: table says composes %v, NFC %v", b, m, got, want)
			}
		}
	}
}

// TestPlainLanes puts every character of U+0400–U+04FF, and a sample of
// the other two-byte ones, at every byte position of the eight-byte loop's
// words, between ASCII or Cyrillic letters, and compares with the old
// implementation: the loop's per-byte tests and the letter it carries over
// from one word to the next must agree with the scalar code everywhere.
func TestPlainLanes(t *testing.T) {
	var x Text
	for r := rune(0x80); r < 0x800; r++ {
		if (r < 0x400 || r > 0x4FF) && r%7 != 0 {
			continue
		}
		for pos := range 10 {
			for _, pre := range []string{
				strings.Repeat("x", pos),
				strings.Repeat("ж", pos/2) + strings.Repeat("x", pos%2),
				strings.Repeat("ж", pos/2) + strings.Repeat(" ", pos%2),
			} {
				for _, post := range []string{"кот и пес", "cat and dog", "и-\nя ё. Ё"} {
					src := pre + string(r) + post
					x.Normalize(src)
					checkInvariants(t, src, &x)
				}
			}
		}
	}
}
