package match

import (
	"fmt"
	"slices"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// ExampleFailure is one example sentence a rule gets wrong.
type ExampleFailure struct {
	Rule     string `json:"rule"`
	Lang     string `json:"lang"`
	Kind     string `json:"kind"` // "match" or "no_match"
	Index    int    `json:"index"`
	Sentence string `json:"sentence"`
	Problem  string `json:"problem"`
}

func (f ExampleFailure) Error() string {
	return fmt.Sprintf("rule %s: examples.%s.%s[%d]: %s: %q", f.Rule, f.Lang, f.Kind, f.Index, f.Problem, f.Sentence)
}

// CheckExamples runs the examples of rule r against m, which must contain r
// (compile it alone for a rule's own check, or within the full set to see
// whether other rules change its outcome). A match example passes when r, or
// another rule of the same narrative, covers it; a no_match example passes
// when r gives no hit.
func CheckExamples(m *Matcher, r contextlens.Rule) []ExampleFailure {
	var fails []ExampleFailure
	langs := make([]string, 0, len(r.Examples))
	for l := range r.Examples {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		ex := r.Examples[lang]
		for i, s := range ex.Match {
			if !m.covers(s, lang, func(a contextlens.Annotation) bool {
				return a.Rule == r.ID || a.Narrative == r.Narrative
			}) {
				fails = append(fails, ExampleFailure{r.ID, lang, "match", i, s, "the rule does not match this sentence"})
			}
		}
		for i, s := range ex.NoMatch {
			if m.covers(s, lang, func(a contextlens.Annotation) bool { return a.Rule == r.ID }) {
				fails = append(fails, ExampleFailure{r.ID, lang, "no_match", i, s, "the rule matches this sentence"})
			}
		}
	}
	return fails
}

func (m *Matcher) covers(s, lang string, pred func(contextlens.Annotation) bool) bool {
	res, shadow := m.Annotate(s, Options{Lang: lang, IgnoreValidity: true})
	return slices.ContainsFunc(res.Annotations, pred) || slices.ContainsFunc(shadow, pred)
}
