package contextlens

import (
	"strings"
	"testing"
)

func TestHasControlChar(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"", false},
		{"plain text, кириллица, 🙂", false},
		{"tab\tnewline\ncarriage\r", false},
		{"a\x00b", true},
		{"\x01", true},
		{"bell\a", true},
		{"esc\x1b[31m", true},
		{"\x1f", true},
		{"del\x7f", true},
		{"c1 \u0080", true},
		{"nel \u0085", true},
		{"csi \u009b", true},
		{"\u009f", true},
		{"nbsp\u00a0 is not a control", false},
		{"bidi \u202e is not a control", false},
	}
	for _, tt := range tests {
		if got := HasControlChar(tt.s); got != tt.want {
			t.Errorf("HasControlChar(%+q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestBidiAndZeroWidth(t *testing.T) {
	bidi := []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C}
	zw := []rune{0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}
	for _, r := range bidi {
		if !HasBidiControl("a"+string(r)+"b") || HasZeroWidth(string(r)) {
			t.Errorf("U+%04X: bidi %v, zero-width %v", r, HasBidiControl(string(r)), HasZeroWidth(string(r)))
		}
	}
	for _, r := range zw {
		if !HasZeroWidth("a"+string(r)+"b") || HasBidiControl(string(r)) {
			t.Errorf("U+%04X: zero-width %v, bidi %v", r, HasZeroWidth(string(r)), HasBidiControl(string(r)))
		}
	}
	for _, r := range []rune{0x2029, 0x202F, 0x2065, 0x206A, 0x200A, 0x2061, 0x00AD, 'a', 'я'} {
		if HasBidiControl(string(r)) || HasZeroWidth(string(r)) {
			t.Errorf("U+%04X is neither a bidi control nor zero-width", r)
		}
	}
}

// validRule uses every text field once.
func validRule() Rule {
	return Rule{
		ID: "war-as-crisis-en", Narrative: "war-as-crisis", Title: "The war called a crisis",
		Summary: "A summary.", Explanation: "An explanation.", Category: "euphemism",
		Severity: SeverityCaution, Status: StatusDraft, Languages: []string{"en"},
		Match: Match{
			Phrases: []string{"ukraine crisis", "crisis in ukraine", "crisis in * ukraine"},
			Near:    &Window{Terms: []string{"war", "russia*"}, Window: 8},
			Unless:  &Window{Terms: []string{"humanitarian"}, Window: 3},
		},
		Sources:  []Source{{Title: "UN GA resolution ES-11/1", URL: "https://digitallibrary.un.org/record/3965290", Publisher: "United Nations"}},
		Examples: map[string]Examples{"en": {Match: []string{"The Ukraine crisis.", "The crisis in Ukraine."}, NoMatch: []string{"Calm."}}},
	}
}

// TestValidateRuleText: every text field of a rule refuses control
// characters; the texts editors and readers read refuse bidi controls and
// zero-width characters; each has a length cap. The field is named.
func TestValidateRuleText(t *testing.T) {
	if r := validRule(); len(r.Validate()) > 0 {
		t.Fatalf("valid rule: %v", r.Validate())
	}
	const (
		nul   = "a\x00b"
		c1    = "a\u0085b"
		esc   = "a\x1b[2Jb"
		rlo   = "zorblax \u202eetalp"
		lrm   = "a\u200eb"
		zwsp  = "a\u200bb"
		bom   = "\ufeffa"
		joint = "a\u2060b"
	)
	type mod func(r *Rule, v string)
	fields := []struct {
		field string
		set   mod
		max   int // characters (bytes for the URL); 0: no cap tested here
	}{
		{"title", func(r *Rule, v string) { r.Title = v }, MaxTitleLen},
		{"summary", func(r *Rule, v string) { r.Summary = v }, MaxSummaryLen},
		{"explanation", func(r *Rule, v string) { r.Explanation = v }, MaxExplanationLen},
		{"sources[0].title", func(r *Rule, v string) { r.Sources[0].Title = v }, MaxSourceTitleLen},
		{"sources[0].publisher", func(r *Rule, v string) { r.Sources[0].Publisher = v }, MaxSourcePublisherLen},
		{"sources[0].url", func(r *Rule, v string) { r.Sources[0].URL = "https://example.org/" + v }, 0},
		{"match.phrases[2]", func(r *Rule, v string) { r.Match.Phrases[2] = v }, MaxPhraseLen},
		{"match.regex", func(r *Rule, v string) { r.Match.Regex = v }, 0},
		{"match.near.terms[1]", func(r *Rule, v string) { r.Match.Near.Terms[1] = v }, MaxPhraseLen},
		{"match.unless.terms[0]", func(r *Rule, v string) { r.Match.Unless.Terms[0] = v }, MaxPhraseLen},
		{"examples.en.match[1]", func(r *Rule, v string) { r.Examples["en"].Match[1] = v }, MaxExampleLen},
		{"examples.en.no_match[0]", func(r *Rule, v string) { r.Examples["en"].NoMatch[0] = v }, MaxExampleLen},
	}
	for _, f := range fields {
		for _, bad := range []string{nul, c1, esc, rlo, lrm, zwsp, bom, joint, "a\xffb"} {
			r := validRule()
			f.set(&r, bad)
			if !hasField(r.Validate(), f.field) {
				t.Errorf("%s = %+q accepted: %v", f.field, bad, r.Validate())
			}
		}
		for _, ok := range []string{"tab\tand\nnewline\r\nfine", "Ελληνικά, українська, 🙂"} {
			if f.field == "sources[0].url" || strings.HasPrefix(f.field, "match.") {
				continue // not free text
			}
			r := validRule()
			f.set(&r, ok)
			if errs := r.Validate(); len(errs) > 0 {
				t.Errorf("%s = %+q refused: %v", f.field, ok, errs)
			}
		}
		if f.max > 0 {
			r := validRule()
			f.set(&r, strings.Repeat("я", f.max))
			if hasField(r.Validate(), f.field) {
				t.Errorf("%s of %d characters refused: %v", f.field, f.max, r.Validate())
			}
			f.set(&r, strings.Repeat("я", f.max+1))
			if !hasField(r.Validate(), f.field) {
				t.Errorf("%s of %d characters accepted", f.field, f.max+1)
			}
		}
	}
	// The URL's cap is in bytes.
	r := validRule()
	r.Sources[0].URL = "https://example.org/" + strings.Repeat("a", MaxSourceURLLen-len("https://example.org/"))
	if errs := r.Validate(); len(errs) > 0 {
		t.Errorf("URL of %d bytes refused: %v", MaxSourceURLLen, errs)
	}
	r.Sources[0].URL += "a"
	if !hasField(r.Validate(), "sources[0].url") {
		t.Errorf("URL of %d bytes accepted", MaxSourceURLLen+1)
	}
	r = validRule()
	r.ID = strings.Repeat("a", MaxSlugLen+1)
	if !hasField(r.Validate(), "id") {
		t.Errorf("id of %d characters accepted", MaxSlugLen+1)
	}
}

func TestValidateFeedback(t *testing.T) {
	ok := Feedback{Rule: "r1", Ruleset: "v1", Reason: "helpful", Quote: "Ukraine crisis, \u200fכן\u200d"}
	if errs := ok.Validate(); len(errs) > 0 {
		t.Fatalf("valid report: %v", errs)
	}
	tests := []struct {
		field string
		f     Feedback
	}{
		{"rule", Feedback{Reason: "helpful"}},
		{"rule", Feedback{Rule: "r\x00", Reason: "helpful"}},
		{"rule", Feedback{Rule: strings.Repeat("r", MaxFeedbackIDLen+1), Reason: "helpful"}},
		{"ruleset", Feedback{Rule: "r", Ruleset: "v\x00", Reason: "helpful"}},
		{"reason", Feedback{Rule: "r", Reason: "spam"}},
		{"quote", Feedback{Rule: "r", Reason: "helpful", Quote: "a\x00b"}},
		{"quote", Feedback{Rule: "r", Reason: "helpful", Quote: "a\u0085b"}},
		{"quote", Feedback{Rule: "r", Reason: "helpful", Quote: "a\x07b"}},
		{"quote", Feedback{Rule: "r", Reason: "helpful", Quote: strings.Repeat("я", MaxFeedbackQuote+1)}},
	}
	for _, tt := range tests {
		if errs := tt.f.Validate(); !hasField(errs, tt.field) {
			t.Errorf("%+q: errors %v, want one for %s", tt.f, errs, tt.field)
		}
	}
}

func hasField(errs []FieldError, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}
