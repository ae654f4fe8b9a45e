#!/usr/bin/env bash
# Issue 3's closing number: the time `launcher strays --kill` takes to find and kill N stray SampleWorker
# trees (worker + child `sleep` each), next to the time the same workers take to exit on their own after a
# plain SIGTERM to each (the baseline, measured in the same run).
#   bench/strays.sh [N] [BATCH]      (default 100 trees, started 10 at a time; needs scripts/build.sh first)
#
# The strays are started as an IDE starts a worker: directly, with LAUNCHER_INSTANCE and LAUNCHER_RUNTIME_DIR,
# so each one registers. A second hand-started worker of an instance refuses to run beside the first (the
# agent's duplicate check), so every worker also gets LAUNCHER_GUARD naming this script as its "launcher":
# that skips the check, and should this script die, the workers' parent watch stops them within seconds.
# No launcher holds the instance, so `launcher strays` treats them all as strays.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-100}
batch=${2:-10}
launcher=$PWD/artifacts/launcher/launcher
worker=$PWD/artifacts/launcher/SampleWorker
[ -x "$launcher" ] && [ -x "$worker" ] || { echo "bench/strays.sh: run scripts/build.sh first" >&2; exit 1; }

dir=$(mktemp -d /tmp/bench-strays.XXXXXX)
instance="bench-strays-$$"
export LAUNCHER_RUNTIME_DIR=$dir/runtime
workers_dir=$LAUNCHER_RUNTIME_DIR/$instance/workers
mkdir -p "$LAUNCHER_RUNTIME_DIR" "$dir/logs"
cat > "$dir/launcher.json" <<JSON
{ "instance": "$instance", "command": ["$worker"], "workers": 1, "logDir": "logs", "stopGraceSeconds": 10 }
JSON

# Field 22 of /proc/<pid>/stat (start ticks), counted after the command name's closing parenthesis; builtins only.
start_ticks() {
  local stat fields
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  read -r -a fields <<< "${stat##*) }"
  echo "${fields[19]}"
}
guard="$instance:$$:$(start_ticks $$)"

# Alive = exists and is not a zombie. Builtins only (no fork), so polling 100 pids stays cheap.
alive() {
  local stat state
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  state=${stat##*) }; state=${state:0:1}
  [ "$state" != Z ] && [ "$state" != X ]
}
# Every live process carrying this run's instance marker: only this script starts such processes.
marked() {
  { grep -lxzF "LAUNCHER_INSTANCE=$instance" /proc/[0-9]*/environ || true; } 2>/dev/null | while IFS=/ read -r _ _ pid _; do
    if alive "$pid"; then echo "$pid"; fi
  done
  return 0
}

# Every process this run started, as pid:start-ticks, so cleanup never signals a pid that was reused meanwhile.
started=()
track() { local ticks; if ticks=$(start_ticks "$1"); then started+=("$1:$ticks"); fi; }
tracked_alive() {
  local entry
  for entry in "${started[@]:-}"; do
    [ -n "$entry" ] && [ "$(start_ticks "${entry%%:*}" || true)" = "${entry#*:}" ] && alive "${entry%%:*}" && echo "${entry%%:*}"
  done
  return 0
}
cleanup() {
  local code=$? pids round
  trap - EXIT INT TERM
  # By pid, and only pids this run started or that carry its marker. Again until none is left: a worker killed
  # mid-start may have forked its `sleep` after the scan. Bounded: 100 rounds of 50 ms.
  for round in $(seq 100); do
    pids=$( { tracked_alive; marked; } | sort -u)
    [ -n "$pids" ] || break
    kill -KILL $pids 2>/dev/null || true
    sleep 0.05
  done
  [ -z "$pids" ] || echo "bench/strays.sh: could not kill: $pids" >&2
  rm -rf "$dir"
  exit "$code"
}
on_signal() { echo "bench/strays.sh: interrupted" >&2; exit 130; }
trap cleanup EXIT
trap on_signal INT TERM

now_ns() { date +%s%N; }
seconds() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }

# start_strays: starts $count workers, $batch at a time, each batch waited on until every worker registered.
# Prints nothing; fills $wave with the worker pids.
start_strays() {
  wave=()
  local n=0 pid pending deadline
  while [ $n -lt "$count" ]; do
    local this=()
    for _ in $(seq "$batch"); do
      [ $n -lt "$count" ] || break
      LAUNCHER_INSTANCE=$instance LAUNCHER_GUARD=$guard \
        "$worker" --tick-seconds 60 --spawn-grandchild > "$dir/logs/stray-$n.log" 2>&1 &
      pid=$!; track "$pid"; this+=("$pid"); wave+=("$pid"); n=$((n + 1))
    done
    deadline=$(( $(date +%s) + 60 ))
    while :; do
      pending=0
      for pid in "${this[@]}"; do [ -f "$workers_dir/$pid.json" ] || pending=$((pending + 1)); done
      [ $pending = 0 ] && break
      if [ "$(date +%s)" -ge $deadline ]; then
        echo "bench/strays.sh: $pending worker(s) of the batch did not register within 60 s; last log:" >&2
        tail -n 5 "$dir/logs/stray-$((n - 1)).log" >&2
        exit 1
      fi
      sleep 0.05
    done
  done
  # The grandchildren (the `sleep 100000` each worker forks before it registers) are ours to clean up too.
  for pid in $(marked); do track "$pid"; done
}

# --- 1: find and kill every tree with `launcher strays --kill` ---------------------------------------------
start_strays
trees=${#wave[@]}
processes=$(marked | wc -l)
t0=$(now_ns)
timeout 120 "$launcher" strays --json --config "$dir/launcher.json" > "$dir/list.json"
list_ns=$(( $(now_ns) - t0 ))
listed=$(grep -c '"commandLine"' "$dir/list.json" || true)
[ "$listed" = "$trees" ] || { echo "bench/strays.sh: launcher strays listed $listed of $trees trees" >&2; exit 1; }
t0=$(now_ns)
timeout 120 "$launcher" strays --kill --json --config "$dir/launcher.json" > "$dir/kill.json"
kill_ns=$(( $(now_ns) - t0 ))
killed=$(grep -c '"endedBy"' "$dir/kill.json" || true)
by_term=$(grep -c '"endedBy": "SIGTERM"' "$dir/kill.json" || true)
survivors=$(marked | wc -l)
if [ "$killed" != "$trees" ] || [ "$survivors" != 0 ]; then
  echo "bench/strays.sh: expected $trees killed trees and no survivor, got $killed killed and $survivors alive" >&2
  exit 1
fi

# --- 2: baseline, the same workers stopping on their own after a plain SIGTERM to each --------------------
start_strays
t0=$(now_ns)
kill -TERM "${wave[@]}" 2>/dev/null || true
deadline=$(( $(date +%s) + 60 ))
for pid in "${wave[@]}"; do
  while alive "$pid"; do
    [ "$(date +%s)" -lt $deadline ] || { echo "bench/strays.sh: worker $pid ignored SIGTERM for 60 s" >&2; exit 1; }
    sleep 0.01
  done
done
term_ns=$(( $(now_ns) - t0 ))
# Their `sleep` children were never signalled (a plain SIGTERM reaches only the worker): not counted, killed now.
leftover=$(marked)
[ -z "$leftover" ] || kill -KILL $leftover 2>/dev/null || true

echo "launcher strays (find only, no kill): $trees trees listed in $(seconds $list_ns) s"
echo "launcher strays --kill: $trees trees ($processes processes) found and killed in $(seconds $kill_ns) s ($by_term ended by SIGTERM, $((killed - by_term)) by SIGKILL; includes the launcher's own start)"
echo "plain SIGTERM to each worker: $trees workers exited in $(seconds $term_ns) s (their $((processes - trees)) child sleeps left running)"
awk -v k="$kill_ns" -v t="$term_ns" 'BEGIN { printf "ratio strays --kill / plain SIGTERM: %.2f\n", k / t }'
