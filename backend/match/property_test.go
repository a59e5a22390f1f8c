package match

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// propertyRules cover every script and phrase form, so random text hits them often.
func propertyRules(t testing.TB) *Matcher {
	return mustCompile(t,
		rule("en", "a", "ukraine crisis", "crisis", "kyiv regime", "special * operation"),
		rule("ru", "b", "кризис*", "киевск* режим*", "сво", "спецоперац*"),
		rule("uk", "c", "криз*", "київськ* режим*", "ex president"),
	)
}

var propertyPieces = []string{
	"Ukraine", "crisis", "Kyiv", "regime", "special", "military", "operation", "кризис", "кризиса",
	"киевский", "режим", "СВО", "спецоперации", "криза", "київського", "режиму", "ex-president",
	" ", " ", " ", "  ", "\n", "\t", ".", ",", "—", "-", "-\n", "“", "”", "«", "»", "'", "\"",
	"\u200b", "\u00ad", "\u0301", "\u200f", "\ufeff", "🙂", "𝕏", "ﬁ", "Ｋ", "é", "е\u0301", "ё", "Ё",
	"с", "о", "c", "o", "i", "і", "İ", "ß", "\u0085", "\u2028", "\ufffd", "a\u030a",
}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	n := r.IntN(60)
	for range n {
		b.WriteString(propertyPieces[r.IntN(len(propertyPieces))])
	}
	return b.String()
}

// checkInvariants asserts what every annotation promises the browser.
func checkInvariants(t *testing.T, text string, res contextlens.Result) {
	t.Helper()
	for i, a := range res.Annotations {
		got, ok := utf16Slice(text, a.Position.Start, a.Position.End)
		if !ok || got != a.Quote.Exact || a.Quote.Exact == "" {
			t.Fatalf("text %q: annotation %d: slice at %+v = %q, exact %q", text, i, a.Position, got, a.Quote.Exact)
		}
		if !utf8.ValidString(a.Quote.Exact) || !utf8.ValidString(a.Quote.Prefix) || !utf8.ValidString(a.Quote.Suffix) {
			t.Fatalf("text %q: annotation %d splits a character", text, i)
		}
		if !strings.Contains(text, a.Quote.Prefix+a.Quote.Exact+a.Quote.Suffix) {
			t.Fatalf("text %q: prefix+exact+suffix %q is not in the text", text, a.Quote.Prefix+a.Quote.Exact+a.Quote.Suffix)
		}
		if utf8.RuneCountInString(a.Quote.Prefix) > quoteContext || utf8.RuneCountInString(a.Quote.Suffix) > quoteContext {
			t.Fatalf("prefix or suffix longer than %d characters", quoteContext)
		}
		if i > 0 && a.Position.Start < res.Annotations[i-1].Position.Start {
			t.Fatalf("annotations are not in text order")
		}
		if c, ok := res.Cards[a.Rule]; !ok || c.Title == "" {
			t.Fatalf("annotation %d: rule %s has no card", i, a.Rule)
		}
	}
	if len(res.Cards) > len(res.Annotations) {
		t.Fatalf("%d cards for %d annotations", len(res.Cards), len(res.Annotations))
	}
}

func TestPropertyPositionsMatchQuotes(t *testing.T) {
	m := propertyRules(t)
	r := rand.New(rand.NewPCG(1, 2))
	hits := 0
	for range 20000 {
		text := randomText(r)
		res, _ := m.Annotate(text, Options{})
		hits += len(res.Annotations)
		checkInvariants(t, text, res)
	}
	if hits < 1000 {
		t.Fatalf("only %d hits in 20000 random texts: the property test is not exercising matches", hits)
	}
}

func FuzzAnnotate(f *testing.F) {
	for _, s := range []string{"The Ukraine crisis", "после кризиса на Украине", "київськoго режиму",
		"special \u200bmilitary operation", "кри\u00adзис", "ex-\npresident", "\xff\xfe crisis", "“СВО”"} {
		f.Add(s)
	}
	m := propertyRules(f)
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			// The API rejects invalid UTF-8; the engine must still not panic.
			m.Annotate(text, Options{})
			return
		}
		res, _ := m.Annotate(text, Options{})
		checkInvariants(t, text, res)
	})
}

func FuzzParsePhrase(f *testing.F) {
	for _, s := range []string{"ukraine crisis", "кризис* на украин*", "crisis in * ukraine", "* x", "a*b", "ex-president*", "''", "\u0301*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := parsePhrase(src)
		if err != nil {
			return
		}
		if len(p) == 0 || p[0].any || p[len(p)-1].any {
			t.Fatalf("parsePhrase(%q) accepted an invalid phrase %+v", src, p)
		}
		for _, w := range p {
			if w.prefix && len(w.text) > maxStemBytes {
				t.Fatalf("stem too long accepted")
			}
		}
	})
}

// TestRuneCounting checks the eight-byte counting of prefixes, suffixes
// and UTF-16 lengths against rune-by-rune counting.
func TestRuneCounting(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	pieces := []string{"a", " ", "я", "ї", "€", "中", "😀", "𝕏", "\u0301", "-"}
	for range 20000 {
		var b strings.Builder
		for k := rnd.IntN(60); k > 0; k-- {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		s := b.String()
		rs := []rune(s)
		n := rnd.IntN(40)
		if got, want := lastRunes(s, n), string(rs[max(0, len(rs)-n):]); got != want {
			t.Fatalf("lastRunes(%q, %d) = %q, want %q", s, n, got, want)
		}
		if got, want := firstRunes(s, n), string(rs[:min(n, len(rs))]); got != want {
			t.Fatalf("firstRunes(%q, %d) = %q, want %q", s, n, got, want)
		}
		if got, want := utf16Len(s), len(utf16.Encode(rs)); got != want {
			t.Fatalf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}
