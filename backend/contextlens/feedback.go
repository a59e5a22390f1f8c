package contextlens

import (
	"slices"
	"time"
)

// Feedback is a reader's report on one annotation. It deliberately holds
// no URL, address or account: readers' browsing stays private.
type Feedback struct {
	Rule    string    `json:"rule"`
	Ruleset string    `json:"ruleset"`
	Reason  string    `json:"reason"`
	Quote   string    `json:"quote,omitempty"` // the highlighted words, to judge the report
	Time    time.Time `json:"time"`
}

// FeedbackReasons are the reports a reader can make.
var FeedbackReasons = []string{
	"not-framing",     // the words are used innocently here (a false positive)
	"wrong-narrative", // framing, but the card describes another one
	"unclear",         // the card does not explain it well
	"helpful",         // the card helped
}

// ValidFeedbackReason reports whether r is a known reason.
func ValidFeedbackReason(r string) bool { return slices.Contains(FeedbackReasons, r) }

// Limits on a reader's report.
const (
	MaxFeedbackIDLen = 100 // rule and ruleset, bytes
	MaxFeedbackQuote = 300 // characters
)

// Validate checks a report before it is stored: a rule id, a known reason,
// short ids, a quote of at most MaxFeedbackQuote characters, and no control
// characters anywhere (HasControlChar). Whether the rule exists is for the
// caller to say. It returns every problem.
func (f Feedback) Validate() []FieldError {
	var errs []FieldError
	text := func(field, v string, tr textRules) {
		if p := textProblem(v, tr); p != "" {
			errs = append(errs, FieldError{field, p})
		}
	}
	// Readers' text is not rule text: bidi marks and zero-width joiners
	// are part of ordinary writing in a quote, so only controls are refused.
	text("rule", f.Rule, textRules{required: true, maxBytes: MaxFeedbackIDLen, bidi: true, zeroWidth: true})
	text("ruleset", f.Ruleset, textRules{maxBytes: MaxFeedbackIDLen, bidi: true, zeroWidth: true})
	if !ValidFeedbackReason(f.Reason) {
		errs = append(errs, FieldError{"reason", "must be one of not-framing, wrong-narrative, unclear, helpful"})
	}
	text("quote", f.Quote, textRules{maxRunes: MaxFeedbackQuote, bidi: true, zeroWidth: true})
	return errs
}
