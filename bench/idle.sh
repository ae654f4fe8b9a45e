#!/usr/bin/env bash
# Issue 12, parts 1 and 2: what a supervised instance costs while nothing happens. Starts `launcher run` with
# WORKERS `sleep` workers (pinged by `echo {node}` every PING seconds, default once a day, so only the launcher's
# own wake-ups remain), waits for its ready line, then reads utime+stime of the launcher and its watchdog from
# /proc/<pid>/stat (proc(5), fields 14 and 15) before and after SECONDS of idling, and their VmRSS.
# UNRELATED=400 starts that many unrelated `sleep` processes first (costs must not grow with the machine).
# Usage: bench/idle.sh        WORKERS=10 SECONDS_IDLE=60 UNRELATED=400 PING=5 bench/idle.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
launcher=$PWD/artifacts/launcher/launcher
workers=${WORKERS:-10}
seconds=${SECONDS_IDLE:-60}
unrelated=${UNRELATED:-0}
ping=${PING:-86400}
[[ -x $launcher ]] || { echo "idle.sh: $launcher missing: run scripts/build.sh first" >&2; exit 2; }

work=$(mktemp -d /tmp/li-XXXXXX)
export LAUNCHER_RUNTIME_DIR=$work/runtime
launcher_pid=""
unrelated_pids=()
cleanup() {
  set +e
  [[ -n $launcher_pid ]] && kill -TERM "$launcher_pid" 2>/dev/null && wait "$launcher_pid" 2>/dev/null
  ((${#unrelated_pids[@]})) && kill -KILL "${unrelated_pids[@]}" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for ((i = 0; i < unrelated; i++)); do
  sleep 100000 &
  unrelated_pids+=($!)
done

cat >"$work/launcher.json" <<JSON
{
  "instance": "idle$$",
  "command": ["sleep", "100000"],
  "workers": $workers,
  "logDir": "$work/logs",
  "ping": { "command": ["echo", "{node}"], "intervalSeconds": $ping }
}
JSON

"$launcher" run --config "$work/launcher.json" >"$work/out" 2>"$work/err" &
launcher_pid=$!
for _ in $(seq 600); do grep -q 'ready:' "$work/out" 2>/dev/null && break; sleep 0.1; done
grep -q 'ready:' "$work/out" || { echo "idle.sh: no ready line" >&2; cat "$work/err" >&2; exit 1; }
sleep 2 # let start-up work (log flushes, the first status write) finish
watchdog_pid=$(pgrep -P "$launcher_pid" -f '__watchdog' | head -1 || true)

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)
l0=$(ticks "$launcher_pid"); w0=$(ticks "$watchdog_pid")
sleep "$seconds"
l1=$(ticks "$launcher_pid"); w1=$(ticks "$watchdog_pid")
lr=$(rss_kib "$launcher_pid"); wr=$(rss_kib "$watchdog_pid")

printf 'workers=%s unrelated=%s ping=%ss idle=%ss\n' "$workers" "$unrelated" "$ping" "$seconds"
printf 'cpu_ms launcher=%d watchdog=%d total=%d\n' $(((l1 - l0) * 1000 / hz)) $(((w1 - w0) * 1000 / hz)) $(((l1 - l0 + w1 - w0) * 1000 / hz))
printf 'rss_mib launcher=%.1f watchdog=%.1f total=%.1f\n' "$(echo "$lr/1024" | bc -l)" "$(echo "$wr/1024" | bc -l)" "$(echo "($lr+$wr)/1024" | bc -l)"
