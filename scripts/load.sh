#!/usr/bin/env bash
# `make load`: a bounded loopback load test of the page and the JSON API (issue 16).
#
# Starts `loan401k serve --workers 2` on a free 127.0.0.1 port with a throwaway SQLite
# database, warms it up, then runs wrk (scripts/load.lua, LOAD_CONNECTIONS = 32 connections)
#   GET /                   for LOAD_DURATION (60 s): the starter page, then
#                           LOAD_SHORT (30 s) with a different loan in every request,
#   POST /api/v1/analysis   60 s of the same body, then 30 s with a different amount each,
#   POST /api/v1/montecarlo 60 s of default-size simulations, each with its own seed,
#   POST /api/v1/limit and POST /api/v1/scenarios for LOAD_SHORT each,
# prints wrk's report (req/s, latency percentiles, errors) and one summary table, and stops
# the server. Only loopback traffic; every run is bounded in time. The same input twice is
# answered from memory (loan401k.cache): the "_new" cases and the seeded simulations show
# what a computation costs when it is not.
#
# The server is uvicorn[standard]: `loan401k serve` leaves loop/http on "auto", which is
# uvloop + httptools whenever they are importable; this script refuses to run otherwise, so
# runs compare. The scenario run lifts the save limits (LOAN401K_SAVES_PER_MINUTE and
# LOAN401K_SAVES_PER_MINUTE_TOTAL) because every wrk connection comes from 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
DURATION=${LOAD_DURATION:-60s}
SHORT=${LOAD_SHORT:-30s}
CONNECTIONS=${LOAD_CONNECTIONS:-32}
THREADS=${LOAD_THREADS:-2}
WORKERS=${LOAD_WORKERS:-2}
WARMUP=${LOAD_WARMUP:-5s}

command -v wrk >/dev/null || { echo "load.sh: wrk not found (make load installs it from Debian)" >&2; exit 1; }
"$BIN/python" -c "import uvloop, httptools" 2>/dev/null || {
  echo "load.sh: uvloop/httptools missing: install uvicorn[standard] (make install)" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/loan401k-load.XXXXXX")
PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
SERVER_PID=""

stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap stop_server EXIT INT TERM

echo "== loan401k serve --workers $WORKERS on $URL (SQLite in $TMP)"
LOAN401K_DATABASE_URL="sqlite:///$TMP/load.db" LOAN401K_SAVES_PER_MINUTE=100000000 \
  LOAN401K_SAVES_PER_MINUTE_TOTAL=100000000 \
  "$BIN/loan401k" serve --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

"$BIN/python" - "$URL" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=2) as response:
            if response.status == 200:
                break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("load.sh: the server did not answer /healthz within 60 s")
    time.sleep(0.2)
PY

run() {  # case path duration
  local case=$1 path=$2 duration=$3
  echo
  echo "== wrk -t$THREADS -c$CONNECTIONS -d$duration --latency $path ($case)"
  LOAD_CASE=$case wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 10s --latency \
    -s scripts/load.lua "$URL$path" | tee -a "$TMP/wrk.out"
}

# Warm-up (not reported): imports, parameter caches, the SQLite file.
for spec in page:/ analysis:/api/v1/analysis montecarlo:/api/v1/montecarlo limit:/api/v1/limit \
    scenario:/api/v1/scenarios; do
  LOAD_CASE=${spec%%:*} wrk -t1 -c4 -d"$WARMUP" -s scripts/load.lua "$URL${spec#*:}" >/dev/null
done

run page / "$DURATION"
run page_new / "$SHORT"
run analysis /api/v1/analysis "$DURATION"
run analysis_new /api/v1/analysis "$SHORT"
run montecarlo /api/v1/montecarlo "$DURATION"
run limit /api/v1/limit "$SHORT"
run scenario /api/v1/scenarios "$SHORT"

echo
echo "== summary ($(nproc) cores; $WORKERS workers; wrk $THREADS threads, $CONNECTIONS connections)"
printf '%-12s %9s %8s %8s %8s %8s %8s %7s\n' case requests req/s p50_ms p90_ms p99_ms max_ms errors
grep '^LOAD ' "$TMP/wrk.out" | while read -r line; do
  declare -A f=()
  for pair in ${line#LOAD }; do f[${pair%%=*}]=${pair#*=}; done
  errors=$(( f[non_2xx] + f[connect_errors] + f[read_errors] + f[write_errors] + f[timeouts] ))
  printf '%-12s %9s %8s %8s %8s %8s %8s %7s\n' "${f[case]}" "${f[requests]}" "${f[req_s]}" \
    "${f[p50_ms]}" "${f[p90_ms]}" "${f[p99_ms]}" "${f[max_ms]}" "$errors"
done
saved=$("$BIN/python" -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from scenarios').fetchone()[0])" "$TMP/load.db")
echo "scenarios saved in the database: $saved"
if grep -q -E 'Traceback|ERROR' "$TMP/server.log"; then
  echo "load.sh: the server logged errors:" >&2
  grep -E -A3 'Traceback|ERROR' "$TMP/server.log" | head -40 >&2
  exit 1
fi
