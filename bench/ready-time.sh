#!/usr/bin/env bash
# Time from `launcher run` to its `ready:` line, next to the sample worker's own time from exec to its
# `Ready.` line when started directly (the baseline, measured in the same run). Median of N rounds each.
#   bench/ready-time.sh [ROUNDS]      (needs scripts/build.sh first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-10}
launcher=${LAUNCHER_BIN:-$PWD/artifacts/launcher/launcher}   # LAUNCHER_BIN=/path/to/native/launcher compares an AOT build
worker=$PWD/artifacts/launcher/SampleWorker
[ -x "$launcher" ] || { echo "run scripts/build.sh first" >&2; exit 1; }

dir=$(mktemp -d /tmp/bench-ready.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
export LAUNCHER_RUNTIME_DIR=$dir/runtime
cat > "$dir/launcher.json" <<JSON
{ "instance": "bench-ready", "command": ["$worker", "--tick-seconds", "60"], "workers": 1, "logDir": "logs", "stopGraceSeconds": 5 }
JSON

now_ms() { date +%s%3N; }
# time_until_line CMD... : runs CMD, prints ms until a stdout line matches $pattern, then stops it with SIGTERM.
time_until_line() {
  local start line pid
  start=$(now_ms)
  coproc RUNNER { exec "$@" 2>&1; }
  pid=$RUNNER_PID; pids+=("$pid")
  while IFS= read -r -t 60 line <&"${RUNNER[0]}"; do
    if [[ $line == *"$pattern"* ]]; then echo $(( $(now_ms) - start )); break; fi
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

launcher_ms=(); worker_ms=()
for _ in $(seq "$rounds"); do
  pattern="ready:" launcher_ms+=("$(pattern="ready:" time_until_line "$launcher" run --config "$dir/launcher.json")")
  worker_ms+=("$(pattern="Ready." time_until_line "$worker" --tick-seconds 60)")
done
l=$(printf '%s\n' "${launcher_ms[@]}" | median)
w=$(printf '%s\n' "${worker_ms[@]}" | median)
echo "launcher run -> ready: median ${l} ms over $rounds rounds (${launcher_ms[*]})"
echo "SampleWorker alone -> Ready.: median ${w} ms over $rounds rounds (${worker_ms[*]})"
awk -v l="$l" -v w="$w" 'BEGIN { printf "ratio launcher/worker: %.2f (overhead %d ms: guard, stray sweep, exec shim, verification)\n", l / w, l - w }'
