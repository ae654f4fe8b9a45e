#!/usr/bin/env bash
# Runs the test suite against the built artifacts:
#   1. scripts/install-test-deps.sh (redis-server, python3-celery, python3-rq; skipped tests say why if absent)
#   2. scripts/build.sh             (artifacts/launcher/launcher and SampleWorker, Release)
#   3. dotnet test                  the Linux suite, without the `windows-tier` category (extra arguments are passed
#                                   through, e.g. --filter Name~Guard; a --filter of yours replaces that exclusion)
#   4. scripts/test-windows.sh      the Windows tier under Wine (issue 15), after the Linux suite and never beside it
#                                   (Wine beside the Linux tests slows them into flakes). It installs wine64 when it
#                                   can; when it cannot, it prints why and counts nothing. Not run with a --filter of
#                                   yours, nor with LAUNCHER_WINDOWS_TIER=0.
# The last line printed is the totals of both, alone: `N passed, N failed[, N skipped]`, read from the Linux trx file
# and the tier's counts (its own `windows-tier: ...` line comes before).
# Exits non-zero when either the Linux suite or the Windows tier failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results_dir=artifacts/test-results
trx="$results_dir/results.trx"
windows_counts="$results_dir/windows-tier.counts"
windows_ran=false

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
  # The Windows tier's "passed failed skipped", when it ran (scripts/test-windows.sh writes them on every exit).
  if $windows_ran; then
    local tier_passed=0 tier_failed=1 tier_skipped=0
    if [ -f "$windows_counts" ]; then
      read -r tier_passed tier_failed tier_skipped <"$windows_counts" || true
    fi
    passed=$((passed + ${tier_passed:-0}))
    failed=$((failed + ${tier_failed:-1}))
    skipped=$((skipped + ${tier_skipped:-0}))
  fi
  if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
}
# Always end with the totals line, also when a step before `dotnet test` fails.
trap print_totals EXIT

rm -f "$trx" "$windows_counts"
bash scripts/install-test-deps.sh
bash scripts/build.sh

own_filter=false
for arg in "$@"; do
  if [ "$arg" = "--filter" ]; then own_filter=true; fi
done
linux_filter=()
if ! $own_filter; then
  linux_filter=(--filter "TestCategory!=windows-tier")
fi

set +e
dotnet test tests/Launcher.Tests/Launcher.Tests.csproj -c Release "${linux_filter[@]}" \
  --logger "trx;LogFileName=results.trx" --results-directory "$results_dir" "$@"
status=$?
set -e

if $own_filter || [ "${LAUNCHER_WINDOWS_TIER:-1}" = "0" ]; then
  echo "test.sh: the Windows tier (scripts/test-windows.sh) not run: $($own_filter && echo "a --filter was given" || echo "LAUNCHER_WINDOWS_TIER=0")"
else
  windows_ran=true
  # --no-build: the Linux suite has just built the test project.
  if ! bash scripts/test-windows.sh --no-build; then
    [ "$status" -ne 0 ] || status=1
  fi
fi
exit "$status"
