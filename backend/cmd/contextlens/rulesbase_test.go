package main

import (
	"testing"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
	"github.com/contextlens/contextlens/backend/ruleset"
)

// TestRulesBase runs every example of every rule in rules/, alone and
// within the whole set (as a publish would), one subtest per rule.
func TestRulesBase(t *testing.T) {
	rules, err := loadRuleFiles("../../../rules")
	if err != nil {
		t.Fatal(err)
	}
	narratives := map[string]map[string]bool{}
	for _, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			if err := ruleset.CheckRule(r); err != nil {
				t.Errorf("%v: %+v", err, err.(*contextlens.Error).Details)
			}
		})
		if narratives[r.Narrative] == nil {
			narratives[r.Narrative] = map[string]bool{}
		}
		for _, l := range r.Languages {
			narratives[r.Narrative][l] = true
		}
	}
	_, fails, err := ruleset.Build(rules)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fails {
		t.Errorf("within the whole set: %v", f)
	}
	// The narratives, each in en, ru and uk.
	for _, n := range []string{"war-as-crisis", "special-military-operation", "kyiv-regime", "denazification", "biolabs",
		"nato-provocation", "artificial-state", "illegitimate-zelenskyy", "sham-referendum", "stolen-election-2020", "negotiations-decree"} {
		for _, l := range []string{"en", "ru", "uk"} {
			if !narratives[n][l] {
				t.Errorf("narrative %s has no rule in %s", n, l)
			}
		}
	}
	m, _ := match.Compile(rules, match.CompileOptions{})
	t.Logf("%d rules, %d phrases, compiled in %s", m.Stats().Rules, m.Stats().Phrases, m.Stats().CompileTime)
}
