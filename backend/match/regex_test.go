package match

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/contextlens/contextlens/backend/normalize"
)

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		re   string
		want []string // nil: none found
	}{
		{`stolen`, []string{"stolen"}},
		{`(election|vote) was (stolen|rigged)`, []string{"stolen", "rigged"}},
		{`\bnot (a )?real (country|state)\b`, []string{"real "}}, // ties keep the first
		{`кризис\pL* на украин\pL*`, []string{" на украин"}},
		{`(?:^|\W)не (?:настоящ|полноценн)\pL* государств`, []string{" государств"}},
		{`(?i)crisis`, []string{"crisis"}},
		{`a+b*`, nil},
		{`(x|yy)z?`, nil},
		{`(?:crisis)?`, nil},
		{`\pL+ regime`, []string{" regime"}},
	}
	for _, tt := range tests {
		re, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got := requiredLiterals(re.Simplify())
		if tt.want == nil {
			if got != nil && minLen(got) >= minLiteral {
				t.Errorf("%s: got %q, want no usable literal", tt.re, got)
			}
			continue
		}
		slices.Sort(got)
		slices.Sort(tt.want)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.re, got, tt.want)
		}
	}
	if _, err := compileRegex(`[a-z]+ [0-9]+`); err == nil || !strings.Contains(err.Error(), "literal") {
		t.Errorf("a regex without a literal must be refused: %v", err)
	}
}

// TestRegexPrefilterFindsWhatAFullScanFinds: running an expression only
// around its literals finds every match a scan of the whole text finds
// (matches do not cross sentence ends, which the rules' expressions never do).
func TestRegexPrefilterFindsWhatAFullScanFinds(t *testing.T) {
	exprs := []string{
		`(?:\bnot|\bnever) (?:a )?(?:real|true) (?:country|state)\b`,
		`нацист\pL*,? (?:которые )?(?:захват|узурп)\pL* власть`,
		`(?:^|[^\pL\pN])не (?:настоящ|полноценн)\pL* (?:государств|стран)\pL*`,
		`crisis (?:provoked|caused) by (?:the )?(?:west|nato)`,
	}
	pieces := []string{"not", "never", "a", "real", "true", "country", "state", "нацисты", "неонацисты", "которые",
		"захватили", "власть", "не", "настоящим", "полноценной", "государством", "страной", "crisis", "provoked",
		"caused", "by", "the", "west", "nato", " ", " ", " ", ", ", ". ", "; ", "! ", "Ukraine",
		// whole matches, and near misses, so every expression matches often
		"not a real country", "never true state", "not a real. country", "неонацисты, которые захватили власть",
		"нацисты узурпировали власть", "не настоящим государством", "не полноценной страной", "не настоящим; государством",
		"crisis provoked by the west", "crisis caused by nato", "crisis provoked! by the west"}
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, expr := range exprs {
		r := rule("re", "n", "placeholder phrase")
		r.Match.Phrases, r.Match.Regex = nil, expr
		m := mustCompile(t, r)
		full := regexp.MustCompile(expr)
		var nt normalize.Text
		found := 0
		for range 3000 {
			var b strings.Builder
			for k := rnd.IntN(40); k > 0; k-- {
				b.WriteString(pieces[rnd.IntN(len(pieces))])
				b.WriteByte(' ')
			}
			text := b.String()
			nt.Normalize(text)
			toks, _ := tokenize(nt.Norm, nt.Words(), nil, nil, nil)
			got := m.regexHits(nt.Norm, toks, nil)
			var want int
			for _, loc := range full.FindAllIndex(nt.Norm, -1) {
				if bytes.ContainsAny(nt.Norm[loc[0]:loc[1]], ".!?;") {
					continue
				}
				want++
			}
			if len(got) != want {
				t.Fatalf("%s on %q: %d hits with the prefilter, %d with a full scan", expr, text, len(got), want)
			}
			found += want
		}
		if found < 50 {
			t.Errorf("%s: only %d matches in the random texts; the test does not exercise it", expr, found)
		}
	}
}
