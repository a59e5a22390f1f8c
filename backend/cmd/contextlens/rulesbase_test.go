package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
	// The schema mirrors the Go text checks: lengths, control characters,
	// bidi controls and zero-width characters in every text field.
	valid := func() map[string]any {
		return map[string]any{"id": "x", "narrative": "x", "title": "t", "summary": "s", "explanation": "e",
			"category": "euphemism", "severity": "info", "status": "draft", "languages": []any{"en"},
			"match":    map[string]any{"phrases": []any{"a b"}, "near": map[string]any{"terms": []any{"c"}, "window": 3}},
			"sources":  []any{map[string]any{"title": "t", "url": "https://example.org/", "publisher": "p"}},
			"examples": map[string]any{"en": map[string]any{"match": []any{"A b."}, "no_match": []any{"C."}}}}
	}
	if err := schema.Validate(valid()); err != nil {
		t.Fatalf("the schema refuses a valid rule: %v", err)
	}
	type setter func(doc map[string]any, v string)
	at := func(path ...any) setter {
		return func(doc map[string]any, v string) {
			var cur any = doc
			for _, p := range path[:len(path)-1] {
				switch k := p.(type) {
				case string:
					cur = cur.(map[string]any)[k]
				case int:
					cur = cur.([]any)[k]
				}
			}
			switch k := path[len(path)-1].(type) {
			case string:
				cur.(map[string]any)[k] = v
			case int:
				cur.([]any)[k] = v
			}
		}
	}
	fields := []struct {
		name string
		set  setter
		max  int
	}{
		{"title", at("title"), contextlens.MaxTitleLen},
		{"summary", at("summary"), contextlens.MaxSummaryLen},
		{"explanation", at("explanation"), contextlens.MaxExplanationLen},
		{"phrase", at("match", "phrases", 0), contextlens.MaxPhraseLen},
		{"term", at("match", "near", "terms", 0), contextlens.MaxPhraseLen},
		{"source title", at("sources", 0, "title"), contextlens.MaxSourceTitleLen},
		{"source publisher", at("sources", 0, "publisher"), contextlens.MaxSourcePublisherLen},
		{"example", at("examples", "en", "match", 0), contextlens.MaxExampleLen},
		{"regex", at("match", "regex"), 0},
	}
	for _, f := range fields {
		for _, v := range []string{"a\x00b", "a\u0085b", "a\u202eb", "a\u200bb", "\ufeffa"} {
			doc := valid()
			f.set(doc, v)
			if schema.Validate(doc) == nil {
				t.Errorf("the schema accepts %s %+q", f.name, v)
			}
		}
		if f.max > 0 {
			doc := valid()
			f.set(doc, strings.Repeat("я", f.max))
			if err := schema.Validate(doc); err != nil {
				t.Errorf("the schema refuses %s of %d characters: %v", f.name, f.max, err)
			}
			f.set(doc, strings.Repeat("я", f.max+1))
			if schema.Validate(doc) == nil {
				t.Errorf("the schema accepts %s of %d characters, Go refuses it", f.name, f.max+1)
			}
		}
	}
	doc := valid()
	at("sources", 0, "url")(doc, "https://example.org/"+strings.Repeat("a", contextlens.MaxSourceURLLen))
	if schema.Validate(doc) == nil {
		t.Error("the schema accepts a source URL longer than the Go limit")
	}
}
