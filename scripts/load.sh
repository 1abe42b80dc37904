#!/usr/bin/env bash
# Load figures for README: wrk against a read endpoint and against plan submission, on a release
# build of `switchyard serve` over a fresh SQLite database holding the example scenario (or
# PostgreSQL: LOAD_DATABASE=postgres://…). Loopback only; each run is bounded in time.
#   scripts/load.sh            10 s per run, 2 threads, 16 connections
#   DURATION=30 CONNECTIONS=64 scripts/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
if ! command -v wrk >/dev/null 2>&1; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
fi
swift build -c release --product switchyard >/dev/null
bin=.build/release/switchyard
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT

start() { # start NAME WORKERS [FLAGS…]: a server on a fresh database; sets url and token
  local db=${LOAD_DATABASE:-sqlite:$dir/$1.sqlite}
  "$bin" serve --database "$db" --import examples/frontier-lab.yaml --port 0 --workers "$2" "${@:3}" >"$dir/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do grep -q "^Serving" "$dir/$1.log" && break; sleep 0.05; done
  url=$(grep -o 'http://[0-9.:]*' "$dir/$1.log" | tail -1)
  token=$(awk '/token:/ {print $2}' "$dir/$1.log")
  if [ -z "$token" ]; then token=$("$bin" token create --role planner --name load --database "$db"); fi
}

report() { # report LABEL WRK-OUTPUT
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$2")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$2")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$2")
  errors=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' <<<"$2" | awk '{print $NF}' || true)
  printf '| %-44s | %10s | %8s | %8s | %6s |\n' "$1" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s, release build, $(nproc) cores, database $(sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#' <<<"${LOAD_DATABASE:-SQLite}")"
printf '| %-44s | %10s | %8s | %8s | %6s |\n' "endpoint" "requests/s" "p50" "p99" "non-2xx"
printf '|%s|%s|%s|%s|%s|\n' "----------------------------------------------" "------------" "----------" "----------" "--------"

start read 1
# The import queues the example's first plan; wait for it (a few seconds), so the reads below
# are not sharing the cores with the solver.
plan=
for _ in $(seq 1 600); do
  plan=$(curl -s -H "Authorization: Bearer $token" "$url/v1/plans" | grep -o '"id":"plan-[0-9a-f]*"' | head -1 | cut -d'"' -f4 || true)
  [ -n "$plan" ] && break
  sleep 0.2
done
[ -n "$plan" ] || { echo "the example's first plan did not appear in 120 s" >&2; cat "$dir/read.log" >&2; exit 1; }
out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$url/v1/offers")
report "GET /v1/offers (a page of 50)" "$out"
out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$url/v1/plans/$plan")
report "GET /v1/plans/{id} (the whole plan, $(curl -s -H "Authorization: Bearer $token" "$url/v1/plans/$plan" | wc -c) bytes)" "$out"

# Plan submission: snapshot the scenario and queue a job, in one transaction. No job runners in
# this server, so the figure is the API's, not the solver's (a plan of the example takes ~0.2 s).
# The queue limits are lifted here (a real server answers 429 past 10 jobs per token): this
# measures the submission path itself.
start submit 0 --max-queued-jobs 1000000000 --max-queued-jobs-per-token 1000000000
cat >"$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"timeLimitSeconds": 10}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA
out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$dir/post.lua" "$url/v1/plans")
report "POST /v1/plans (202, job queued)" "$out"
