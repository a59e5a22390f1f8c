package normalize

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// refWords is the obviously-correct tokenizer Words is checked against: it
// scans norm character by character with the definition, written out here
// on its own rather than through the package's tables: a word character is
// an ASCII letter or digit or a rune with IsLetter || IsDigit || Mn (an
// invalid byte is not one), and an apostrophe between two word characters
// belongs to the word.
func refWords(norm []byte) []Span {
	type char struct {
		start, end int
		word, apos bool
	}
	var cs []char
	for i := 0; i < len(norm); {
		r, size := utf8.DecodeRune(norm[i:])
		word := false
		switch {
		case r == utf8.RuneError && size == 1:
		case r < utf8.RuneSelf:
			word = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		default:
			word = unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		}
		cs = append(cs, char{i, i + size, word, r == '\''})
		i += size
	}
	in := make([]bool, len(cs))
	for k, c := range cs {
		in[k] = c.word || c.apos && k > 0 && k+1 < len(cs) && cs[k-1].word && cs[k+1].word
	}
	var words []Span
	for k := 0; k < len(cs); {
		if !in[k] {
			k++
			continue
		}
		j := k
		for j < len(cs) && in[j] {
			j++
		}
		words = append(words, Span{int32(cs[k].start), int32(cs[j-1].end)})
		k = j
	}
	return words
}

// checkWords compares x.Words with refWords. checkInvariants calls it, so
// every test that normalizes text checks the words too: the shared
// vectors, the table tests, TestProperties' random mixed-script inputs,
// TestOracle's long texts, TestPlainLanes and FuzzNormalize.
func checkWords(t *testing.T, src string, x *Text) {
	t.Helper()
	got, want := x.Words(), refWords(x.Norm)
	if !slices.Equal(got, want) {
		t.Fatalf("%q (norm %q): Words\n got %v\nwant %v", src, x.Norm, spanStrings(x.Norm, got), spanStrings(x.Norm, want))
	}
}

// spanStrings returns the text of each span, or the span itself if it is
// out of range.
func spanStrings(norm []byte, spans []Span) []string {
	s := make([]string, len(spans))
	for k, sp := range spans {
		if sp.Start < 0 || sp.Start > sp.End || int(sp.End) > len(norm) {
			s[k] = fmt.Sprintf("bad %v", sp)
			continue
		}
		s[k] = fmt.Sprintf("%d:%q", sp.Start, norm[sp.Start:sp.End])
	}
	return s
}

func TestWords(t *testing.T) {
	tests := []struct {
		name, src string
		words     []string
	}{
		{"empty", "", nil},
		{"only separators", " .,! — «» ", nil},
		{"lone apostrophes", "' '", nil},
		{"apostrophe inside", "don't", []string{"don't"}},
		{"ukrainian apostrophe", "П'ять", []string{"п'ять"}},
		{"apostrophe after one letter", "Д'Артаньян", []string{"д'артаньян"}},
		{"leading apostrophe", "'tis", []string{"tis"}},
		{"trailing apostrophe", "the soldiers' guns", []string{"the", "soldiers", "guns"}},
		{"trailing apostrophe at the end", "soldiers'", []string{"soldiers"}},
		{"two apostrophes", "a''b", []string{"a", "b"}},
		{"apostrophes twice", "rock'n'roll", []string{"rock'n'roll"}},
		{"curly apostrophes unified", "’Tis the soldiers’ pam’yat’", []string{"tis", "the", "soldiers", "pam'yat"}},
		{"apostrophe then space", "a' b", []string{"a", "b"}},
		{"apostrophe before a mark", "don'\u0306t", []string{"don't"}},
		{"digits in a word", "covid19 and 2022", []string{"covid19", "and", "2022"}},
		{"decimal point separates", "x1.5", []string{"x1", "5"}},
		{"full-width digit", "５G", []string{"5g"}},
		{"non-ascii digit", "٣x", []string{"٣x"}},
		{"mn mark survives nfkc", "a\u20D7b", []string{"a\u20D7b"}},
		{"cyrillic titlo", "сл\u0483во", []string{"сл\u0483во"}},
		{"virama", "क्ष", []string{"क्ष"}},
		{"mc mark separates", "कि", []string{"क"}},
		{"me mark separates", "a\u20DDb", []string{"a", "b"}},
		{"stripped stress mark", "Укра\u0301ина", []string{"украина"}},
		{"cyrillic and latin", "Привет world, Київ!", []string{"привет", "world", "київ"}},
		{"mixed word folded to latin", "сrisis now", []string{"crisis", "now"}},
		{"mixed word folded to cyrillic", "мoре", []string{"море"}},
		{"upper case cyrillic", "ЁЛКА Ёж", []string{"елка", "еж"}},
		{"emoji separates", "a😀b 😀", []string{"a", "b"}},
		{"punctuation separates", "hi!!! (ok) — «yes», e-mail", []string{"hi", "ok", "yes", "e", "mail"}},
		{"hyphenation join", "infor-\nmation", []string{"information"}},
		{"soft hyphen removed", "dezin\u00ADformation", []string{"dezinformation"}},
		{"ligature", "ﬁnancial", []string{"financial"}},
		{"invalid byte separates", "a\xffb", []string{"a", "b"}},
		{"word at start and end", "start middle end", []string{"start", "middle", "end"}},
		{"single letters", "a b c d e f g h i j", []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}},
		{"cjk", "日本語 text", []string{"日本語", "text"}},
	}
	var x Text
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x.Normalize(tt.src)
			var got []string
			for _, w := range x.Words() {
				got = append(got, string(x.Norm[w.Start:w.End]))
			}
			if !slices.Equal(got, tt.words) {
				t.Errorf("Words(%q) = %q, want %q (norm %q)", tt.src, got, tt.words, x.Norm)
			}
			checkInvariants(t, tt.src, &x)
		})
	}
}

// TestWordLanes puts apostrophes, digits and word ends at every byte
// position of the eight-byte loop's words and across their edges, where
// the loop carries the word state from one eight to the next.
func TestWordLanes(t *testing.T) {
	var x Text
	for pos := range 20 {
		for _, pre := range []string{
			strings.Repeat("x", pos),
			strings.Repeat("ж", pos/2) + strings.Repeat("x", pos%2),
			strings.Repeat("ab ", pos/3) + strings.Repeat("y", pos%3),
		} {
			for _, mid := range []string{"'", "''", "' ", "'y", "'ж", "'Ж", "'1", "1'", " '", "'\u0301a", "'\n", "'-", "’s", "'«", "'.", "'\xff", "'😀"} {
				for _, post := range []string{"", "s", " and more words", "ять і ще", "'tis"} {
					src := pre + mid + post
					x.Normalize(src)
					checkInvariants(t, src, &x)
				}
			}
		}
	}
}

// TestWordsReuse checks that a Text reused for a shorter text does not
// keep words of the longer one.
func TestWordsReuse(t *testing.T) {
	var x Text
	x.Normalize("one two three four five six seven")
	x.Normalize("uno")
	if w := x.Words(); len(w) != 1 || w[0] != (Span{0, 3}) {
		t.Errorf("Words = %v, want [{0 3}]", w)
	}
	x.Normalize("")
	if w := x.Words(); len(w) != 0 {
		t.Errorf("Words of empty text = %v", w)
	}
}

// TestIsWordRune pins the definition the matcher relies on, and checks
// that the tables the scans use agree with it.
func TestIsWordRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if got := IsWordRune(r); got != want {
			t.Fatalf("IsWordRune(%U) = %v, want %v", r, got, want)
		}
		if r < utf8.RuneSelf && (wordASCII[r] != want || IsWordByte(byte(r)) != want) {
			t.Fatalf("%U: wordASCII %v, IsWordByte %v, want %v", r, wordASCII[r], IsWordByte(byte(r)), want)
		}
		if r >= 0x400 && r < 0x480 && !want {
			t.Fatalf("%U (lead byte D0 or D1) is not a word character", r)
		}
	}
}

// TestBoundTab checks the table putBounds writes offsets from.
func TestBoundTab(t *testing.T) {
	for m := range 256 {
		var want []int32
		for b := range 8 {
			if m&(1<<b) != 0 {
				want = append(want, int32(b))
			}
		}
		buf := make([]int32, 8)
		bp := unsafe.Pointer(&buf[0])
		if got := putBounds(bp, 0, uint8(m), 100); got != len(want) {
			t.Fatalf("%08b: count %d, want %d", m, got, len(want))
		}
		for k, p := range want {
			if buf[k] != 100+p {
				t.Fatalf("%08b: offsets %v, want %v (+100)", m, buf, want)
			}
		}
	}
}

// TestTruncateWords checks what truncate promises the scan: after
// truncate(n), the words come out as if the bytes after n had never been
// written. Normalize reaches it through backtracking and look-alike
// folding, whose cuts rarely fall next to an apostrophe; this puts a cut
// at every character boundary of texts full of apostrophes.
func TestTruncateWords(t *testing.T) {
	parts := []string{"a", "b", "'", "'", " ", ".", "ж", "\u20D7", "1", "😀"}
	rng := rand.New(rand.NewPCG(11, 12))
	var x Text
	for range 3000 {
		s := randomText(rng, rng.IntN(10), parts)
		u := randomText(rng, rng.IntN(4), parts)
		for n := 0; n <= len(s); n++ {
			if n < len(s) && !utf8.RuneStart(s[n]) {
				continue
			}
			x.Norm = append(x.Norm[:0], s...)
			x.bounds, x.wpos, x.marks = x.bounds[:0], 0, x.marks[:0]
			x.scanWords(x.Norm, len(x.Norm))
			x.truncate(n)
			x.Norm = append(x.Norm, u...)
			x.finishWords()
			if got, want := x.Words(), refWords(x.Norm); !slices.Equal(got, want) {
				t.Fatalf("%q cut at %d, then %q: Words %v, want %v", s, n, u,
					spanStrings(x.Norm, got), spanStrings(x.Norm, want))
			}
		}
	}
}
