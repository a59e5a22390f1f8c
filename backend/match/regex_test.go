package match

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
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

func TestPrefilterTree(t *testing.T) {
	tests := []struct{ re, want string }{
		{`stolen`, `"stolen"`},
		// few exact strings: kept whole
		{`(election|vote) was (stolen|rigged)`, `or("election was stolen" "election was rigged" "vote was stolen" "vote was rigged")`},
		// too many: an and of the parts
		{`(?:\bnot|n't)(?: really| even)? an? (?:real|proper) (?:country|state)\b`,
			`and(or("not really an " "not really a " "not even an " "not even a " "not an " "not a " "n't really an " "n't really a " "n't even an " "n't even a " "n't an " "n't a ") or("real country" "real state" "proper country" "proper state"))`},
		// the parser factors "not|never" into n(?:ot|ever)
		{`(?:not|never|now) (?:ever )?(?:\pL+ )?(?:country|state|nation|land|realm)`, `and(or("not ever " "not " "never ever " "never " "now ever " "now ") or("country" "state" "nation" "land" "realm"))`},
		{`кризис\pL* на украин\pL*`, `and("кризис" " на украин")`},
		{`(?i)Crisis`, `"crisis"`},
		{`a+b*`, `*`},
		{`(?:crisis)?`, `*`},
		{`(?:crisis|\pL+) regime`, `" regime"`}, // a branch without literals says nothing
	}
	for _, tt := range tests {
		re, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if got := prefilterOf(re.Simplify()).String(); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.re, got, tt.want)
		}
	}
	tree := prefilterOf(mustSimplify(t, `(?:not|never) (?:\pL+ )?(?:real|true) (?:country|state)`))
	for text, want := range map[string]bool{
		"it was never a true state":          true,
		"the state did not say":              false, // "not" and "state", but neither "real" nor "true"
		"a real country":                     false,
		"never ever true state":              true,
		"not true, the state":                false,
		"never mind: a true state, not this": true, // the tree is a filter: the expression decides
	} {
		if got := tree.in([]byte(text)); got != want {
			t.Errorf("%q: in = %v, want %v", text, got, want)
		}
	}
}

func mustSimplify(t *testing.T, expr string) *syntax.Regexp {
	t.Helper()
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	return re.Simplify()
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
		// alternatives of and-ed literals, as the real rules have
		`(?:not|never) (?:a )?(?:real|true) (?:country|state)|(?:west|nato) (?:provoked|caused) (?:the )?crisis`,
	}
	pieces := []string{"not", "never", "a", "real", "true", "country", "state", "нацисты", "неонацисты", "которые",
		"захватили", "власть", "не", "настоящим", "полноценной", "государством", "страной", "crisis", "provoked",
		"caused", "by", "the", "west", "nato", " ", " ", " ", ", ", ". ", "; ", "! ", "Ukraine",
		// whole matches, and near misses, so every expression matches often
		"not a real country", "never true state", "not a real. country", "неонацисты, которые захватили власть",
		"нацисты узурпировали власть", "не настоящим государством", "не полноценной страной", "не настоящим; государством",
		"crisis provoked by the west", "crisis caused by nato", "crisis provoked! by the west",
		"nato provoked the crisis", "west caused crisis", "nato provoked. the crisis"}
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, expr := range exprs {
		r := rule("re", "n", "placeholder phrase")
		r.Match.Phrases, r.Match.Regex = nil, expr
		m := mustCompile(t, r)
		full := regexp.MustCompile(expr)
		s := new(scratch) // reused, as the pool reuses it
		found := 0
		for range 3000 {
			var b strings.Builder
			for k := rnd.IntN(40); k > 0; k-- {
				b.WriteString(pieces[rnd.IntN(len(pieces))])
				b.WriteByte(' ')
			}
			text := b.String()
			s.text.Normalize(text)
			s.toks, _ = tokenize(s.text.Norm, s.text.Words(), nil, s.toks[:0], nil)
			s.hits = s.hits[:0]
			m.regexHits(s)
			got, nt := s.hits, &s.text
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

// The two ways of finding literals find the same occurrences.
func TestLiteralSearchesAgree(t *testing.T) {
	li := newLiteralIndex()
	for i, lit := range []string{"not", "кризис", "crisis", " на украин", "n't", "стат", "aaa"} {
		li.add(int32(i), []byte(lit))
	}
	pieces := []string{"not", "no", "кризис", "кризиса", "crisis", " на украине", "isn't", "статья", "aaaa", " ", "я", "😀"}
	rnd := rand.New(rand.NewPCG(13, 14))
	for range 2000 {
		var b strings.Builder
		for k := rnd.IntN(30); k > 0; k-- {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		norm := []byte(b.String())
		var one, each []string
		collect := func(out *[]string) func(litRef, int, int) {
			return func(r litRef, i, j int) { *out = append(*out, fmt.Sprint(r.rule, i, j)) }
		}
		li.scan(norm, collect(&one))
		li.searchEach(norm, collect(&each))
		slices.Sort(one)
		slices.Sort(each)
		if !slices.Equal(one, each) {
			t.Fatalf("%q: one pass %v, one by one %v", norm, one, each)
		}
	}
}
