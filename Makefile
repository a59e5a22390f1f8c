# Context Lens: the two commands of the README, plus helpers.
.PHONY: run test bench eval fuzz

# Start the API on its embedded defaults (127.0.0.1:8080, rules/).
run:
	go run ./backend/cmd/contextlens serve

# The whole test suite (starts Redis/PostgreSQL if they are not running).
test:
	bash scripts/test.sh

# Engine benchmarks (see README: Performance).
bench:
	go test -run XXX -bench . -benchmem ./backend/match ./backend/normalize

# Score the rules on the development set and on the probe corpora (tune and holdout, twice).
eval:
	go build -o /tmp/contextlens-eval ./backend/cmd/contextlens
	/tmp/contextlens-eval eval ../shared/eval/dev.jsonl
	/tmp/contextlens-eval eval rules/testdata/probes/tune.jsonl
	/tmp/contextlens-eval eval rules/testdata/probes/holdout.jsonl
	/tmp/contextlens-eval eval rules/testdata/probes/tune2.jsonl
	/tmp/contextlens-eval eval rules/testdata/probes/tune3.jsonl
	/tmp/contextlens-eval eval rules/testdata/probes/tune4.jsonl
	/tmp/contextlens-eval eval rules/testdata/probes/holdout3.jsonl

# A short fuzzing session of every fuzz target.
fuzz:
	go test -run XXX -fuzz FuzzAnnotate -fuzztime 30s ./backend/match
	go test -run XXX -fuzz FuzzParsePhrase -fuzztime 15s ./backend/match
	go test -run XXX -fuzz FuzzExpandPhrase -fuzztime 15s ./backend/match
	go test -run XXX -fuzz FuzzNormalize -fuzztime 30s ./backend/normalize
	go test -run XXX -fuzz FuzzParse -fuzztime 15s ./backend/rulefile
