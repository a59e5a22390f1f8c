package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/contextlens/contextlens/backend/match"
)

func cmdAnnotate(e env, args []string) error {
	fs := flag.NewFlagSet("annotate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	lang := fs.String("lang", "", "language of the text: en, ru or uk (default: detect)")
	rulesDir := fs.String("rules", defaultRulesDir(e.getenv), "rules directory")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: contextlens annotate [--lang L] [--rules DIR] [FILE|-]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitError{2}
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return exitError{2}
	}
	if *lang != "" && !validLang(*lang) {
		return fmt.Errorf("--lang must be en, ru or uk")
	}
	var in io.Reader = e.stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	data, err := io.ReadAll(io.LimitReader(in, maxCLIText+1))
	if err != nil {
		return err
	}
	if len(data) > maxCLIText {
		return fmt.Errorf("text is larger than %d bytes", maxCLIText)
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("text is not valid UTF-8")
	}
	m, err := loadMatcher(*rulesDir)
	if err != nil {
		return err
	}
	res, _ := m.Annotate(string(data), match.Options{Lang: *lang})
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}

// maxCLIText bounds what the CLI reads; far above any article.
const maxCLIText = 16 << 20
