package match

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// rule builds a minimal valid live rule for tests.
func rule(id, narrative string, phrases ...string) contextlens.Rule {
	return contextlens.Rule{
		ID: id, Narrative: narrative, Title: "t " + id, Summary: "s", Explanation: "e",
		Category: "euphemism", Severity: contextlens.SeverityCaution, Status: contextlens.StatusLive,
		Languages: []string{"en"}, Match: contextlens.Match{Phrases: phrases},
		Sources: []contextlens.Source{{Title: "x", URL: "https://example.org/", Publisher: "x"}},
	}
}

func mustCompile(t testing.TB, rules ...contextlens.Rule) *Matcher {
	t.Helper()
	m, err := Compile(rules, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// exacts returns "rule:exact" for every reader-facing annotation.
func exacts(m *Matcher, text string) []string {
	res, _ := m.Annotate(text, Options{})
	var out []string
	for _, a := range res.Annotations {
		out = append(out, a.Rule+":"+a.Quote.Exact)
	}
	return out
}

func TestPhraseMatching(t *testing.T) {
	m := mustCompile(t,
		rule("crisis", "war-as-crisis", "ukraine crisis", "кризис* на украин*", "криз* в україн*"),
		rule("smo", "smo", "special military operation", "сво", "спецоперац*"),
		rule("any", "any", "crisis in * ukraine"),
	)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"exact", "The Ukraine crisis deepened.", []string{"crisis:Ukraine crisis"}},
		{"case and caps", "THE UKRAINE CRISIS", []string{"crisis:UKRAINE CRISIS"}},
		{"word boundary before", "theukraine crisis", nil},
		{"word boundary after", "Ukraine crisisX", nil},
		{"inflected stems", "после кризиса на Украине", []string{"crisis:кризиса на Украине"}},
		{"stem alone matches", "кризис на украине", []string{"crisis:кризис на украине"}},
		{"uk stems", "Криза в Україні триває", []string{"crisis:Криза в Україні"}},
		{"abbreviation", "Цели СВО достигнуты", []string{"smo:СВО"}},
		{"abbreviation inside word", "своих целей", nil},
		{"stem", "участники спецоперации", []string{"smo:спецоперации"}},
		{"clause break stops a phrase", "Ukraine, crisis", nil},
		{"sentence break stops a phrase", "Ukraine. Crisis", nil},
		{"dash and quotes are soft", "special “military” operation", []string{"smo:special “military” operation"}},
		{"hyphen is soft", "special-military-operation", []string{"smo:special-military-operation"}},
		{"any word", "the crisis in eastern Ukraine", []string{"any:crisis in eastern Ukraine"}},
		{"any word needs one word", "the crisis in Ukraine", nil},
		{"two hits", "Ukraine crisis and СВО", []string{"crisis:Ukraine crisis", "smo:СВО"}},
		{"no hit", "Nothing to see here.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exacts(m, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	r := rule("crisis", "war-as-crisis", "crisis")
	r.Match.Near = &contextlens.Window{Terms: []string{"ukrain*", "war"}, Window: 3}
	r.Match.Unless = &contextlens.Window{Terms: []string{"humanitarian", "energy", "crisis hotline"}, Window: 2}
	m := mustCompile(t, r)
	tests := []struct {
		name, text string
		hit        bool
	}{
		{"near before", "Ukraine: the crisis", false}, // clause break is fine for windows, but 'ukraine' is 3 words away? no: 2
		{"near after", "the crisis in Ukraine", true},
		{"near too far", "the crisis that has, for a very long time, gripped Ukraine", false},
		{"near in another sentence", "Ukraine is big. The crisis goes on.", false},
		{"unless before", "the humanitarian crisis in Ukraine", false},
		{"unless far enough", "humanitarian aid is flowing while the crisis in Ukraine goes on", true},
		{"unless multi-word overlapping the hit", "call the crisis hotline in Ukraine", false},
	}
	tests[0].hit = true // "ukraine" is within 3 words of "crisis"; windows cross commas
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(exacts(m, tt.text)) > 0; got != tt.hit {
				t.Errorf("hit = %v, want %v", got, tt.hit)
			}
		})
	}
}

func TestOverlapKeepsMostSpecificPerNarrative(t *testing.T) {
	shadow := rule("shadow", "war-as-crisis", "crisis")
	shadow.Status = contextlens.StatusShadow
	m := mustCompile(t,
		rule("short", "war-as-crisis", "ukraine crisis"),
		rule("long", "war-as-crisis", "the ukraine crisis"),
		rule("other", "other", "crisis"),
		shadow,
	)
	res, sh := m.Annotate("The Ukraine crisis.", Options{})
	var got []string
	for _, a := range res.Annotations {
		got = append(got, a.Rule+":"+a.Quote.Exact)
	}
	want := []string{"long:The Ukraine crisis", "other:crisis"}
	if !slices.Equal(got, want) {
		t.Errorf("annotations %q, want %q", got, want)
	}
	if len(sh) != 1 || sh[0].Rule != "shadow" || !sh[0].Shadow {
		t.Errorf("shadow hits %+v, want the shadow rule alone", sh)
	}
	for i, a := range res.Annotations {
		if a.ID == "" || (i > 0 && a.ID == res.Annotations[i-1].ID) {
			t.Errorf("annotation ids must be unique: %q", a.ID)
		}
	}
}

// Rules of one narrative in several languages often match the same words
// («СВО» is Russian and Ukrainian): the card in the text's language wins.
func TestOverlapPrefersTheTextsLanguage(t *testing.T) {
	ru := rule("svo-ru", "special-military-operation", "сво")
	ru.Languages = []string{"ru"}
	uk := rule("svo-uk", "special-military-operation", "сво")
	uk.Languages = []string{"uk"}
	for _, order := range [][]contextlens.Rule{{ru, uk}, {uk, ru}} {
		m := mustCompile(t, order...)
		for text, want := range map[string]string{
			"Учасники СВО отримають пільги, заявили в міністерстві.": "svo-uk",
			"Участники СВО получат льготы, заявили в министерстве.":  "svo-ru",
		} {
			res, _ := m.Annotate(text, Options{})
			if len(res.Annotations) != 1 || res.Annotations[0].Rule != want {
				t.Errorf("%q: %+v, want one annotation of %s", text, res.Annotations, want)
			}
		}
	}
}

func TestStatusesAndValidity(t *testing.T) {
	draft := rule("draft", "n", "crisis")
	draft.Status = contextlens.StatusDraft
	archived := rule("archived", "n2", "crisis")
	archived.Status = contextlens.StatusArchived
	dated := rule("dated", "n3", "crisis")
	from, _ := contextlens.ParseDate("2024-01-01")
	until, _ := contextlens.ParseDate("2024-12-31")
	dated.ValidFrom, dated.ValidUntil = &from, &until
	m := mustCompile(t, draft, archived, dated)
	if m.Stats().Rules != 1 {
		t.Fatalf("compiled %d rules, want only the dated live rule", m.Stats().Rules)
	}
	at := func(day string) int {
		d, _ := contextlens.ParseDate(day)
		res, _ := m.Annotate("a crisis", Options{Now: d.Time.Add(12 * time.Hour)})
		return len(res.Annotations)
	}
	if at("2023-12-31") != 0 || at("2024-01-01") != 1 || at("2024-12-31") != 1 || at("2025-01-01") != 0 {
		t.Error("validity window not honoured (from and until are inclusive days)")
	}
	all, err := Compile([]contextlens.Rule{draft, archived}, CompileOptions{AllStatuses: true})
	if err != nil || all.Stats().Rules != 2 {
		t.Errorf("AllStatuses compiled %v rules, err %v", all.Stats().Rules, err)
	}
}

func TestAttribution(t *testing.T) {
	m := mustCompile(t, rule("r", "n", "kyiv regime", "киевск* режим*", "київськ* режим*"))
	tests := []struct {
		text string
		want contextlens.Attribution
	}{
		{"The Kyiv regime shells cities.", contextlens.AttributionDirect},
		{"He called it “the Kyiv regime” again.", contextlens.AttributionReported},
		{"The Kyiv regime must fall, the minister said.", contextlens.AttributionReported},
		{"According to Moscow, the Kyiv regime is to blame.", contextlens.AttributionReported},
		{"Он заявил, что киевский режим виноват.", contextlens.AttributionReported},
		{"Окупанти заявили: «київський режим»", contextlens.AttributionReported},
		{"Киевский режим виноват. Так заявил министр.", contextlens.AttributionDirect},
		// debunks restate the claim: reported
		{"Fact check: the Kyiv regime did not stage the attack.", contextlens.AttributionReported},
		{"No, the Kyiv regime does not run secret labs.", contextlens.AttributionReported},
		{"В сетях распространяют утверждение, что киевский режим готовит провокацию.", contextlens.AttributionReported},
		{"Неправда, що київський режим заборонив переговори.", contextlens.AttributionReported},
	}
	for _, tt := range tests {
		res, _ := m.Annotate(tt.text, Options{})
		if len(res.Annotations) != 1 {
			t.Errorf("%q: %d annotations, want 1", tt.text, len(res.Annotations))
			continue
		}
		if got := res.Annotations[0].Attribution; got != tt.want {
			t.Errorf("%q: attribution %s, want %s", tt.text, got, tt.want)
		}
	}
}

func TestRegexRule(t *testing.T) {
	r := rule("re", "stolen", "placeholder phrase")
	r.Match.Phrases = nil
	r.Match.Regex = `(election|vote) was (stolen|rigged)`
	m := mustCompile(t, r)
	if got := exacts(m, "They say the Election was STOLEN in 2020."); !slices.Equal(got, []string{"re:Election was STOLEN"}) {
		t.Errorf("got %q", got)
	}
}

func TestCompileErrors(t *testing.T) {
	bad := []struct {
		phrase, want string
	}{
		{"* crisis", "cannot start"},
		{"crisis *", "cannot end"},
		{"cr*", "too short"},
		{"cri*sis", "may only end"},
		{"ukraine, crisis", "punctuation"},
		{"!!!", "punctuation"},
		{"--", "no letters"},
	}
	for _, b := range bad {
		_, err := Compile([]contextlens.Rule{rule("r", "n", b.phrase)}, CompileOptions{})
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("phrase %q: error %v, want one containing %q", b.phrase, err, b.want)
		}
	}
	re := rule("r", "n", "x y")
	re.Match.Regex = "a**"
	if _, err := Compile([]contextlens.Rule{re}, CompileOptions{}); err == nil || !strings.Contains(err.Error(), "match.regex") {
		t.Errorf("bad regex: %v", err)
	}
	re.Match.Regex = "a*"
	if _, err := Compile([]contextlens.Rule{re}, CompileOptions{}); err == nil || !strings.Contains(err.Error(), "empty string") {
		t.Errorf("regex matching empty: %v", err)
	}
}

func TestVersionIsContentHash(t *testing.T) {
	a := mustCompile(t, rule("a", "n", "x y"), rule("b", "n", "z w"))
	b := mustCompile(t, rule("b", "n", "z w"), rule("a", "n", "x y"))
	c := mustCompile(t, rule("a", "n", "x y"), rule("b", "n", "z q"))
	if a.Version() != b.Version() {
		t.Error("the same rules in another order must give the same version")
	}
	if a.Version() == c.Version() {
		t.Error("different rules must give different versions")
	}
}

func TestCheckExamples(t *testing.T) {
	r := rule("r", "n", "ukraine crisis")
	r.Examples = map[string]contextlens.Examples{"en": {
		Match:   []string{"The Ukraine crisis.", "Nothing here."},
		NoMatch: []string{"The energy crisis.", "Ukraine crisis again."},
	}}
	m := mustCompile(t, r)
	fails := CheckExamples(m, r)
	if len(fails) != 2 || fails[0].Kind != "match" || fails[0].Index != 1 || fails[1].Kind != "no_match" || fails[1].Index != 1 {
		t.Errorf("failures %+v, want match[1] and no_match[1]", fails)
	}
}

func TestDetectLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"The war goes on.": "en",
		"Война продолжается, и это ясно.":    "ru",
		"Війна триває, і це зрозуміло всім.": "uk",
		"СВО": "ru",
		"":    "en",
	} {
		if got := DetectLanguage(text); got != want {
			t.Errorf("DetectLanguage(%q) = %s, want %s", text, got, want)
		}
	}
}

// TestDetectLanguageTable checks the byte tables against a rune-by-rune
// count over the same sample, on random mixtures of the letters that
// decide.
func TestDetectLanguageTable(t *testing.T) {
	pieces := []string{"a", "Z", "я", "Ж", "і", "Ї", "є", "ґ", "Ґ", "ы", "Э", "ъ", "ё", "Ё", "ӧ", "ѣ", " ", "1", "é", "😀", "中"}
	rnd := rand.New(rand.NewPCG(9, 9))
	for range 5000 {
		var b strings.Builder
		for k := rnd.IntN(40); k > 0; k-- {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		text := b.String()
		var latin, cyrillic, uk, ru int
		for i, r := range text {
			if i >= detectSample {
				break
			}
			switch {
			case r < 0x80 && unicode.IsLetter(r):
				latin++
			case r >= 0x400 && r <= 0x4FF:
				cyrillic++
				if strings.ContainsRune("іїєґІЇЄҐ", r) {
					uk++
				} else if strings.ContainsRune("ыэъёЫЭЪЁ", r) {
					ru++
				}
			}
		}
		want := "ru"
		if cyrillic <= latin {
			want = "en"
		} else if uk > ru {
			want = "uk"
		}
		if got := DetectLanguage(text); got != want {
			t.Fatalf("DetectLanguage(%q) = %s, want %s", text, got, want)
		}
	}
}

func TestEngineSwap(t *testing.T) {
	e := NewEngine(nil)
	if e.Current() != nil {
		t.Fatal("a new engine without a matcher must not be ready")
	}
	a, b := mustCompile(t, rule("a", "n", "x y")), mustCompile(t, rule("b", "n", "x y"))
	e.Swap(a)
	if prev := e.Swap(b); prev != a || e.Current() != b {
		t.Error("Swap must install the new matcher and return the old one")
	}
}

// utf16Slice returns s[start:end] with offsets in UTF-16 code units.
func utf16Slice(s string, start, end int) (string, bool) {
	u := utf16.Encode([]rune(s))
	if start < 0 || end > len(u) || start > end {
		return "", false
	}
	return string(utf16.Decode(u[start:end])), true
}

func TestPositionsAreUTF16(t *testing.T) {
	m := mustCompile(t, rule("r", "n", "kyiv regime", "київськ* режим*"))
	text := "🙂🙂 The Kyiv regime; 𝕏 — київського режиму."
	res, _ := m.Annotate(text, Options{})
	if len(res.Annotations) != 2 {
		t.Fatalf("%d annotations, want 2", len(res.Annotations))
	}
	for _, a := range res.Annotations {
		got, ok := utf16Slice(text, a.Position.Start, a.Position.End)
		if !ok || got != a.Quote.Exact {
			t.Errorf("slice at %+v = %q, want %q", a.Position, got, a.Quote.Exact)
		}
	}
	if res.Annotations[0].Position.Start != 9 {
		t.Errorf("start %d, want 9 (two surrogate pairs and a space before 'The ')", res.Annotations[0].Position.Start)
	}
}

// A decimal point, an initial or a title's dot does not end a sentence:
// windows go on across it. A full stop does.
func TestSentenceBreaks(t *testing.T) {
	r := rule("r", "n", "illegitimate")
	r.Match.Near = &contextlens.Window{Terms: []string{"zelensky", "зеленск*"}, Window: 8}
	m := mustCompile(t, r)
	for text, want := range map[string]bool{
		"Zelensky got 98.42 illegitimate votes.":          true,
		"Zelensky got 98,42 illegitimate votes.":          true,
		"Zelensky met U.S. officials, illegitimate ones.": true,
		"Zelensky met Mr. Smith, the illegitimate heir.":  true,
		"В. Зеленский и illegitimate":                     true,
		"Zelensky и спец. illegitimate":                   true,
		"Zelensky spoke. The illegitimate heir left.":     false,
		"Zelensky got 98. Illegitimate votes followed.":   false,
	} {
		res, _ := m.Annotate(text, Options{})
		if got := len(res.Annotations) == 1; got != want {
			t.Errorf("%q: hit %v, want %v", text, got, want)
		}
	}
}
