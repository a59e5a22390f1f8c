#!/usr/bin/env bash
# HTTP throughput of POST /v1/annotate against GET /healthz in the same run
# (issue 6): one server on loopback with the real rules base, no Redis (so
# nothing is cached), driven by wrk. Prints requests/s and the ratio.
#
#   bash scripts/bench-http.sh [ARTICLE.txt ...]   (default: the fixture articles)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; }
command -v jq >/dev/null || apt-get install -y -qq jq >/dev/null

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/contextlens" ./backend/cmd/contextlens
port=$((20000 + RANDOM % 20000))
CONTEXTLENS_DATA_DIR="$work/data" CONTEXTLENS_RATE_LIMIT=0 CONTEXTLENS_LOG_LEVEL=error \
  "$work/contextlens" serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

run() { # run NAME SCRIPT: prints "NAME requests/s p99"
  wrk -t1 -c16 -d"${DURATION:-10s}" --latency -s "$2" "http://127.0.0.1:$port$3" >"$work/out" 2>&1
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/out")
  p99=$(awk '$1=="99%" {print $2}' "$work/out")
  printf '%-40s %10s req/s   p99 %s\n' "$1" "$rps" "$p99"
  echo "$rps" >"$work/rps"
}

echo 'wrk.method = "GET"' >"$work/get.lua"
run "GET /healthz" "$work/get.lua" /healthz
base=$(cat "$work/rps")
articles=("$@")
[ ${#articles[@]} -gt 0 ] || articles=(rules/testdata/articles/*.txt)
for a in "${articles[@]}"; do
  jq -Rs '{text: .}' "$a" >"$work/body.json"
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/body.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
  size=$(curl -s -o "$work/resp.json" -w '%{size_download}' -H 'Content-Type: application/json' --data-binary @"$work/body.json" "http://127.0.0.1:$port/v1/annotate")
  run "POST /v1/annotate $(basename "$a") ($(wc -c <"$a") B, response $size B)" "$work/post.lua" /v1/annotate
  awk -v a="$(cat "$work/rps")" -v b="$base" 'BEGIN {printf "  ratio to /healthz: %.2f\n", a / b}'
done
