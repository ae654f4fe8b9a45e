#!/usr/bin/env bash
# /metrics scrape latency while the launcher supervises N workers (default 10), and the launcher's RSS with the
# metrics listener on and off. Loopback only; bounded (SCRAPES requests, one at a time, each with a 5 s limit).
#   bench/scrape-latency.sh [SCRAPES] [WORKERS]      (needs scripts/build.sh first; curl)
# Prints the median and p99 of curl's time_total over SCRAPES scrapes, the /status.json and / medians over 100
# each, and VmRSS/VmHWM of the launcher (not its workers) after ready + the scrapes, then for a run without
# metrics.listen after the same wait.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scrapes=${1:-1000}
workers=${2:-10}
launcher=${LAUNCHER_BIN:-$PWD/artifacts/launcher/launcher}
worker=$PWD/artifacts/launcher/SampleWorker
[ -x "$launcher" ] || { echo "run scripts/build.sh first" >&2; exit 1; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 1; }

dir=$(mktemp -d /tmp/bench-scrape.XXXXXX)
launcher_pid=
cleanup() {
  if [ -n "$launcher_pid" ]; then kill -TERM "$launcher_pid" 2>/dev/null || true; wait "$launcher_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
export LAUNCHER_RUNTIME_DIR=$dir/runtime

# start NAME EXTRA_JSON: runs the launcher in the background, waits for ready: (60 s at most).
start() {
  cat > "$dir/$1.json" <<JSON
{ "instance": "bench-$1", "command": ["$worker", "--tick-seconds", "60"], "workers": $workers, "logDir": "logs-$1", "stopGraceSeconds": 5, "startTimeoutSeconds": 120 $2 }
JSON
  "$launcher" run --config "$dir/$1.json" >"$dir/$1.out" 2>"$dir/$1.err" &
  launcher_pid=$!
  for _ in $(seq 1200); do
    grep -q "ready:" "$dir/$1.out" && return 0
    kill -0 "$launcher_pid" 2>/dev/null || { cat "$dir/$1.err" >&2; exit 1; }
    sleep 0.1
  done
  echo "no ready: line within 120 s" >&2; exit 1
}
stop() { kill -TERM "$launcher_pid"; wait "$launcher_pid" || true; launcher_pid=; }
rss() { awk '/^VmRSS|^VmHWM/ { printf "%s %.1f MiB  ", $1, $2 / 1024 }' "/proc/$launcher_pid/status"; }
percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; printf "%.2f", a[i] * 1000 }'; }
timed() { for _ in $(seq "$2"); do curl -s -o /dev/null -m 5 -w '%{time_total}\n' "$1"; done; }

start on ', "metrics": { "listen": "127.0.0.1:0" }'
base=$(grep -o 'Metrics at http://[^ ]*/metrics' "$dir/on.err" | head -1 | sed 's/^Metrics at //; s#/metrics$##')
sleep 3   # let housekeeping publish a few rounds
echo "workers supervised: $workers; listener: $base"
echo "after ready (listener on):  $(rss)"
timed "$base/metrics" "$scrapes" > "$dir/metrics.times"
echo "/metrics over $scrapes scrapes: median $(percentile 50 < "$dir/metrics.times") ms, p99 $(percentile 99 < "$dir/metrics.times") ms, max $(percentile 100 < "$dir/metrics.times") ms"
timed "$base/status.json" 100 > "$dir/status.times"
echo "/status.json over 100: median $(percentile 50 < "$dir/status.times") ms, p99 $(percentile 99 < "$dir/status.times") ms"
timed "$base/" 100 > "$dir/page.times"
echo "/ (the page) over 100: median $(percentile 50 < "$dir/page.times") ms"
echo "after the scrapes (listener on): $(rss)"
stop

start off ''
sleep 3
echo "after ready (listener off): $(rss)"
stop
