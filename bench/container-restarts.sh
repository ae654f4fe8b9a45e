#!/usr/bin/env bash
# examples/container (the RQ example, launcher as PID 1) restarted the way `docker kill` + `docker start` does it:
# a fresh pid + uts namespace (unshare --pid --fork --mount-proc --uts) with the same host name, SIGKILLed from
# outside while a job runs, started again. Per restart: time from start to the `ready:` line, name collisions
# (RQ's "There exists an active worker named" in any worker log, or a start that failed), whether rq:workers held
# exactly the live workers at ready, and the time from the start until the dead container's job left
# StartedJobRegistry. Baseline, read in the same run at each kill: RQ alone blocks the dead names until their
# registrations expire (the key's TTL, worker-ttl + 60 s) and leaves the job started until its registry entry
# expires (its score) and a maintenance pass comes by (every 600 s). Median and max of RESTARTS.
#   sudo bench/container-restarts.sh [RESTARTS]   (default 10; needs root for unshare, scripts/build.sh,
#                                                  redis-server and python3-rq)
# Starts its own redis-server on a free 127.0.0.1 port; every container and process it starts ends on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
restarts=${1:-10}
host=render-abc
source bench/lib/redis-bench.sh
bench_setup container-restarts rq
export RQ_REDIS_URL=redis://127.0.0.1:$port/0 PYTHONDONTWRITEBYTECODE=1
cli() { redis-cli -p "$port" --raw "$@"; }
unshare --pid --fork --mount-proc --uts true 2>/dev/null || { echo "container-restarts: unshare --pid --uts is not permitted here (run as root)" >&2; exit 1; }

# The repository's layout, so the config's {configDir}/../../integrations/... paths hold.
mkdir -p "$dir/examples"
cp -r "$repo/integrations" "$dir/integrations"
cp -r "$repo/examples/rq" "$dir/examples/rq"
cp -r "$repo/examples/container" "$dir/examples/container"
rm -rf "$dir/examples/rq/logs" "$dir/examples/container/logs"
config=$dir/examples/container/launcher.json
"$python" - "$config" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["instance"] = "bench-container"
# As shipped, except the start and ping deadlines: on a loaded machine (this one runs 7 builds) a Python ping or
# hook can take seconds to start, and a failed start would end the measurement.
config["startTimeoutSeconds"] = 180
config["ping"]["timeoutSeconds"] = 30
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
max() { sort -n | tail -1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 10 ms until it succeeds
  local until=$(( $(now_ms) + $1 * 1000 )) what=$2; shift 2
  until "$@"; do
    [ "$(now_ms)" -lt "$until" ] || { echo "container-restarts: timed out waiting for $what" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.01
  done
}
ready() { grep -q "ready:" "$log"; }
exited() { ! kill -0 "$unshare_pid" 2>/dev/null; }
in_started() { [ -n "$(cli ZSCORE rq:wip:default "$1")" ]; }
not_in_started() { ! in_started "$1"; }
collisions() { cat "$dir"/examples/container/logs/worker_*.log 2>/dev/null | grep -c "There exists an active worker named" || true; }

start_container() { # runs the launcher as PID 1 of a new namespace; sets unshare_pid and log
  log=$dir/run-$1.log
  unshare --pid --fork --mount-proc --uts --kill-child=SIGKILL \
    /bin/sh -c 'hostname "$0" && exec "$@"' "$host" "$launcher" run --config "$config" >"$log" 2>&1 &
  unshare_pid=$!
}
kill_container() { # SIGKILL to the PID 1 (unshare's only child), as docker kill does; the namespace dies with it
  local init; init=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null | awk '{print $1}')
  [ -n "$init" ] && kill -9 "$init" 2>/dev/null || true
  wait_for 30 "the container to end" exited
  wait "$unshare_pid" 2>/dev/null || true
}

ready_ms=(); recovered_ms=(); collided=(); exact=(); ttl_s=(); entry_s=()
job=""
for start in $(seq 0 "$restarts"); do
  before=$(collisions)
  t0=$(now_ms)
  start_container "$start"
  # Until ready, watch the dead container's job too: the lost hooks run before the new workers are spawned.
  t_ready=""; t_recovered=""
  until_ms=$(( $(now_ms) + 240000 ))
  until [ -n "$t_ready" ] || exited; do
    [ -z "$t_recovered" ] && [ -n "$job" ] && not_in_started "$job" && t_recovered=$(now_ms)
    ready && t_ready=$(now_ms)
    [ "$(now_ms)" -lt "$until_ms" ] || { echo "container-restarts: no ready: line within 240 s (start $start)" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.01
  done
  if ! ready; then
    echo "start $start: the launcher exited before ready ($(collisions) name collision(s) in worker logs so far):" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  nodes=$(grep -m1 -o 'verified (.*)' "$log" | sed 's/verified (//; s/)$//; s/, /\n/g' | sed 's/^/rq:worker:/' | sort)
  registered=$(cli SMEMBERS rq:workers | sort)
  if [ -n "$job" ]; then
    if [ -z "$t_recovered" ]; then
      wait_for 120 "job $job of the killed container to leave StartedJobRegistry" not_in_started "$job"
      t_recovered=$(now_ms)
    fi
    ready_ms+=($(( t_ready - t0 )))
    recovered_ms+=($(( t_recovered - t0 )))
    collided+=($(( $(collisions) - before )))
    [ "$nodes" = "$registered" ] && exact+=(1) || exact+=(0)
    echo "restart $start: ready after ${ready_ms[-1]} ms; the dead container's job $job out of StartedJobRegistry ${recovered_ms[-1]} ms after the start (status $(cli HGET "rq:job:$job" status)); collisions ${collided[-1]}; rq:workers exactly the live workers at ready: $([ "${exact[-1]}" = 1 ] && echo yes || echo "no ($(echo $registered))"); RQ alone: names blocked ${ttl_s[-1]} s more, job entry expiring in ${entry_s[-1]} s + up to 600 s maintenance"
  else
    echo "start 0: ready after $(( t_ready - t0 )) ms ($(echo $nodes))"
  fi
  [ "$start" -eq "$restarts" ] && break
  job=$(cd "$dir/examples/rq" && "$python" enqueue.py sleep_for 600)
  wait_for 60 "job $job to start" in_started "$job"
  worker=$(cli HGET "rq:job:$job" worker_name)
  ttl_s+=("$(cli TTL "rq:worker:$worker")")
  entry_s+=("$(awk -v s="$(cli ZSCORE rq:wip:default "$job")" -v k="$(now_ms)" 'BEGIN{printf "%.0f", s - k/1000}')")
  kill_container
done
kill -TERM "$(cat "/proc/$unshare_pid/task/$unshare_pid/children" | awk '{print $1}')"
wait_for 60 "the last container to stop on SIGTERM" exited

total_collisions=0; for c in "${collided[@]}"; do total_collisions=$(( total_collisions + c )); done
inexact=0; for e in "${exact[@]}"; do [ "$e" = 1 ] || inexact=$(( inexact + 1 )); done
echo "$restarts restarts (SIGKILLed with a job running, started again as $host):"
echo "  start -> ready: median $(printf '%s\n' "${ready_ms[@]}" | median) ms, max $(printf '%s\n' "${ready_ms[@]}" | max) ms"
echo "  start -> dead container's job out of StartedJobRegistry: median $(printf '%s\n' "${recovered_ms[@]}" | median) ms, max $(printf '%s\n' "${recovered_ms[@]}" | max) ms"
echo "  name collisions: $total_collisions; restarts where rq:workers at ready was not exactly the live workers: $inexact"
echo "  RQ alone (baseline, same run): dead names blocked for median $(printf '%s\n' "${ttl_s[@]}" | median) s (registration TTL = worker-ttl 30 + 60 s); the job stays started until its entry expires (median $(printf '%s\n' "${entry_s[@]}" | median) s) and a maintenance pass runs (<= 600 s)"
