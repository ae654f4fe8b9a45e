#!/usr/bin/env bash
# examples/celery under the launcher: time from `launcher run` to the launcher's `ready:` line, next to the time
# from the same start to the Celery worker's own `<node> ready.` log line (the baseline, same run). The difference
# is what verification costs (a `celery inspect ping` round trip after Celery is ready). Also prints, for
# reference, a Celery worker started directly (no launcher) to its `ready.` line. Median of N rounds.
#   bench/celery-ready.sh [ROUNDS]   (default 5; needs scripts/build.sh, redis-server and python3-celery)
# Starts its own redis-server on a free 127.0.0.1 port; everything it starts is killed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
source bench/lib/redis-bench.sh
bench_setup celery-ready celery
export REDIS_URL=redis://127.0.0.1:$port/0

# The example, copied, with this run's instance and Redis; everything else as shipped.
mkdir -p "$dir/examples" && cp -r "$repo/integrations" "$dir/integrations"  # the layout {configDir}/../../integrations/... expects
cp -r "$repo/examples/celery" "$dir/examples/app"
rm -rf "$dir/examples/app/logs"
"$python" - "$dir/examples/app/launcher.json" "$REDIS_URL" <<'PY'
import json, sys
path, url = sys.argv[1], sys.argv[2]
config = json.load(open(path))
config["instance"] = "bench-celery"
config["environment"]["REDIS_URL"] = url
json.dump(config, open(path, "w"), indent=2)
PY

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# celery_ready_ms FILE: epoch ms of Celery's own "[YYYY-mm-dd HH:MM:SS,mmm: INFO/MainProcess] <node> ready." line.
celery_ready_ms() {
  local stamp
  stamp=$(grep -ho '\[[0-9-]* [0-9:]*,[0-9]*: INFO/MainProcess\] [^ ]* ready\.' "$@" | head -n 1 | sed 's/^\[\([^,]*\),\([0-9]*\):.*/\1.\2/')
  [ -n "$stamp" ] && echo $(( $(date -d "$stamp" +%s%N) / 1000000 ))
}

launcher_ms=(); celery_ms=(); direct_ms=()
for round in $(seq "$rounds"); do
  # Under the launcher: stamp each stdout line as it arrives.
  rm -rf "$dir/examples/app/logs"
  start=$(now_ms)
  coproc RUN { exec "$launcher" run --config "$dir/examples/app/launcher.json" 2>&1; }
  run_pid=$RUN_PID
  ready_at=""
  while IFS= read -r -t 90 line <&"${RUN[0]}"; do
    if [[ $line == *"ready:"* ]]; then ready_at=$(now_ms); break; fi
  done
  [ -n "$ready_at" ] || { echo "celery-ready: no ready: line within 90 s" >&2; exit 1; }
  worker_ready=$(celery_ready_ms "$dir"/app/logs/worker_*.log) || true
  [ -n "$worker_ready" ] || { echo "celery-ready: no '<node> ready.' line in the worker log" >&2; exit 1; }
  launcher_ms+=($(( ready_at - start )))
  celery_ms+=($(( worker_ready - start )))
  kill -TERM "$run_pid"
  # Drain the coprocess until the launcher has stopped (bounded).
  while IFS= read -r -t 30 _ <&"${RUN[0]}"; do :; done || true
  wait "$run_pid" 2>/dev/null || true

  # Directly, for reference: the same command line the example uses, with a fixed node name.
  start=$(now_ms)
  (cd "$dir/examples/app" && exec "$python" -m celery -A tasks worker -n "direct$round@$(hostname)" --pool=solo --loglevel=INFO) >"$dir/direct.log" 2>&1 &
  direct_pid=$!
  direct_ready=""
  for _ in $(seq 1800); do
    direct_ready=$(celery_ready_ms "$dir/direct.log") && [ -n "$direct_ready" ] && break
    sleep 0.05
  done
  [ -n "$direct_ready" ] || { echo "celery-ready: the direct worker printed no ready. line" >&2; exit 1; }
  direct_ms+=($(( direct_ready - start )))
  kill -TERM "$direct_pid"; wait "$direct_pid" 2>/dev/null || true
  echo "round $round: launcher ready: ${launcher_ms[-1]} ms, celery ready. (under the launcher): ${celery_ms[-1]} ms, celery ready. (direct): ${direct_ms[-1]} ms"
done

l=$(printf '%s\n' "${launcher_ms[@]}" | median)
c=$(printf '%s\n' "${celery_ms[@]}" | median)
d=$(printf '%s\n' "${direct_ms[@]}" | median)
echo "median of $rounds: launcher run -> ready: ${l} ms; same start -> Celery's own 'ready.' ${c} ms; difference $(awk -v a="$l" -v b="$c" 'BEGIN{printf "%.0f", a-b}') ms; ratio $(awk -v a="$l" -v b="$c" 'BEGIN{printf "%.2f", a/b}')x"
echo "reference: Celery started directly -> 'ready.' ${d} ms (the launcher's spawn adds $(awk -v a="$c" -v b="$d" 'BEGIN{printf "%.0f", a-b}') ms before Celery is ready)"
