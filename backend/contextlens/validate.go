package contextlens

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// FieldError is one problem with one field of a rule. Field is a path such
// as "match.phrases[2]" or "examples.ru.match".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Limits on rule fields; they keep cards readable and the engine bounded.
const (
	MaxSummaryLen     = 300
	MaxExplanationLen = 4000
	MaxPhraseLen      = 200
	MaxPhrases        = 200
	MaxWindow         = 30
)

// Validate checks a rule's structure (not its phrase syntax, which the
// matcher checks when it compiles). It returns every problem, not just the
// first, so an editor can fix them all at once.
func (r *Rule) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if !slugPattern.MatchString(r.ID) {
		add("id", "must be a slug (lower-case letters, digits, single hyphens)")
	}
	if !slugPattern.MatchString(r.Narrative) {
		add("narrative", "must be a slug (lower-case letters, digits, single hyphens)")
	}
	if strings.TrimSpace(r.Title) == "" {
		add("title", "is required")
	}
	if strings.TrimSpace(r.Summary) == "" {
		add("summary", "is required")
	} else if utf8.RuneCountInString(r.Summary) > MaxSummaryLen {
		add("summary", "is longer than %d characters", MaxSummaryLen)
	}
	if strings.TrimSpace(r.Explanation) == "" {
		add("explanation", "is required")
	} else if utf8.RuneCountInString(r.Explanation) > MaxExplanationLen {
		add("explanation", "is longer than %d characters", MaxExplanationLen)
	}
	if !slices.Contains(Categories, r.Category) {
		add("category", "must be one of %s", strings.Join(Categories, ", "))
	}
	if !r.Severity.Valid() {
		add("severity", "must be one of info, caution, warning")
	}
	if !r.Status.Valid() {
		add("status", "must be one of draft, shadow, live, archived")
	}
	if len(r.Languages) == 0 {
		add("languages", "at least one language is required")
	}
	for i, l := range r.Languages {
		if !slices.Contains(Languages, l) {
			add(fmt.Sprintf("languages[%d]", i), "must be one of %s", strings.Join(Languages, ", "))
		}
	}
	if r.ValidFrom != nil && r.ValidUntil != nil && r.ValidUntil.Before(r.ValidFrom.Time) {
		add("valid_until", "is before valid_from")
	}
	errs = append(errs, r.Match.validate()...)
	if len(r.Sources) == 0 {
		add("sources", "at least one source is required")
	}
	for i, s := range r.Sources {
		f := fmt.Sprintf("sources[%d]", i)
		if strings.TrimSpace(s.Title) == "" {
			add(f+".title", "is required")
		}
		if strings.TrimSpace(s.Publisher) == "" {
			add(f+".publisher", "is required")
		}
		if u, err := url.Parse(s.URL); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			add(f+".url", "must be an absolute https URL")
		}
	}
	for _, l := range r.Languages {
		ex, ok := r.Examples[l]
		if !ok {
			add("examples."+l, "examples are required for every language of the rule")
			continue
		}
		if len(ex.Match) == 0 {
			add("examples."+l+".match", "at least one sentence the rule must match is required")
		}
		if len(ex.NoMatch) == 0 {
			add("examples."+l+".no_match", "at least one sentence the rule must not match is required")
		}
	}
	for l := range r.Examples {
		if !slices.Contains(r.Languages, l) {
			add("examples."+l, "language is not listed in languages")
		}
	}
	return errs
}

func (m *Match) validate() []FieldError {
	var errs []FieldError
	if len(m.Phrases) == 0 && m.Regex == "" {
		errs = append(errs, FieldError{"match", "needs phrases or a regex"})
	}
	if len(m.Phrases) > MaxPhrases {
		errs = append(errs, FieldError{"match.phrases", fmt.Sprintf("at most %d phrases", MaxPhrases)})
	}
	for i, p := range m.Phrases {
		if utf8.RuneCountInString(p) > MaxPhraseLen {
			errs = append(errs, FieldError{fmt.Sprintf("match.phrases[%d]", i), fmt.Sprintf("is longer than %d characters", MaxPhraseLen)})
		}
	}
	for name, w := range map[string]*Window{"match.near": m.Near, "match.unless": m.Unless} {
		if w == nil {
			continue
		}
		if len(w.Terms) == 0 {
			errs = append(errs, FieldError{name + ".terms", "at least one term is required"})
		}
		if w.Window < 1 || w.Window > MaxWindow {
			errs = append(errs, FieldError{name + ".window", fmt.Sprintf("must be between 1 and %d words", MaxWindow)})
		}
	}
	slices.SortFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return errs
}
