package match

import (
	"slices"
	"strings"
	"testing"

	"github.com/contextlens/contextlens/backend/contextlens"
)

func TestExpandPhrase(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"ukraine crisis", []string{"ukraine crisis"}},
		{"(kyiv|kiev) regime", []string{"kyiv regime", "kiev regime"}},
		{"the (kyiv|kiev)? regime", []string{"the kyiv regime", "the kiev regime", "the regime"}},
		{"crisis (in|around) (the)? ukrain*", []string{"crisis in the ukrain*", "crisis in ukrain*", "crisis around the ukrain*", "crisis around ukrain*"}},
		{"never *{0,2} existed", []string{"never existed", "never * existed", "never * * existed"}},
		{"term *{1} expired", []string{"term * expired"}},
		{"(its term|his mandate) (has)? expired", []string{"its term has expired", "its term expired", "his mandate has expired", "his mandate expired"}},
	}
	for _, tt := range tests {
		got, err := expandPhrase(tt.src)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("expandPhrase(%q) = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
	for _, bad := range []string{"(a|b", "a|b", "a)", "(a|(b|c))", "(|a)", "(a||b)", "()", "a ?", "x *{5} y", "x *{2,1} y", "x *{a} y",
		"x*{1} y", "x *{1 y", "(a|b|c|d|e|f|g|h) (a|b|c|d|e|f|g|h) (a|b|c|d|e|f|g|h) (a|b)? x"} {
		if got, err := expandPhrase(bad); err == nil {
			t.Errorf("expandPhrase(%q) = %q, want an error", bad, got)
		}
	}
}

// A rule with alternatives matches exactly what its spelled-out phrases
// match, through the index (no regular expression).
func TestPhraseAlternativesMatch(t *testing.T) {
	r := rule("r", "n", "(zelensky's|zelenskyy's|his) (term|mandate) (has)? (expired|run out|lapsed)", "not a (real|proper)? (country|state)")
	r.Match.Unless = &contextlens.Window{Terms: []string{"(holiday|vacation)"}, Window: 4}
	m := mustCompile(t, r)
	for text, want := range map[string]bool{
		"Zelensky's term expired in May.":          true,
		"His mandate has run out, Moscow claims.":  true,
		"Zelenskyy's mandate lapsed":               true,
		"Ukraine is not a real country, he said.":  true,
		"Ukraine is not a state, he said.":         true,
		"His term has been extended.":              false,
		"Ukraine is not a real problem.":           false,
		"The governor's term expired last year.":   false,
		"Not a proper country for a holiday, lol.": false, // unless: holiday
	} {
		res, _ := m.Annotate(text, Options{})
		if got := len(res.Annotations) > 0; got != want {
			t.Errorf("%q: hit %v, want %v (%+v)", text, got, want, res.Annotations)
		}
	}
	if _, err := Compile([]contextlens.Rule{rule("bad", "n", "(a|b")}, CompileOptions{}); err == nil || !strings.Contains(err.Error(), "match.phrases[0]") {
		t.Errorf("an unbalanced group must be refused, naming the phrase: %v", err)
	}
}

func FuzzExpandPhrase(f *testing.F) {
	for _, s := range []string{"(a|b) c", "x *{0,2} y", "(a|b)? (c|d e*)", "(a|(b)", "*{9}", "a ?)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		variants, err := expandPhrase(src)
		if err != nil {
			return
		}
		if len(variants) == 0 || len(variants) > maxExpansions {
			t.Fatalf("%q: %d variants", src, len(variants))
		}
		for _, v := range variants {
			if strings.ContainsAny(v, "(|)?{}") && strings.ContainsAny(src, "(|)?{}") {
				t.Fatalf("%q: variant %q still has group syntax", src, v)
			}
		}
	})
}

// Words written in quotation marks match only words the text quotes.
func TestQuotedWords(t *testing.T) {
	r := rule("r", "n", `war (he|they)? (called|calls) a "crisis"`, `«кризис*» *{0,2} (войн*|вторжени*)`, `"special military" operation`)
	m := mustCompile(t, r)
	for text, want := range map[string]bool{
		"the war he called a “crisis” goes on":         true,
		"the war he called a 'crisis' goes on":         false, // single quotes are apostrophes
		"the war he called a crisis goes on":           false,
		"the war they calls a «crisis»":                true,
		"«Кризисом» эту войну называют в Кремле":       true,
		"Кризисом эту войну называют в Кремле":         false,
		"the \"special military\" operation continued": true,
		"the \"special\" military operation continued": false,
	} {
		res, _ := m.Annotate(text, Options{})
		if got := len(res.Annotations) > 0; got != want {
			t.Errorf("%q: hit %v, want %v", text, got, want)
		}
	}
	for _, bad := range []string{`"crisis`, `crisis"`, `"a "b" c"`} {
		if _, err := parsePhrase(bad); err == nil {
			t.Errorf("parsePhrase(%q): want an error for unpaired quotation marks", bad)
		}
	}
}
