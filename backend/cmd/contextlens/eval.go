package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/contextlens/contextlens/backend/eval"
)

func cmdEval(e env, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	rulesDir := fs.String("rules", defaultRulesDir(e.getenv), "rules directory")
	verbose := fs.Bool("verbose", false, "list every miss and false hit")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: contextlens eval [--rules DIR] [--verbose] CORPUS.jsonl")
		fs.PrintDefaults()
	}
	// Accept flags after the corpus too ("eval dev.jsonl --verbose").
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return exitError{2}
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) != 1 {
		fs.Usage()
		return exitError{2}
	}
	f, err := os.Open(positional[0])
	if err != nil {
		return err
	}
	defer f.Close()
	lines, err := eval.ReadCorpus(f)
	if err != nil {
		return fmt.Errorf("%s: %w", positional[0], err)
	}
	m, err := loadMatcher(*rulesDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rules %s (%d rules), corpus %s (%d lines)\n", m.Version(), m.Stats().Rules, positional[0], len(lines))
	eval.Score(m, lines).Write(e.stdout, *verbose)
	return nil
}
