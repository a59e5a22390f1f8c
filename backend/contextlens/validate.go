package contextlens

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
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
// Text lengths are in characters (Unicode code points), except URLs (bytes).
// rules/schema.json mirrors them.
const (
	MaxSlugLen            = 80
	MaxTitleLen           = 200
	MaxSummaryLen         = 300
	MaxExplanationLen     = 4000
	MaxSourceTitleLen     = 300
	MaxSourcePublisherLen = 200
	MaxSourceURLLen       = 2048 // bytes
	MaxExampleLen         = 1000
	MaxPhraseLen          = 200 // phrases and near/unless terms
	MaxPhrases            = 200
	MaxWindow             = 30
)

// Every text of a rule refuses control characters (HasControlChar). The
// texts editors read and readers see (title, summary, explanation, sources,
// phrases and terms, the regex) also refuse bidi controls and zero-width
// characters, which make a text display differently from what it is or
// matches. Example sentences refuse them too: editors read them, and no
// rule of the base needs one (the normalizer's handling of zero-width
// characters is tested in backend/normalize, not through rule examples).
var (
	cardText    = func(max int) textRules { return textRules{required: true, maxRunes: max} }
	patternText = textRules{required: true, maxRunes: MaxPhraseLen}
	exampleText = textRules{required: true, maxRunes: MaxExampleLen}
)

// Validate checks a rule's structure (not its phrase syntax, which the
// matcher checks when it compiles). It returns every problem, not just the
// first, so an editor can fix them all at once.
func (r *Rule) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	text := func(field, v string, tr textRules) {
		if p := textProblem(v, tr); p != "" {
			add(field, "%s", p)
		}
	}
	if !slugPattern.MatchString(r.ID) {
		add("id", "must be a slug (lower-case letters, digits, single hyphens)")
	} else if len(r.ID) > MaxSlugLen {
		add("id", "is longer than %d characters", MaxSlugLen)
	}
	if !slugPattern.MatchString(r.Narrative) {
		add("narrative", "must be a slug (lower-case letters, digits, single hyphens)")
	} else if len(r.Narrative) > MaxSlugLen {
		add("narrative", "is longer than %d characters", MaxSlugLen)
	}
	text("title", r.Title, cardText(MaxTitleLen))
	text("summary", r.Summary, cardText(MaxSummaryLen))
	text("explanation", r.Explanation, cardText(MaxExplanationLen))
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
		text(f+".title", s.Title, cardText(MaxSourceTitleLen))
		text(f+".publisher", s.Publisher, cardText(MaxSourcePublisherLen))
		if p := textProblem(s.URL, textRules{maxBytes: MaxSourceURLLen}); p != "" {
			add(f+".url", "%s", p)
		} else if u, err := url.Parse(s.URL); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
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
	for _, l := range slices.Sorted(maps.Keys(r.Examples)) {
		if !slices.Contains(r.Languages, l) {
			add("examples."+l, "language is not listed in languages")
		}
		ex := r.Examples[l]
		for i, sentence := range ex.Match {
			text(fmt.Sprintf("examples.%s.match[%d]", l, i), sentence, exampleText)
		}
		for i, sentence := range ex.NoMatch {
			text(fmt.Sprintf("examples.%s.no_match[%d]", l, i), sentence, exampleText)
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
		if msg := textProblem(p, patternText); msg != "" {
			errs = append(errs, FieldError{fmt.Sprintf("match.phrases[%d]", i), msg})
		}
	}
	if msg := textProblem(m.Regex, textRules{}); msg != "" {
		errs = append(errs, FieldError{"match.regex", msg})
	}
	for name, w := range map[string]*Window{"match.near": m.Near, "match.unless": m.Unless} {
		if w == nil {
			continue
		}
		if len(w.Terms) == 0 {
			errs = append(errs, FieldError{name + ".terms", "at least one term is required"})
		}
		for i, t := range w.Terms {
			if msg := textProblem(t, patternText); msg != "" {
				errs = append(errs, FieldError{fmt.Sprintf("%s.terms[%d]", name, i), msg})
			}
		}
		if w.Window < 1 || w.Window > MaxWindow {
			errs = append(errs, FieldError{name + ".window", fmt.Sprintf("must be between 1 and %d words", MaxWindow)})
		}
	}
	slices.SortFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return errs
}
