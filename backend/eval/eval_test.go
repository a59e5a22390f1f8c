package eval

import (
	"bytes"
	"strings"
	"testing"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
)

func testMatcher(t *testing.T) *match.Matcher {
	r := contextlens.Rule{ID: "r", Narrative: "war-as-crisis", Title: "t", Summary: "s", Explanation: "e",
		Category: "euphemism", Severity: "info", Status: "live", Languages: []string{"en"},
		Match:   contextlens.Match{Phrases: []string{"ukraine crisis"}},
		Sources: []contextlens.Source{{Title: "x", URL: "https://example.org/", Publisher: "x"}}}
	m, err := match.Compile([]contextlens.Rule{r}, match.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const corpus = `{"id":"p1","lang":"en","text":"🙂🙂 The Ukraine crisis.","expect":[{"phrase":"The Ukraine crisis","narrative":"war-as-crisis"}]}
{"id":"p2","lang":"en","text":"Ukraine crisis again.","expect":[{"phrase":"Ukraine crisis","narrative":"other"}]}
{"id":"p3","lang":"ru","text":"Кризис на Украине.","expect":[{"phrase":"Кризис на Украине","narrative":"war-as-crisis"}]}
{"id":"p4","lang":"en","text":"The Ukraine crisis, the Ukraine crisis.","expect":[{"phrase":"The Ukraine crisis,","narrative":"war-as-crisis"}]}
{"id":"p5","lang":"en","text":"Stolen, and the Ukraine crisis.","expect":[{"phrase":"Stolen","narrative":"stolen-election-2020"}]}

{"id":"n1","lang":"en","text":"The energy crisis.","expect":[]}
{"id":"n2","lang":"en","text":"A Ukraine crisis hotline.","expect":[]}
`

func TestScore(t *testing.T) {
	lines, err := ReadCorpus(strings.NewReader(corpus))
	if err != nil || len(lines) != 7 {
		t.Fatalf("ReadCorpus: %d lines, %v", len(lines), err)
	}
	rep := Score(testMatcher(t), lines)
	// p4's second span is of the line's own narrative: counted as Extra,
	// not FP; p5's span is of another narrative: FP (and a miss).
	want := Counts{TP: 3, FP: 2, FN: 2, NegLines: 2, Alarms: 1, Matched: 3, SameNarr: 2, Extra: 1}
	if rep.Total != want {
		t.Errorf("total %+v, want %+v", rep.Total, want)
	}
	if rep.Total.Precision() != 3.0/5 || rep.Total.Recall() != 3.0/5 || rep.Total.FalseAlarmRate() != 0.5 || rep.Total.NarrativeAgreement() != 2.0/3 {
		t.Errorf("ratios P %v R %v FA %v NA %v", rep.Total.Precision(), rep.Total.Recall(), rep.Total.FalseAlarmRate(), rep.Total.NarrativeAgreement())
	}
	if ru := rep.ByLang["ru"]; ru == nil || ru.FN != 1 {
		t.Errorf("ru %+v", ru)
	}
	var out bytes.Buffer
	rep.Write(&out, true)
	for _, w := range []string{"p3 miss", "n2 false-hit", "p2 wrong-narrative", "p5 false-hit", "counts as correct, neither TP nor FP: 1 such"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, out.String())
		}
	}
}

func TestReadCorpusRejectsBadLines(t *testing.T) {
	if _, err := ReadCorpus(strings.NewReader(`{"id":"x","text":"abc","expect":[{"phrase":"zzz"}]}`)); err == nil {
		t.Error("a phrase that is not in the text must be refused")
	}
	if _, err := ReadCorpus(strings.NewReader(`{not json`)); err == nil {
		t.Error("malformed JSON must be refused")
	}
}

func TestUTF16ToCodePoint(t *testing.T) {
	s := "a🙂b" // 🙂 is two UTF-16 units, one code point
	for u16, want := range map[int]int{0: 0, 1: 1, 3: 2, 4: 3} {
		if got := utf16ToCodePoint(s, u16); got != want {
			t.Errorf("utf16ToCodePoint(%d) = %d, want %d", u16, got, want)
		}
	}
}
