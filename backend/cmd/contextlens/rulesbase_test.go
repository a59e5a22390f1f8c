package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
	"github.com/contextlens/contextlens/backend/ruleset"
	"github.com/contextlens/contextlens/backend/sqlstore"
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

// TestRulesBaseRoundTrip seeds a store with the whole rules base, exports
// it with `rules export` and checks that every rule comes back identical
// and that the exported files pass `rules check`.
func TestRulesBaseRoundTrip(t *testing.T) {
	rules, err := loadRuleFiles("../../../rules")
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	store, err := sqlstore.Open(t.Context(), sqliteFile(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	n, err := store.Seed(t.Context(), rules, contextlens.Change{Author: "test"})
	store.Close()
	if err != nil || n != len(rules) {
		t.Fatalf("seeded %d of %d: %v", n, len(rules), err)
	}
	out := filepath.Join(t.TempDir(), "exported")
	env := map[string]string{"CONTEXTLENS_DATA_DIR": dataDir}
	if stdout, stderr, err := runCmd(t, t.Context(), env, "", "rules", "export", out); err != nil {
		t.Fatalf("%v: %s %s", err, stdout, stderr)
	}
	exported, err := loadRuleFiles(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(exported) != len(rules) {
		t.Fatalf("exported %d rules, want %d", len(exported), len(rules))
	}
	byID := map[string]contextlens.Rule{}
	for _, r := range exported {
		byID[r.ID] = r
	}
	for _, r := range rules {
		if !reflect.DeepEqual(r, byID[r.ID]) {
			t.Errorf("rule %s changed in the round trip:\n%+v\n%+v", r.ID, r, byID[r.ID])
		}
	}
	if stdout, _, err := runCmd(t, t.Context(), nil, "", "rules", "check", out); err != nil {
		t.Errorf("exported files fail rules check: %s", stdout)
	}
}

// TestRulesMatchSchema validates every rule file against rules/schema.json,
// the schema editors' YAML language servers use, so the two never disagree.
func TestRulesMatchSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	schema, err := c.Compile("../../../rules/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../../rules/*/*.yaml")
	if len(files) < 30 {
		t.Fatalf("only %d rule files found", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		// JSON Schema validates JSON values: dates and numbers as JSON has them.
		b, _ := json.Marshal(doc)
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// And the schema refuses what the Go validation refuses.
	bad := map[string]any{"id": "Bad Id", "narrative": "x", "title": "t", "summary": "s", "explanation": "e",
		"category": "euphemism", "severity": "loud", "status": "live", "languages": []any{"en"},
		"match": map[string]any{"phrases": []any{"x"}}, "sources": []any{}, "examples": map[string]any{}}
	if err := schema.Validate(bad); err == nil {
		t.Error("the schema accepts a rule with a bad id, severity and no sources")
	}
}
