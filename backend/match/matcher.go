package match

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// Matcher is an immutable compiled rule set. It is safe for concurrent use.
type Matcher struct {
	version  string
	byID     map[string]int32 // rule id -> index in rules
	rules    []compiledRule
	phrases  []phrase
	owner    []int32 // phrase id -> rule index
	ix       *index
	regexes  []int32       // indices of rules with a regex
	literals *literalIndex // where the regex rules' literals occur
	stats    Stats
}

type compiledRule struct {
	contextlens.Rule
	card contextlens.Card
	// group is the rule's overlap group: hits of one narrative compete, and
	// shadow rules compete only among themselves (resolveOverlaps).
	group            int32
	near, unless     *termList
	nearWin, unlessW int
	re               *regexRule
}

// Stats describes a compiled rule set.
type Stats struct {
	Rules       int           `json:"rules"`
	Phrases     int           `json:"phrases"`
	CompileTime time.Duration `json:"compile_time"`
	// IndexBytes estimates the memory held by the phrase index.
	IndexBytes int `json:"index_bytes"`
}

// CompileOptions changes which rules a Matcher includes.
type CompileOptions struct {
	// AllStatuses includes draft and archived rules too (as if live), for
	// dry runs and example checks of rules that are not published.
	AllStatuses bool
}

// CompileError lists every rule whose match fields do not compile.
type CompileError struct {
	Problems []RuleProblem
}

// RuleProblem is one problem with one field of one rule.
type RuleProblem struct {
	Rule string `json:"rule"`
	contextlens.FieldError
}

func (e *CompileError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "rule %s: %s", p.Rule, p.FieldError.Error())
	}
	return b.String()
}

// maxRegexLen bounds vetted regular expressions (RE2 is linear in the text,
// but its compiled program grows with the expression).
const maxRegexLen = 500

// Compile builds a Matcher from rules. Without AllStatuses only shadow and
// live rules are included. Compiling never touches a Matcher in use, so a
// new rule set can be built while the old one serves requests.
func Compile(rules []contextlens.Rule, opts CompileOptions) (*Matcher, error) {
	began := time.Now()
	m := &Matcher{}
	var problems []RuleProblem
	ib := newIndexBuilder()
	narratives := map[string]int32{}
	for _, r := range rules {
		if !opts.AllStatuses && !r.Status.Matched() {
			continue
		}
		cr, ps, errs := compileRule(r)
		for _, e := range errs {
			problems = append(problems, RuleProblem{Rule: r.ID, FieldError: e})
		}
		if len(errs) > 0 {
			continue
		}
		ri := int32(len(m.rules))
		if _, ok := narratives[cr.Narrative]; !ok {
			narratives[cr.Narrative] = int32(len(narratives))
		}
		cr.group = 2 * narratives[cr.Narrative]
		if cr.Status == contextlens.StatusShadow {
			cr.group++
		}
		cr.card = contextlens.CardOf(&cr.Rule)
		m.rules = append(m.rules, cr)
		if cr.re != nil {
			m.regexes = append(m.regexes, ri)
			if m.literals == nil {
				m.literals = newLiteralIndex()
			}
			for _, lit := range cr.re.literals {
				m.literals.add(ri, lit)
			}
			m.literals.addTree(cr.re.needs)
		}
		for _, p := range ps {
			id := int32(len(m.phrases))
			m.phrases = append(m.phrases, p)
			m.owner = append(m.owner, ri)
			ib.addPhrase(id, p)
		}
	}
	if len(problems) > 0 {
		return nil, &CompileError{Problems: problems}
	}
	m.ix = ib.build()
	m.byID = make(map[string]int32, len(m.rules))
	for i := range m.rules {
		m.byID[m.rules[i].ID] = int32(i)
	}
	m.version = versionOf(m.Rules())
	m.stats = Stats{
		Rules:       len(m.rules),
		Phrases:     len(m.phrases),
		CompileTime: time.Since(began),
		IndexBytes:  m.ix.sizeBytes(),
	}
	return m, nil
}

func compileRule(r contextlens.Rule) (compiledRule, []phrase, []contextlens.FieldError) {
	cr := compiledRule{Rule: r}
	var errs []contextlens.FieldError
	var ps []phrase
	for i, src := range r.Match.Phrases {
		variants, err := expandPhrase(src)
		for _, v := range variants {
			var p phrase
			if p, err = parsePhrase(v); err != nil {
				break
			}
			ps = append(ps, p)
		}
		if err != nil {
			errs = append(errs, contextlens.FieldError{Field: fmt.Sprintf("match.phrases[%d]", i), Message: err.Error()})
		}
	}
	if r.Match.Regex != "" {
		re, err := compileRegex(r.Match.Regex)
		if err != nil {
			errs = append(errs, contextlens.FieldError{Field: "match.regex", Message: err.Error()})
		}
		cr.re = re
	}
	if len(ps) == 0 && cr.re == nil && len(errs) == 0 {
		errs = append(errs, contextlens.FieldError{Field: "match", Message: "needs phrases or a regex"})
	}
	if w := r.Match.Near; w != nil {
		l, err := parseTerms(w.Terms)
		if err != nil {
			errs = append(errs, contextlens.FieldError{Field: "match.near.terms", Message: err.Error()})
		}
		cr.near, cr.nearWin = l, w.Window
	}
	if w := r.Match.Unless; w != nil {
		l, err := parseTerms(w.Terms)
		if err != nil {
			errs = append(errs, contextlens.FieldError{Field: "match.unless.terms", Message: err.Error()})
		}
		cr.unless, cr.unlessW = l, w.Window
	}
	return cr, ps, errs
}

// VersionOf is the version Compile (without AllStatuses) gives rules,
// computed without compiling them.
func VersionOf(rules []contextlens.Rule) string {
	var in []contextlens.Rule
	for _, r := range rules {
		if r.Status.Matched() {
			in = append(in, r)
		}
	}
	return versionOf(in)
}

// versionOf is a content hash of the compiled rules: the same rules always
// give the same version, on every replica.
func versionOf(rules []contextlens.Rule) string {
	sorted := make([]*contextlens.Rule, len(rules))
	for i := range rules {
		sorted[i] = &rules[i]
	}
	slices.SortFunc(sorted, func(a, b *contextlens.Rule) int { return strings.Compare(a.ID, b.ID) })
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, r := range sorted {
		_ = enc.Encode(r) // hashing a plain struct cannot fail
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Version is the opaque version of this rule set.
func (m *Matcher) Version() string { return m.version }

// Stats describes this rule set.
func (m *Matcher) Stats() Stats { return m.stats }

// Rules returns the rules of this set (shared; do not modify).
func (m *Matcher) Rules() []contextlens.Rule {
	out := make([]contextlens.Rule, len(m.rules))
	for i := range m.rules {
		out[i] = m.rules[i].Rule
	}
	return out
}

// Has reports whether the rule set contains the rule id.
func (m *Matcher) Has(id string) bool {
	_, ok := m.byID[id]
	return ok
}
