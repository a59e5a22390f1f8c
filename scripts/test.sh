#!/usr/bin/env bash
# The whole test suite: what `make test` and CI run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh
# Integration tests fail (instead of skipping) when a service is missing.
export CONTEXTLENS_REQUIRE_SERVICES=1

echo "== gofmt / go vet"
unformatted=$(gofmt -l backend)
if [ -n "$unformatted" ]; then echo "not gofmt-formatted:"; echo "$unformatted"; exit 1; fi
go vet ./...

echo "== rules check"
go run ./backend/cmd/contextlens rules check rules

echo "== go test -race"
go test -race -count=1 ./...

# Allocation counts mean nothing under the race detector (sync.Pool drops
# items at random): the tests that count them run once more without it.
echo "== allocation tests (no -race)"
go test -count=1 -run 'Allocat' ./backend/match ./backend/normalize
