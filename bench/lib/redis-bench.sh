# Sourced by the Redis benchmarks (celery-ready.sh, rq-recovery.sh): common checks, a temp dir whose processes
# are cleaned up on exit, and a private redis-server on a free 127.0.0.1 port.
#   bench_setup NAME PYTHON_MODULE   sets: repo, launcher, python, dir, port, LAUNCHER_RUNTIME_DIR
bench_setup() {
  local name=$1 module=$2
  repo=$PWD
  launcher=$repo/artifacts/launcher/launcher
  python=/usr/bin/python3
  [ -x "$launcher" ] || { echo "$name: run scripts/build.sh first" >&2; exit 1; }
  command -v redis-server >/dev/null || { echo "$name: redis-server not installed (scripts/install-test-deps.sh)" >&2; exit 1; }
  "$python" -c "import $module" 2>/dev/null || { echo "$name: python3-$module not installed (scripts/install-test-deps.sh)" >&2; exit 1; }

  dir=$(mktemp -d "/tmp/bench-$name.XXXXXX")
  trap bench_cleanup EXIT
  export LAUNCHER_RUNTIME_DIR=$dir/runtime

  port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize no >"$dir/redis.log" 2>&1 &
  for _ in $(seq 100); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
  redis-cli -p "$port" ping | grep -q PONG || { echo "$name: redis-server did not start" >&2; cat "$dir/redis.log" >&2; exit 1; }
}

# Only this shell's live background jobs (redis-server, a launcher, a direct worker) are signalled: never a pid
# that may have been reused. A launcher stops its workers on SIGTERM (and its watchdog on SIGKILL).
bench_cleanup() {
  local live
  live=$(jobs -p)
  if [ -n "$live" ]; then
    kill -TERM $live 2>/dev/null || true
    for _ in $(seq 100); do [ -z "$(jobs -pr)" ] && break; sleep 0.1; done
    live=$(jobs -pr)
    [ -n "$live" ] && kill -9 $live 2>/dev/null || true
  fi
  rm -rf "$dir"
}
