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

// Cases JSON cannot hold (invalid UTF-8) or where exact byte offsets
// matter; the rules themselves are covered by rules/testdata/normalize.json.
func TestNormalize(t *testing.T) {
	tests := []struct {
		name, src, norm string
		orig            []int32
	}{
		{"invalid byte is a space", "a\xffb", "a b", []int32{0, 1, 2}},
		{"invalid bytes collapse", "a\xff\xfe b", "a b", []int32{0, 1, 4}},
		{"truncated cyrillic", "к\xd0", "к ", []int32{0, 0, 2}},
		{"truncated at end", "ok\xe2\x80", "ok ", []int32{0, 1, 2}},
		{"lone continuation byte then mark", "\x80\u0301x", " x", []int32{0, 3}},
		{"cyrillic bytes map to their start", "Ёж", "еж", []int32{0, 0, 2, 2}},
		{"fold to latin shrinks", "сrisis", "crisis", []int32{0, 2, 3, 4, 5, 6}},
		{"fold to cyrillic grows", "мoре", "море", []int32{0, 0, 2, 2, 3, 3, 5, 5}},
		{"nfkc segment maps to its start", "и\u0306x", "йx", []int32{0, 0, 4}},
		{"mark after invisible still composes", "и\u200B\u0306", "й", []int32{0, 0}},
		{"hyphenation join skips the break", "ab-\ncd", "abcd", []int32{0, 1, 4, 5}},
		{"space maps to first of run", "a \t\nb", "a b", []int32{0, 1, 4}},
		{"guillemet", "«a»", `"a"`, []int32{0, 2, 3}},
		{"leading mark", "\u0301a", "a", []int32{2}},
	}
	var x Text
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x.Normalize(tt.src)
			if got := string(x.Norm); got != tt.norm {
				t.Errorf("Norm = %q, want %q", got, tt.norm)
			}
			if got := origs(&x); !slices.Equal(got, tt.orig) {
				t.Errorf("Orig = %v, want %v", got, tt.orig)
			}
			checkInvariants(t, tt.src, &x)
		})
	}
}

func TestOrigSpan(t *testing.T) {
	tests := []struct {
		src        string
		i, j       int
		start, end int
	}{
		{"Украи\u0301на", 0, 14, 0, 16},
		{"нога\u0301 x", 0, 8, 0, 10},         // end extends over the stress mark
		{"kyiv\u200B x", 0, 4, 0, 4},          // but not over an invisible character
		{"\u00ADkyiv", 0, 4, 2, 6},            // nor start before the first character
		{"ﬁx", 0, 1, 0, 3},                    // half a ligature is the whole ligature
		{"a\xff", 1, 2, 1, 2},                 // an invalid byte is one character
		{"e\u0301\u0301\u0327 z", 0, 2, 0, 7}, // the segment keeps all its marks
	}
	var x Text
	for _, tt := range tests {
		x.Normalize(tt.src)
		start, end := x.OrigSpan(tt.i, tt.j)
		if start != tt.start || end != tt.end {
			t.Errorf("%q: OrigSpan(%d, %d) = %d, %d, want %d, %d (norm %q)",
				tt.src, tt.i, tt.j, start, end, tt.start, tt.end, x.Norm)
		}
	}
}

func TestReuseDoesNotAllocate(t *testing.T) {
	src := prose(rand.New(rand.NewPCG(5, 6)), 20<<10, mixedWords)
	var x Text
	x.Normalize(src)
	allocs := testing.AllocsPerRun(20, func() { x.Normalize(src) })
	if allocs != 0 {
		t.Errorf("Normalize allocates %v times per run on a reused Text", allocs)
	}
}

// TestMapIsCompact guards the point of the run-length map: ordinary text
// needs a mark only where it drops or resizes characters, not per byte.
func TestMapIsCompact(t *testing.T) {
	for _, words := range [][]string{englishWords, cyrillicWords} {
		src := prose(rand.New(rand.NewPCG(5, 6)), 20<<10, words)
		var x Text
		x.Normalize(src)
		if len(x.marks) > len(x.Norm)/50 {
			t.Errorf("%d marks for %d bytes of %.20q...", len(x.marks), len(x.Norm), src)
		}
	}
}

// Word lists for generated prose. Some entries carry the oddities real
// pages have: homoglyphs, soft hyphens, stress marks, NBSP.
var (
	englishWords = strings.Fields(`the a of in and to on is was that for by with
		Ukraine crisis Russia Kyiv special military operation war invasion regime
		government officials said reported Tuesday forces troops city region
		border sanctions President minister statement attack civilians "so-called"
		conflict annexation referendum Crimea Donbas (AP) 2022 February 24`)
	cyrillicWords = strings.Fields(`и в на что не с по о это как из к
		Украина кризис Россия Киев специальная военная операция киевский режим
		правительство заявил сообщили войска город область граница санкции ещё
		Україна війна вторгнення київський влада Росія місто області їхні ґанок
		пам’ять «СВО» — президент ЁЛКА`)
	oddWords = []string{
		"сrisis", "київськoго", "дезин\u00ADформация", "Укра\u0301ина", "ﬁnancial",
		"«специальная\u00A0военная\u00A0операция»", "“so‑called”", "a\u200Bb", "—",
	}
	mixedWords = slices.Concat(englishWords, cyrillicWords, cyrillicWords, oddWords)
)

// prose generates about n bytes of sentences from words.
func prose(rng *rand.Rand, n int, words []string) string {
	var b strings.Builder
	for b.Len() < n {
		k := 4 + rng.IntN(14)
		for i := range k {
			w := words[rng.IntN(len(words))]
			if i == 0 {
				// Capitalize the first character, not the first byte:
				// upper-casing half a Cyrillic letter made U+FFFD and a
				// stray continuation byte, which real text does not have.
				r, size := utf8.DecodeRuneInString(w)
				w = string(unicode.ToUpper(r)) + w[size:]
			}
			b.WriteString(w)
			switch {
			case i == k-1:
				b.WriteString(". ")
			case rng.IntN(12) == 0:
				b.WriteString(", ")
			case rng.IntN(60) == 0:
				b.WriteString("-\n")
			default:
				b.WriteByte(' ')
			}
		}
		if rng.IntN(6) == 0 {
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

func BenchmarkNormalize(b *testing.B) {
	for _, c := range []struct {
		name  string
		words []string
	}{
		{"english", englishWords},
		{"mixed", mixedWords},
	} {
		for _, size := range []int{20 << 10, 200 << 10} {
			src := prose(rand.New(rand.NewPCG(7, 8)), size, c.words)
			name := c.name + "/" + map[int]string{20 << 10: "20KB", 200 << 10: "200KB"}[size]
			b.Run(name, func(b *testing.B) {
				var x Text
				b.SetBytes(int64(len(src)))
				b.ReportAllocs()
				for b.Loop() {
					x.Normalize(src)
				}
			})
			// The naive baseline: no offsets, no folding, no fast paths.
			b.Run(name+"/naive", func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				b.ReportAllocs()
				for b.Loop() {
					_ = strings.ToLower(norm.NFKC.String(src))
				}
			})
		}
	}
}
