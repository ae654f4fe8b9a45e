#!/usr/bin/env bash
# Issue 12, part 5: does verification scale? For N = 1, 10, 50 SampleWorkers: the same N workers started directly at
# once (each its own instance, so none refuses a duplicate) until every one answers pings (its `Registered as` line:
# PROTOCOL.md, registered means answering), next to `launcher run` until its `ready:` line (spawned, and verified:
# exactly N answering). Not `Ready.`: a SampleWorker prints that before its agent host starts, seconds before it can
# answer, so it is no end point the launcher could reach. Both are timed the same way (10 ms polls of their output
# files), in alternating order; medians of ROUNDS. Goal: launcher <= direct x 1.10.
#   bench/ready-scale.sh [ROUNDS] [COUNTS...]     e.g. bench/ready-scale.sh 3 10 50   (needs scripts/build.sh first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-3}; shift || true
if [ $# -gt 0 ]; then counts=("$@"); else counts=(1 10 50); fi
launcher=${LAUNCHER_BIN:-$PWD/artifacts/launcher/launcher}
worker=$PWD/artifacts/launcher/SampleWorker
[ -x "$launcher" ] || { echo "run scripts/build.sh first" >&2; exit 1; }

dir=$(mktemp -d /tmp/bench-scale.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
wait_for() { # wait_for TIMEOUT_S CMD...: polls CMD every 10 ms
  local until=$(( $(now_ms) + $1 * 1000 )); shift
  until "$@"; do [ "$(now_ms)" -lt "$until" ] || return 1; sleep 0.01; done
}

launcher_ready() { # N -> ms from `launcher run` to `ready:`
  local n=$1 out=$dir/run.out start pid ms
  cat > "$dir/launcher.json" <<JSON
{ "instance": "bench-scale", "command": ["$worker", "--tick-seconds", "60"], "workers": $n, "logDir": "$dir/logs", "startTimeoutSeconds": 300, "stopGraceSeconds": 10 }
JSON
  start=$(now_ms)
  LAUNCHER_RUNTIME_DIR=$dir/runtime "$launcher" run --config "$dir/launcher.json" > "$out" 2>&1 & pid=$!; pids+=("$pid")
  # This runs in $(...), a subshell: the EXIT trap's list does not see what it started, so a failure cleans up here.
  wait_for 300 grep -q "ready:" "$out" || { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; echo "no ready line: $(tail -3 "$out")" >&2; exit 1; }
  ms=$(( $(now_ms) - start ))
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo "$ms"
}

all_ready() { [ "$(grep -l "Registered as" "$dir"/direct.*.out 2>/dev/null | wc -l)" -ge "$1" ]; }
direct_ready() { # N -> ms from starting N workers at once to every one answering (registered)
  local n=$1 start ms i started=()
  rm -f "$dir"/direct.*.out
  start=$(now_ms)
  for i in $(seq "$n"); do
    LAUNCHER_RUNTIME_DIR=$dir/direct-runtime LAUNCHER_INSTANCE=direct$i "$worker" --tick-seconds 60 > "$dir/direct.$i.out" 2>&1 &
    started+=($!); pids+=($!)
  done
  wait_for 300 all_ready "$n" || { kill -9 "${started[@]}" 2>/dev/null; echo "direct workers not all answering within 300 s" >&2; exit 1; }
  ms=$(( $(now_ms) - start ))
  kill -TERM "${started[@]}" 2>/dev/null || true; wait "${started[@]}" 2>/dev/null || true
  echo "$ms"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s | %-22s | %-22s | %-7s | %s\n' workers "direct, all answer (ms)" "launcher ready: (ms)" ratio "goal <= 1.10"
for n in "${counts[@]}"; do
  l=(); d=()
  for i in $(seq "$rounds"); do
    if [ $((i % 2)) -eq 1 ]; then d+=("$(direct_ready "$n")"); l+=("$(launcher_ready "$n")")
    else l+=("$(launcher_ready "$n")"); d+=("$(direct_ready "$n")"); fi
  done
  lm=$(printf '%s\n' "${l[@]}" | median); dm=$(printf '%s\n' "${d[@]}" | median)
  awk -v n="$n" -v l="$lm" -v d="$dm" -v ls="${l[*]}" -v ds="${d[*]}" \
    'BEGIN { r = l / d; printf "%-8d | %6d (%-13s) | %6d (%-13s) | %7.2f | %s\n", n, d, ds, l, ls, r, (r <= 1.10 ? "met" : "NOT met") }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
