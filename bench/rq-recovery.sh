#!/usr/bin/env bash
# examples/rq under the launcher: time from SIGKILL of an RQ worker busy with a job to that job leaving
# StartedJobRegistry (through the launcher's exit event, the kill of the orphaned work horse and the
# onWorkerExit hook recover_jobs.py). Baseline, read in the same run: when RQ alone would first let the entry go
# (its StartedJobRegistry score, i.e. expiry, at the moment of the kill; a maintenance pass must then still come
# by, every 10 minutes). Median of N rounds.
#   bench/rq-recovery.sh [ROUNDS]   (default 5; needs scripts/build.sh, redis-server and python3-rq)
# Starts its own redis-server on a free 127.0.0.1 port; everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
source bench/lib/redis-bench.sh
bench_setup rq-recovery rq
export RQ_REDIS_URL=redis://127.0.0.1:$port/0
cli() { redis-cli -p "$port" --raw "$@"; }

# The example, copied, with this run's instance, Redis and one worker; everything else as shipped, except:
mkdir -p "$dir/examples" && cp -r "$repo/integrations" "$dir/integrations"  # the layout {configDir}/../../integrations/... expects
cp -r "$repo/examples/rq" "$dir/examples/app"
rm -rf "$dir/examples/app/logs"
# Each round kills the worker once: more than crashLoopCount kills within its window is, rightly, a crash loop.
"$python" - "$dir/examples/app/launcher.json" "$RQ_REDIS_URL" "$rounds" <<'PY'
import json, sys
path, url, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
config = json.load(open(path))
config["instance"] = "bench-rq"
config["environment"]["RQ_REDIS_URL"] = url
config["workers"] = 1
config.setdefault("restart", {})["crashLoopCount"] = rounds + 5
json.dump(config, open(path, "w"), indent=2)
PY

"$launcher" run --config "$dir/examples/app/launcher.json" >"$dir/launcher.log" 2>&1 &
launcher_pid=$!
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 10 ms until it succeeds
  local until=$(( $(date +%s%3N) + $1 * 1000 )) what=$2; shift 2
  until "$@"; do
    [ "$(date +%s%3N)" -lt "$until" ] || { echo "rq-recovery: timed out waiting for $what" >&2; cat "$dir/launcher.log" >&2; exit 1; }
    sleep 0.01
  done
}
wait_for 60 "the launcher's ready: line" grep -q "ready:" "$dir/launcher.log"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
in_started() { [ -n "$(cli ZSCORE rq:wip:default "$1")" ]; }
not_in_started() { ! in_started "$1"; }
one_live_worker_other_than() { # the replacement registered: exactly one member in rq:workers, not the dead one
  local members; members=$(cli SMEMBERS rq:workers)
  [ "$(printf '%s\n' "$members" | grep -c .)" -eq 1 ] && [ "$members" != "rq:worker:$1" ]
}

recovery_ms=(); rq_alone_s=()
for round in $(seq "$rounds"); do
  job=$(cd "$dir/examples/app" && "$python" enqueue.py sleep_for 120)
  wait_for 30 "job $job to start" in_started "$job"
  node=$(cli HGET "rq:job:$job" worker_name)
  pid=${node#api}; pid=${pid%%@*}
  score=$(cli ZSCORE rq:wip:default "$job")
  killed=$(now_ms)
  kill -9 "$pid"
  wait_for 60 "job $job to leave StartedJobRegistry" not_in_started "$job"
  left=$(now_ms)
  recovery_ms+=($(( left - killed )))
  rq_alone_s+=("$(awk -v s="$score" -v k="$killed" 'BEGIN{printf "%.0f", s - k/1000}')")
  status=$(cli HGET "rq:job:$job" status)
  echo "round $round: worker $node SIGKILLed busy with job $job: out of StartedJobRegistry after ${recovery_ms[-1]} ms (status: $status); RQ alone: entry expires in ${rq_alone_s[-1]} s, then waits for a maintenance pass (<= 600 s)"
  wait_for 60 "the replacement of $node to register" one_live_worker_other_than "$node"
done

r=$(printf '%s\n' "${recovery_ms[@]}" | median)
a=$(printf '%s\n' "${rq_alone_s[@]}" | median)
echo "median of $rounds: SIGKILL -> job out of StartedJobRegistry ${r} ms with the launcher; RQ alone: not before ${a} s (entry expiry) + up to 600 s (maintenance); ratio $(awk -v r="$r" -v a="$a" 'BEGIN{printf "%.4f", r/(a*1000)}') of the expiry alone"
kill -TERM "$launcher_pid"
wait "$launcher_pid" 2>/dev/null || true
