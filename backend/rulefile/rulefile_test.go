package rulefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contextlens/contextlens/backend/contextlens"
)

const goodRule = `# yaml-language-server: $schema=../schema.json
id: crisis-en
narrative: war-as-crisis
title: War called a crisis
summary: Calls the war a crisis.
explanation: Longer text.
category: euphemism
severity: caution
status: live
languages: [en]
valid_from: 2022-02-24
match:
  phrases: ["ukraine crisis"]
  unless: {terms: [humanitarian], window: 2}
sources:
  - {title: UN, url: "https://www.un.org/", publisher: UN}
examples:
  en:
    match: ["The Ukraine crisis."]
    no_match: ["The humanitarian crisis."]
`

func TestParseGood(t *testing.T) {
	f, problems := Parse("war-as-crisis/crisis-en.yaml", []byte(goodRule))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if p := f.Validate(); len(p) > 0 {
		t.Fatal(p)
	}
	if f.Rule.ValidFrom == nil || f.Rule.ValidFrom.String() != "2022-02-24" || f.Rule.Match.Unless.Window != 2 {
		t.Errorf("parsed %+v", f.Rule)
	}
	if got := f.Line("match.unless.window"); got != 14 {
		t.Errorf("line of match.unless.window = %d, want 14", got)
	}
	if got := f.Line("examples.en.no_match"); got != 20 {
		t.Errorf("line of examples.en.no_match = %d, want 20", got)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown field", goodRule + "colour: red\n", "colour"},
		{"duplicate key", goodRule + "title: again\n", "already defined"},
		{"wrong type", strings.Replace(goodRule, "window: 2", "window: two", 1), "cannot unmarshal"},
		{"bad date", strings.Replace(goodRule, "2022-02-24", "24.02.2022", 1), "YYYY-MM-DD"},
		{"two documents", goodRule + "---\nid: x\n", "one rule per file"},
		{"not yaml", "id: [unclosed\n", "did not find expected"},
		{"empty", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := Parse("r.yaml", []byte(tt.src))
			if len(problems) == 0 || !strings.Contains(problems[0].String(), tt.want) {
				t.Fatalf("problems %v, want one containing %q", problems, tt.want)
			}
			if problems[0].Line < 1 || !strings.HasPrefix(problems[0].String(), "r.yaml:") {
				t.Errorf("problem %q lacks file:line", problems[0])
			}
		})
	}
}

func TestValidateWhereItBelongs(t *testing.T) {
	f, _ := Parse("other/crisis-xx.yaml", []byte(goodRule))
	var got []string
	for _, p := range f.Validate() {
		got = append(got, p.String())
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{"other/crisis-xx.yaml:2: id: file name must be crisis-en.yaml", "other/crisis-xx.yaml:3: narrative: file must be in a folder named war-as-crisis"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %q:\n%s", want, joined)
		}
	}
}

func TestLoadDirAndWriteDirRoundTrip(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "war-as-crisis"), 0o755)
	os.WriteFile(filepath.Join(src, "war-as-crisis", "crisis-en.yaml"), []byte(goodRule), 0o644)
	os.WriteFile(filepath.Join(src, "schema.json"), []byte("{}"), 0o644) // not a rule
	os.MkdirAll(filepath.Join(src, "testdata"), 0o755)
	os.WriteFile(filepath.Join(src, "testdata", "x.yaml"), []byte("junk: ["), 0o644) // skipped
	files, problems, err := LoadDir(src)
	if err != nil || len(problems) > 0 || len(files) != 1 {
		t.Fatalf("LoadDir: %d files, %v, %v", len(files), problems, err)
	}
	out := t.TempDir()
	if err := WriteDir(out, Rules(files)); err != nil {
		t.Fatal(err)
	}
	again, problems, err := LoadDir(out)
	if err != nil || len(problems) > 0 || len(again) != 1 {
		t.Fatalf("reload: %v %v", problems, err)
	}
	if p := again[0].Validate(); len(p) > 0 {
		t.Fatalf("written file invalid: %v", p)
	}
	a, b := files[0].Rule, again[0].Rule
	if a.ID != b.ID || a.Summary != b.Summary || *a.ValidFrom != *b.ValidFrom || a.Match.Unless.Terms[0] != b.Match.Unless.Terms[0] || a.Examples["en"].NoMatch[0] != b.Examples["en"].NoMatch[0] {
		t.Errorf("round trip changed the rule:\n%+v\n%+v", a, b)
	}
	if err := WriteDir(out, []contextlens.Rule{{ID: "../escape", Narrative: "x"}}); err == nil {
		t.Error("WriteDir must refuse ids that are not slugs")
	}
}

func TestDuplicateIDs(t *testing.T) {
	src := t.TempDir()
	for _, dir := range []string{"a", "b"} {
		os.MkdirAll(filepath.Join(src, dir), 0o755)
		os.WriteFile(filepath.Join(src, dir, "crisis-en.yaml"), []byte(goodRule), 0o644)
	}
	_, problems, _ := LoadDir(src)
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "duplicate id") {
		t.Errorf("problems %v", problems)
	}
}

// FuzzParse: no input crashes the parser, and whatever parses can be
// validated and located without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodRule))
	f.Add([]byte("id: x\nmatch: {phrases: [a]}\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Add([]byte("examples: {en: {match: [1, 2]}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, problems := Parse("f/x.yaml", data)
		if file == nil {
			if len(problems) == 0 {
				t.Fatal("no file and no problem")
			}
			return
		}
		for _, p := range file.Validate() {
			if p.Line < 0 {
				t.Fatalf("negative line: %v", p)
			}
		}
		if _, err := Marshal(file.Rule); err != nil {
			t.Fatalf("a parsed rule cannot be written back: %v", err)
		}
	})
}
