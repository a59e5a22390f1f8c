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
