package contextlens

// Attribution says whose voice a framing is in.
type Attribution string

const (
	// AttributionDirect: the text itself uses the framing.
	AttributionDirect Attribution = "direct"
	// AttributionReported: the framing sits in quotation marks or reported
	// speech, so the outlet may be reporting it rather than endorsing it.
	AttributionReported Attribution = "reported"
)

// Annotation is one hit of a rule in a text, with the card to show.
type Annotation struct {
	ID          string      `json:"id"`
	Rule        string      `json:"rule"`
	Narrative   string      `json:"narrative"`
	Category    string      `json:"category"`
	Severity    Severity    `json:"severity"`
	Title       string      `json:"title"`
	Summary     string      `json:"summary"`
	Explanation string      `json:"explanation"`
	Sources     []Source    `json:"sources"`
	Attribution Attribution `json:"attribution"`
	Quote       Quote       `json:"quote"`
	Position    Position    `json:"position"`
	// Shadow marks a hit of a shadow rule: counted, never shown to readers.
	Shadow bool `json:"-"`
}

// Quote is a W3C TextQuoteSelector: the exact text and its surroundings.
type Quote struct {
	Exact  string `json:"exact"`
	Prefix string `json:"prefix"`
	Suffix string `json:"suffix"`
}

// Position is a W3C TextPositionSelector in UTF-16 code units of the
// submitted text (JavaScript string indices), end exclusive.
type Position struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Result is what annotating one text returns.
type Result struct {
	Ruleset     string       `json:"ruleset"`
	Lang        string       `json:"lang"`
	Annotations []Annotation `json:"annotations"`
}
