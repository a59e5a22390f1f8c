// Command contextlens is the one binary of Context Lens: the API server and
// the editors' tools.
//
//	contextlens serve                      run the API
//	contextlens annotate [FILE|-]          annotate a text, print JSON
//	contextlens rules check [DIR]          validate rule files, run their examples
//	contextlens rules export DIR           write the store's rules as rule files
//	contextlens eval CORPUS.jsonl          score the rules on a labelled corpus
//	contextlens token --sub S --role R     mint an admin token
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ex exitError
		if !errors.As(err, &ex) {
			fmt.Fprintln(os.Stderr, "contextlens:", err)
			os.Exit(1)
		}
		os.Exit(ex.code)
	}
}

// exitError ends the program with a status and no further message
// (the command has already said what went wrong).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// env gives commands their inputs, so tests can run them in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

const usage = `usage: contextlens <command> [flags]

commands:
  serve                    run the API (settings: flags or CONTEXTLENS_* variables)
  annotate [FILE|-]        print the annotations of a text as JSON
  rules check [DIR]        validate rule files and run their examples
  rules export DIR         write the store's rules as rule files
  eval CORPUS.jsonl        score the rules on a labelled corpus
  token --sub S --role R   mint an admin token (viewer, editor, publisher, admin)

Run 'contextlens <command> -h' for a command's flags.
`

// run is the whole program; main only wires the process to it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError{2}
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, e, args[1:])
	case "annotate":
		return cmdAnnotate(e, args[1:])
	case "rules":
		return cmdRules(e, args[1:])
	case "eval":
		return cmdEval(e, args[1:])
	case "token":
		return cmdToken(e, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "contextlens: unknown command %q\n\n%s", args[0], usage)
		return exitError{2}
	}
}
