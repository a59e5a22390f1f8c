package contextlens

import (
	"slices"
	"time"
)

// Status is where a rule is in its editorial lifecycle.
type Status string

// Rule statuses. Only live rules are shown to readers; shadow rules are
// matched and counted so editors can judge them before publishing.
const (
	StatusDraft    Status = "draft"
	StatusShadow   Status = "shadow"
	StatusLive     Status = "live"
	StatusArchived Status = "archived"
)

// Statuses lists every valid status in lifecycle order.
var Statuses = []Status{StatusDraft, StatusShadow, StatusLive, StatusArchived}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Matched reports whether rules with this status take part in matching.
func (s Status) Matched() bool { return s == StatusShadow || s == StatusLive }

// Severity says how strongly a card should draw attention.
type Severity string

// Severities, from mildest to strongest.
const (
	SeverityInfo    Severity = "info"
	SeverityCaution Severity = "caution"
	SeverityWarning Severity = "warning"
)

// Severities lists every valid severity, mildest first.
var Severities = []Severity{SeverityInfo, SeverityCaution, SeverityWarning}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return slices.Contains(Severities, s) }

// Rank orders severities: info 0, caution 1, warning 2, unknown -1.
func (s Severity) Rank() int { return slices.Index(Severities, s) }

// Categories are the kinds of framing a rule can describe.
var Categories = []string{"euphemism", "false-claim", "loaded-label", "conspiracy", "missing-context"}

// Languages the rules base and engine support.
var Languages = []string{"en", "ru", "uk"}

// Rule is one curated framing rule: what to find and the card to show.
// The field names and YAML/JSON tags are the rule file format (rules/schema.json).
type Rule struct {
	ID          string              `json:"id" yaml:"id"`
	Narrative   string              `json:"narrative" yaml:"narrative"`
	Title       string              `json:"title" yaml:"title"`
	Summary     string              `json:"summary" yaml:"summary"`
	Explanation string              `json:"explanation" yaml:"explanation"`
	Category    string              `json:"category" yaml:"category"`
	Severity    Severity            `json:"severity" yaml:"severity"`
	Status      Status              `json:"status" yaml:"status"`
	Languages   []string            `json:"languages" yaml:"languages"`
	ValidFrom   *Date               `json:"valid_from,omitempty" yaml:"valid_from,omitempty"`
	ValidUntil  *Date               `json:"valid_until,omitempty" yaml:"valid_until,omitempty"`
	Match       Match               `json:"match" yaml:"match"`
	Sources     []Source            `json:"sources" yaml:"sources"`
	Examples    map[string]Examples `json:"examples" yaml:"examples"`
}

// Match says which text a rule finds.
//
// Phrases are word sequences matched on normalized text at word boundaries.
// A word ending in "*" matches any word starting with it (inflections:
// "кризис*" matches "кризиса"); a lone "*" matches exactly one word of any kind.
// Regex, when set, is an RE2 expression run over the normalized text
// (lower-cased, folded); it is for the rare framing phrases cannot express.
type Match struct {
	Phrases []string `json:"phrases,omitempty" yaml:"phrases,omitempty"`
	Regex   string   `json:"regex,omitempty" yaml:"regex,omitempty"`
	Near    *Window  `json:"near,omitempty" yaml:"near,omitempty"`
	Unless  *Window  `json:"unless,omitempty" yaml:"unless,omitempty"`
}

// Window is a context condition: terms (same syntax as phrases) looked for
// within Window words before or after a hit, inside the same sentence.
type Window struct {
	Terms  []string `json:"terms" yaml:"terms"`
	Window int      `json:"window" yaml:"window"`
}

// Source is a reference a card links to.
type Source struct {
	Title     string `json:"title" yaml:"title"`
	URL       string `json:"url" yaml:"url"`
	Publisher string `json:"publisher" yaml:"publisher"`
}

// Examples are sentences in one language the rule must and must not match.
type Examples struct {
	Match   []string `json:"match" yaml:"match"`
	NoMatch []string `json:"no_match" yaml:"no_match"`
}

// ActiveAt reports whether the rule's validity window contains t.
func (r *Rule) ActiveAt(t time.Time) bool {
	if r.ValidFrom != nil && t.Before(r.ValidFrom.Time) {
		return false
	}
	if r.ValidUntil != nil && !t.Before(r.ValidUntil.Time.AddDate(0, 0, 1)) {
		return false
	}
	return true
}
