#!/usr/bin/env bash
# Plan jobs per minute with one and with two `switchyard worker` processes on one PostgreSQL:
# an API-only server (`serve --workers 0`) queues JOBS plan jobs of a generated scenario, then the
# workers drain the queue; the time from the first worker's start to the last job's end is measured.
#
#   scripts/bench-workers.sh [POSTGRES_ADMIN_URL] [JOBS]
#
# POSTGRES_ADMIN_URL names a server where this script may create and drop the database
# `switchyard_bench_workers` (default: the test server of scripts/test-postgres.sh). Uses the
# release binary (make bench builds it).
set -euo pipefail
admin=${1:-postgres://postgres:switchyard@127.0.0.1:5432/postgres}
jobs=${2:-8}
bin=.build/release/switchyard
[ -x "$bin" ] || { echo "build the release binary first: SWITCHYARD_BENCHMARKS=1 swift build -c release --product switchyard" >&2; exit 2; }
db_url=${admin%/*}/switchyard_bench_workers
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
$bin generate --seed 3 --providers 5 --offers 20 --workloads 10 --months 12 --no-resilience --out "$work/s.yaml"

run() {
  local workers=$1
  psql "$admin" -qc "DROP DATABASE IF EXISTS switchyard_bench_workers WITH (FORCE)" -c "CREATE DATABASE switchyard_bench_workers" >/dev/null
  $bin serve --database "$db_url" --workers 0 --port 0 --import "$work/s.yaml" --plan-time-limit 10 >"$work/api.log" 2>&1 &
  local api=$!
  local base=""
  for _ in $(seq 1 100); do
    base=$(grep -o 'on http://[0-9.:]*' "$work/api.log" | head -1 | cut -c4- || true)
    [ -n "$base" ] && break
    sleep 0.1
  done
  local token
  token=$(grep -o 'token: sy_[0-9a-f]*' "$work/api.log" | cut -c8-)
  for _ in $(seq 2 "$jobs"); do
    curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d '{"timeLimitSeconds": 10, "relativeGap": 0.05}' "$base/v1/plans"
  done
  local started pids=()
  started=$(date +%s.%N)
  for _ in $(seq 1 "$workers"); do
    $bin worker --database "$db_url" >>"$work/workers.log" 2>&1 &
    pids+=($!)
  done
  while :; do
    local left
    left=$(psql "$db_url" -tAc "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')")
    [ "$left" = 0 ] && break
    sleep 0.2
  done
  local ended
  ended=$(date +%s.%N)
  kill -TERM "${pids[@]}" "$api"
  wait "${pids[@]}" "$api" 2>/dev/null || true
  local done_jobs
  done_jobs=$(psql "$admin" -d switchyard_bench_workers -tAc "SELECT COUNT(*) FROM jobs WHERE state = 'succeeded'" 2>/dev/null \
    || psql "$db_url" -tAc "SELECT COUNT(*) FROM jobs WHERE state = 'succeeded'")
  python3 -c "s=$ended-$started; print(f'{$workers} worker(s): {$done_jobs} of {$jobs} jobs in {s:.1f} s = {$done_jobs*60/s:.1f} jobs per minute')"
}

run 1
run 2
psql "$admin" -qc "DROP DATABASE IF EXISTS switchyard_bench_workers WITH (FORCE)" >/dev/null
