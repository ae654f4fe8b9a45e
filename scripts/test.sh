#!/usr/bin/env bash
# Runs the test suite against the built artifacts:
#   1. scripts/install-test-deps.sh (redis-server, python3-celery, python3-rq; skipped tests say why if absent)
#   2. scripts/build.sh             (artifacts/launcher/launcher and SampleWorker, Release)
#   3. dotnet test                  (extra arguments are passed through, e.g. --filter Name~Guard)
# The last line printed is the totals, alone: `N passed, N failed[, N skipped]`, read from the trx file.
# Exits with dotnet test's exit code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results_dir=artifacts/test-results
trx="$results_dir/results.trx"

# Prints the totals line from the trx <Counters .../> element; "0 passed, 0 failed" when no trx was written
# (the build failed before any test ran; the exit code says so).
print_totals() {
  local counters="" total executed passed failed error timeout aborted not_executed skipped
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  fi
  if [ -z "$counters" ]; then
    echo "test.sh: no test results in $trx" >&2
  fi
  attr() { # attr NAME: the attribute's number in $counters, 0 when absent
    local value
    value=$(printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p")
    echo "${value:-0}"
  }
  total=$(attr total)
  executed=$(attr executed)
  passed=$(attr passed)
  failed=$(attr failed)
  error=$(attr error)
  timeout=$(attr timeout)
  aborted=$(attr aborted)
  not_executed=$(attr notExecuted)
  failed=$((failed + error + timeout + aborted))
  skipped=$((total - executed))
  if [ "$not_executed" -gt "$skipped" ]; then
    skipped=$not_executed
  fi
  if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
}
# Always end with the totals line, also when a step before `dotnet test` fails.
trap print_totals EXIT

rm -f "$trx"
bash scripts/install-test-deps.sh
bash scripts/build.sh

set +e
dotnet test tests/Launcher.Tests/Launcher.Tests.csproj -c Release \
  --logger "trx;LogFileName=results.trx" --results-directory "$results_dir" "$@"
status=$?
set -e
exit "$status"
