// Package rulefile reads and writes the rules base as reviewable files: one
// YAML file per rule under rules/<narrative>/<id>.yaml. Problems are
// reported as "file:line: field: problem" so an editor can jump to them.
package rulefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// Problem is one problem in one rule file.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	field := p.Field
	if field == "" {
		field = "-"
	}
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, field, p.Message)
}

// File is a parsed rule file: the rule, and where each field sits.
type File struct {
	Path string
	Rule contextlens.Rule
	root *yaml.Node
}

// MaxFileSize bounds a rule file; a larger one is refused, not read.
const MaxFileSize = 256 << 10

// Parse decodes one rule file. Unknown fields, duplicate keys and type
// mismatches are problems; structural validation is left to Validate.
func Parse(path string, data []byte) (*File, []Problem) {
	if len(data) > MaxFileSize {
		return nil, []Problem{{File: path, Line: 1, Message: fmt.Sprintf("file is larger than %d bytes", MaxFileSize)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, []Problem{yamlProblem(path, err)}
	}
	if len(root.Content) == 0 {
		return nil, []Problem{{File: path, Line: 1, Message: "file is empty"}}
	}
	f := &File{Path: path, root: root.Content[0]}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f.Rule); err != nil && !errors.Is(err, io.EOF) {
		return nil, []Problem{yamlProblem(path, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, []Problem{{File: path, Line: extra.Line, Message: "one rule per file: found a second YAML document"}}
	}
	return f, nil
}

// yamlProblem turns a YAML error ("yaml: line 4: ...") into a Problem.
func yamlProblem(path string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ":"); ok {
			if v, err := strconv.Atoi(n); err == nil {
				line, msg = v, strings.TrimSpace(tail)
			}
		}
	}
	return Problem{File: path, Line: line, Message: strings.ReplaceAll(msg, "\n", "; ")}
}

// Line returns the line of a field path such as "match.phrases[2]" or
// "examples.ru.match", or of its closest existing parent.
func (f *File) Line(field string) int {
	n := f.root
	line := n.Line
	for _, part := range splitPath(field) {
		next := child(n, part)
		if next == nil {
			break
		}
		n, line = next, next.Line
	}
	return line
}

func splitPath(field string) []string {
	var parts []string
	for _, p := range strings.Split(field, ".") {
		name, idx, ok := strings.Cut(p, "[")
		parts = append(parts, name)
		if ok {
			parts = append(parts, strings.TrimSuffix(idx, "]"))
		}
	}
	return parts
}

func child(n *yaml.Node, key string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

// Validate checks the rule's structure and that it sits where it belongs
// (<narrative>/<id>.yaml).
func (f *File) Validate() []Problem {
	var out []Problem
	for _, e := range f.Rule.Validate() {
		out = append(out, Problem{File: f.Path, Line: f.Line(e.Field), Field: e.Field, Message: e.Message})
	}
	base := strings.TrimSuffix(filepath.Base(f.Path), filepath.Ext(f.Path))
	if f.Rule.ID != "" && base != f.Rule.ID {
		out = append(out, Problem{File: f.Path, Line: f.Line("id"), Field: "id", Message: fmt.Sprintf("file name must be %s.yaml", f.Rule.ID)})
	}
	if dir := filepath.Base(filepath.Dir(f.Path)); f.Rule.Narrative != "" && dir != f.Rule.Narrative {
		out = append(out, Problem{File: f.Path, Line: f.Line("narrative"), Field: "narrative", Message: fmt.Sprintf("file must be in a folder named %s", f.Rule.Narrative)})
	}
	return out
}

// LoadDir reads every rule file (*.yaml, *.yml) below dir, skipping
// testdata. It returns the files that parsed and every problem found,
// including duplicate ids.
func LoadDir(dir string) ([]*File, []Problem, error) {
	var files []*File
	var problems []Problem
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || (strings.HasPrefix(d.Name(), ".") && path != dir) {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > MaxFileSize {
			problems = append(problems, Problem{File: path, Line: 1, Message: fmt.Sprintf("file is larger than %d bytes", MaxFileSize)})
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, ps := Parse(path, data)
		problems = append(problems, ps...)
		if f != nil {
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading rules from %s: %w", dir, err)
	}
	slices.SortFunc(files, func(a, b *File) int { return strings.Compare(a.Path, b.Path) })
	seen := map[string]string{}
	for _, f := range files {
		if prev, ok := seen[f.Rule.ID]; ok && f.Rule.ID != "" {
			problems = append(problems, Problem{File: f.Path, Line: f.Line("id"), Field: "id", Message: "duplicate id, also in " + prev})
		}
		seen[f.Rule.ID] = f.Path
	}
	return files, problems, nil
}

// Rules returns the rules of files.
func Rules(files []*File) []contextlens.Rule {
	out := make([]contextlens.Rule, len(files))
	for i, f := range files {
		out[i] = f.Rule
	}
	return out
}

// SchemaComment is the first line of every written rule file; it points
// editors' YAML language servers at the JSON Schema.
const SchemaComment = "# yaml-language-server: $schema=../schema.json\n"

// Marshal renders a rule as a rule file.
func Marshal(r contextlens.Rule) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(SchemaComment)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("encoding rule %s: %w", r.ID, err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteDir writes each rule to dir/<narrative>/<id>.yaml, each file
// atomically (temporary file, then rename), so a reader never sees half a file.
func WriteDir(dir string, rules []contextlens.Rule) error {
	for _, r := range rules {
		if !slugPattern(r.ID) || !slugPattern(r.Narrative) {
			return fmt.Errorf("rule %q: id and narrative must be slugs to be written as files", r.ID)
		}
		data, err := Marshal(r)
		if err != nil {
			return err
		}
		sub := filepath.Join(dir, r.Narrative)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(sub, ".tmp-*")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(data)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Rename(tmp.Name(), filepath.Join(sub, r.ID+".yaml")); err != nil {
			os.Remove(tmp.Name())
			return err
		}
	}
	return nil
}

// slugPattern guards file names: a slug cannot climb out of dir.
func slugPattern(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
