#!/usr/bin/env bash
# Issue 12 (part 4) and issue 4 closing numbers, measured with the built artifacts (run scripts/build.sh first):
#   0. the restart fast path: 10 `sleep` workers, restart.initialDelaySeconds 0, one worker SIGKILLed at a time
#      (FAST_ROUNDS times, default 30, the oldest worker each time: with resetAfterSeconds 1 every kill is a first
#      restart, which has no backoff): kill(2) -> replacement forked (with LAUNCHER_EXEC_SHIM=1 its exec shim runs) -> replacement running
#      (`sleep` exec'd), median and p90, with the launcher's own steps from its Debug event 1100 (bench/restart_probe.py
#      fastpath). QUICK=1 runs only this part. LAUNCHER_EXEC_SHIM=1 starts workers through the exec shim;
#      LAUNCHER_COMPANION=0 then runs the shim in the launcher binary itself.
#   1. a worker killed with SIGKILL (ROUNDS times, default 20): how long until the launcher notices
#      (its "Worker ... ended" line in logs/launcher.log, ms precision), until the replacement is started,
#      and until the replacement answers the protocol ping; medians. Baselines in the same run: a plain
#      `sleep` child, and a bare SampleWorker, killed with SIGKILL and noticed by bash's `wait`, for the ratios.
#   2. the launcher itself killed with SIGKILL (KILL_ROUNDS times, default 10): how many of its workers and
#      their grandchildren (one in the tree, one escaped with setsid) are still alive 2 s later.
# Everything runs in a private temp dir and runtime dir under a unique instance; a trap kills what is left.
# Usage: bench/restart-latency.sh            ROUNDS=20 KILL_ROUNDS=10 bench/restart-latency.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
launcher=${LAUNCHER:-$root/artifacts/launcher/launcher} # LAUNCHER=/path/to/another/build compares
worker=$root/artifacts/launcher/SampleWorker
probe=$root/bench/restart_probe.py
rounds=${ROUNDS:-20}
kill_rounds=${KILL_ROUNDS:-10}
fast_rounds=${FAST_ROUNDS:-30}
quick=${QUICK:-0}

if [[ ! -x $launcher || ! -x $worker ]]; then
  echo "restart-latency: $launcher or $worker missing: run scripts/build.sh first" >&2
  exit 2
fi

work=$(mktemp -d /tmp/lb-XXXXXX) # short: worker socket paths must stay under 108 bytes
instance=bench$$
export LAUNCHER_RUNTIME_DIR=$work/runtime
launcher_pid=""
sleep_pid=""

cleanup() {
  set +e
  [[ -n $launcher_pid ]] && kill -KILL "$launcher_pid" 2>/dev/null
  [[ -n $sleep_pid ]] && kill -KILL "$sleep_pid" 2>/dev/null
  local left
  for _ in 1 2 3; do
    left=$(python3 "$probe" marked "$instance")
    [[ -z $left ]] && break
    kill -KILL $left 2>/dev/null
    sleep 0.2
  done
  [[ -n $left ]] && echo "restart-latency: could not kill: $left" >&2
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# config WORKERS EXTRA_WORKER_ARGS...: one launcher.json in $work
config() {
  local workers=$1; shift
  local args='"--tick-seconds", "5"'
  for a in "$@"; do args+=", \"$a\""; done
  cat >"$work/launcher.json" <<EOF
{
  "instance": "$instance",
  "command": ["$worker", $args],
  "workers": $workers,
  "logDir": "logs",
  "stopGraceSeconds": 2,
  "restart": { "initialDelaySeconds": 0.05, "maxDelaySeconds": 0.05, "crashLoopCount": 1000, "crashLoopWindowSeconds": 60 }
}
EOF
}

start_launcher() {
  (cd "$work" && exec "$launcher" run) >"$work/run.out" 2>&1 &
  launcher_pid=$!
  local i
  for i in $(seq 1 600); do # 30 s
    grep -q 'ready:' "$work/run.out" && return 0
    kill -0 "$launcher_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "restart-latency: the launcher did not get ready:" >&2
  cat "$work/run.out" >&2
  exit 1
}

stop_launcher() {
  kill -TERM "$launcher_pid"
  local i
  for i in $(seq 1 300); do # 15 s
    kill -0 "$launcher_pid" 2>/dev/null || break
    sleep 0.05
  done
  wait "$launcher_pid" 2>/dev/null || true
  launcher_pid=""
}

mkdir -p "$work/runtime"
echo "restart-latency: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $fast_rounds fast-path kills, $rounds worker kills, $kill_rounds launcher kills"

# --- 0. the restart fast path: sleep workers, no backoff on a first restart ----------------------------------------
marker=$((700000 + $$ % 99999))
cat >"$work/launcher.json" <<JSON
{
  "instance": "$instance",
  "command": ["sleep", "$marker"],
  "workers": 10,
  "logDir": "logs",
  "ping": { "command": ["echo", "{node}"], "intervalSeconds": 86400 },
  "restart": { "initialDelaySeconds": 0, "resetAfterSeconds": 1, "crashLoopCount": 1000, "crashLoopWindowSeconds": 60 }
}
JSON
start_launcher
sleep 2 # past the second memory trim: the restart path starts from an idle launcher's resident pages
fast=$(python3 "$probe" fastpath "$launcher_pid" "$work/logs/launcher.log" "$marker" "$fast_rounds") || {
  echo "$fast"
  echo "restart-latency: fast-path measurement failed; launcher output:" >&2
  cat "$work/run.out" >&2
  exit 1
}
stop_launcher
echo "$fast" | grep '^round'
echo
echo "== restart fast path, $fast_rounds SIGKILLs of a sleep worker, ms after kill(2) (load $(cut -d' ' -f1-3 /proc/loadavg)) =="
echo "$fast" | grep '^median' | sed 's/^median /  /'
echo "  (forked: the launcher's new child exists; running: it is sleep; the launcher's own steps, from its exit event:"
echo "   slot awake, leftover check (duration), end reported, backoff over, fork returned (fork_in), spawn done)"
[[ $quick == 1 ]] && exit 0

# --- Baseline: bash noticing a SIGKILLed child --------------------------------------------------------------
baseline=()
for _ in $(seq 1 "$rounds"); do
  sleep 1000 &
  sleep_pid=$!
  sleep 0.02
  t0=$EPOCHREALTIME
  kill -KILL "$sleep_pid"
  wait "$sleep_pid" 2>/dev/null || true
  t1=$EPOCHREALTIME
  sleep_pid=""
  baseline+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
done
baseline_median=$(printf '%s\n' "${baseline[@]}" | median)

# The same for a SampleWorker (a multi-threaded .NET process, no launcher): the kernel's own teardown time for
# such a process is the floor any supervisor's "noticed" sits on.
worker_baseline=()
for _ in $(seq 1 "$rounds"); do
  "$worker" --tick-seconds 5 >"$work/baseline.out" 2>&1 &
  sleep_pid=$!
  for _ in $(seq 1 200); do # 10 s
    grep -q '^Ready\.' "$work/baseline.out" && break
    sleep 0.05
  done
  t0=$EPOCHREALTIME
  kill -KILL "$sleep_pid"
  wait "$sleep_pid" 2>/dev/null || true
  t1=$EPOCHREALTIME
  sleep_pid=""
  worker_baseline+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
done
worker_baseline_median=$(printf '%s\n' "${worker_baseline[@]}" | median)

# --- 1. worker SIGKILL -> noticed, started, answering --------------------------------------------------------
config 1
start_launcher
measured=$(python3 "$probe" measure "$work/runtime" "$instance" "$work/logs/launcher.log" "$rounds") || {
  echo "$measured"
  echo "restart-latency: measurement failed; launcher output:" >&2
  cat "$work/run.out" >&2
  exit 1
}
echo "$measured" | grep '^round'
confirm=$( (cd "$work" && "$launcher" ping) 2>&1) || true
stop_launcher

median_of() { echo "$measured" | awk -v k="$1" '$1 == "median" && $2 == k { print $3 }'; }
noticed=$(median_of noticed)
started=$(median_of started)
answered=$(median_of answered)

# --- 2. launcher SIGKILL -> survivors 2 s later --------------------------------------------------------------
config 2 --spawn-grandchild --setsid-grandchild
survivors=()
for round in $(seq 1 "$kill_rounds"); do
  start_launcher
  for _ in $(seq 1 100); do # the tree: 2 workers, 2 children, 2 setsid grandchildren
    [[ $(python3 "$probe" marked "$instance" | wc -w) -ge 6 ]] && break
    sleep 0.05
  done
  before=$(python3 "$probe" marked "$instance" | wc -w)
  kill -KILL "$launcher_pid"
  wait "$launcher_pid" 2>/dev/null || true
  launcher_pid=""
  sleep 2 # the goal is "gone within 2 s": look exactly then
  left=$(python3 "$probe" marked "$instance")
  count=$(wc -w <<<"$left")
  survivors+=("$count")
  echo "launcher kill round $round: $before processes before, $count alive 2 s after${left:+ ($left)}"
  [[ -n $left ]] && kill -KILL $left 2>/dev/null || true
done

# --- Report ---------------------------------------------------------------------------------------------------
echo
echo "== worker SIGKILL, median of $rounds (ms after kill(2)) =="
echo "  launcher noticed the exit (log line):            $noticed"
echo "  replacement started (log line):                  $started"
echo "  replacement answered its ping:                   $answered"
echo "  baseline, bash 'wait' on a killed sleep:        $baseline_median"
echo "  baseline, bash 'wait' on a killed SampleWorker: $worker_baseline_median"
awk -v n="$noticed" -v b="$baseline_median" -v w="$worker_baseline_median" 'BEGIN {
  if (b > 0) printf "  ratio noticed / sleep baseline:                 %.1f\n", n / b
  if (w > 0) printf "  ratio noticed / SampleWorker baseline:          %.2f\n", n / w
}'
echo "  launcher ping afterwards: $(tail -n 1 <<<"$confirm")"
echo "== launcher SIGKILL, survivors 2 s later per round (workers + grandchildren, of 6) =="
echo "  ${survivors[*]}  (total $(IFS=+; echo $(( ${survivors[*]} ))))"
