package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
	"github.com/contextlens/contextlens/backend/rulefile"
	"github.com/contextlens/contextlens/backend/sqlstore"
)

func cmdRules(e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "usage: contextlens rules check [DIR] | contextlens rules export DIR")
		return exitError{2}
	}
	switch args[0] {
	case "check":
		return cmdRulesCheck(e, args[1:])
	case "export":
		return cmdRulesExport(e, args[1:])
	default:
		fmt.Fprintf(e.stderr, "contextlens rules: unknown subcommand %q\n", args[0])
		return exitError{2}
	}
}

func cmdRulesCheck(e env, args []string) error {
	fs := flag.NewFlagSet("rules check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return exitError{2}
	}
	dir := defaultRulesDir(e.getenv)
	if fs.NArg() > 0 {
		dir = fs.Arg(0)
	}
	files, problems, err := rulefile.LoadDir(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		problems = append(problems, f.Validate()...)
	}
	failed := len(problems)
	for _, p := range problems {
		fmt.Fprintln(e.stdout, p)
	}
	// Compile each rule alone, so a problem is reported against its own
	// file and line, then run its examples.
	examples := 0
	for _, f := range files {
		m, err := match.Compile([]contextlens.Rule{f.Rule}, match.CompileOptions{AllStatuses: true})
		var ce *match.CompileError
		if errors.As(err, &ce) {
			for _, p := range ce.Problems {
				fmt.Fprintln(e.stdout, rulefile.Problem{File: f.Path, Line: f.Line(p.Field), Field: p.Field, Message: p.Message})
				failed++
			}
			continue
		} else if err != nil {
			return err
		}
		for _, ex := range f.Rule.Examples {
			examples += len(ex.Match) + len(ex.NoMatch)
		}
		for _, fail := range match.CheckExamples(m, f.Rule) {
			field := fmt.Sprintf("examples.%s.%s[%d]", fail.Lang, fail.Kind, fail.Index)
			fmt.Fprintln(e.stdout, rulefile.Problem{File: f.Path, Line: f.Line(field), Field: field, Message: fmt.Sprintf("%s: %q", fail.Problem, fail.Sentence)})
			failed++
		}
	}
	fmt.Fprintf(e.stdout, "%d rule files, %d examples, %d problems\n", len(files), examples, failed)
	if failed > 0 {
		return exitError{1}
	}
	return nil
}

// loadMatcher loads, validates and compiles the rules in dir (shadow and
// live rules, as the server would serve them).
func loadMatcher(dir string) (*match.Matcher, error) {
	rules, err := loadRuleFiles(dir)
	if err != nil {
		return nil, err
	}
	return match.Compile(rules, match.CompileOptions{})
}

// defaultRulesDir is CONTEXTLENS_RULES_DIR, or ./rules.
func defaultRulesDir(getenv func(string) string) string {
	if d := getenv("CONTEXTLENS_RULES_DIR"); d != "" {
		return d
	}
	return filepath.Join(".", "rules")
}

func validLang(l string) bool { return l == "en" || l == "ru" || l == "uk" }

// cmdRulesExport writes the store's rules as rule files.
func cmdRulesExport(e env, args []string) error {
	cfg, fs, err := loadConfig(e, "rules export", args, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: contextlens rules export DIR")
		return exitError{2}
	}
	ctx, cancel := contextWithTimeout(30 * time.Second)
	defer cancel()
	store, err := sqlstore.Open(ctx, cfg.databaseDSN())
	if err != nil {
		return err
	}
	defer store.Close()
	stored, err := store.ListRules(ctx, contextlens.RuleFilter{})
	if err != nil {
		return err
	}
	rules := make([]contextlens.Rule, len(stored))
	for i, sr := range stored {
		rules[i] = sr.Rule
	}
	if err := rulefile.WriteDir(fs.Arg(0), rules); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d rules written to %s\n", len(rules), fs.Arg(0))
	return nil
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
