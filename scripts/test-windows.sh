#!/usr/bin/env bash
# The Windows tier (issue 15): the win-x64 launcher and SampleWorker under Wine, driven by the tests of category
# `windows-tier` in tests/Launcher.Tests (spawn and log, exactly N, graceful stop, SIGKILL leaves no worker, the
# guard, strays of an earlier run, crash restart).
#   1. wine64 from Debian when absent (quietly; no apt, not root or a refusal: one `skipped` line and exit 0)
#   2. dotnet publish -r win-x64 --self-contained of the launcher and SampleWorker into artifacts/windows/, from a
#      copy of the sources in artifacts/windows/src (the Linux build's obj/ directories stay untouched)
#   3. a Wine prefix in artifacts/windows/wineprefix, then dotnet test --filter TestCategory=windows-tier
# The last line printed is the tier's totals: `windows-tier: N passed, N failed, N skipped`.
# Exits with dotnet test's exit code (0 when skipped). On real Windows, publish the same two projects for win-x64,
# set LAUNCHER_WINDOWS_ARTIFACTS to the folder holding launcher\ and sampleworker\, and run
# `dotnet test tests/Launcher.Tests --filter TestCategory=windows-tier` (README, "Windows").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=artifacts/windows
results_dir=artifacts/test-results
trx="$results_dir/windows.trx"

skip() {
  echo "windows-tier: skipped: $1"
  echo "windows-tier: 0 passed, 0 failed, 0 skipped"
  exit 0
}

wine=""
find_wine() {
  for candidate in /usr/lib/wine/wine64 /usr/bin/wine64 /usr/bin/wine; do
    if [ -x "$candidate" ]; then wine=$candidate; return 0; fi
  done
  return 1
}

if ! find_wine; then
  command -v apt-get >/dev/null 2>&1 || skip "wine64 is not installed and this is not a Debian-like system (no apt-get)"
  [ "$(id -u)" -eq 0 ] || skip "wine64 is not installed and installing it needs root: sudo apt-get install -y wine64"
  echo "test-windows: installing wine64 (Debian)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q wine64 >"$out.apt.log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$out.apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wine64 >>"$out.apt.log" 2>&1 \
      || skip "apt-get install wine64 failed: $(tail -n 1 "$out.apt.log")"
  fi
  find_wine || skip "wine64 installed but no wine loader found"
fi

# A copy of the sources: publishing for win-x64 in place would rewrite the Linux build's obj/project.assets.json.
mkdir -p "$out/src"
git ls-files -z --cached --others --exclude-standard -- src Directory.Build.props Directory.Build.targets \
    Directory.Packages.props global.json nuget.config NuGet.Config .editorconfig 2>/dev/null \
  | tar --null -T - -cf - | tar -C "$out/src" -xf -

echo "test-windows: publishing launcher and SampleWorker for win-x64 (self-contained)"
for project in Launcher:launcher SampleWorker:sampleworker; do
  # Thread pool floor: under Wine 8 the launcher's verification stalled once with the default of one thread per core.
  if ! dotnet publish "$out/src/src/${project%%:*}/${project%%:*}.csproj" -c Release -r win-x64 --self-contained \
      -p:ThreadPoolMinThreads=16 -o "$out/${project##*:}" -nologo -v quiet -clp:NoSummary >"$out/publish.log" 2>&1; then
    cat "$out/publish.log" >&2
    echo "windows-tier: 0 passed, 1 failed"
    exit 1
  fi
done

export WINEPREFIX="$PWD/$out/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="winedbg.exe=d"
export LAUNCHER_WINDOWS_ARTIFACTS="$PWD/$out"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "test-windows: creating the Wine prefix"
  "$wine" wineboot -i >/dev/null 2>&1 || true
fi
# Ends the prefix's own processes (wineserver, services.exe) when the tier ends, however it ends.
trap 'WINEPREFIX="$WINEPREFIX" "$(dirname "$wine")/wineserver" -k >/dev/null 2>&1 || true' EXIT

rm -f "$trx"
set +e
dotnet test tests/Launcher.Tests/Launcher.Tests.csproj -c Release --filter "TestCategory=windows-tier" \
  --logger "trx;LogFileName=windows.trx" --logger "console;verbosity=normal" --results-directory "$results_dir" "$@"
status=$?
set -e

counters=$(grep -o '<Counters [^>]*>' "$trx" 2>/dev/null | head -n 1 || true)
attr() { local v; v=$(printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
passed=$(attr passed)
failed=$(( $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted) ))
skipped=$(( $(attr total) - $(attr executed) ))
[ "$(attr notExecuted)" -gt "$skipped" ] && skipped=$(attr notExecuted)
[ -n "$counters" ] || { echo "test-windows: no test results in $trx" >&2; [ "$status" -ne 0 ] || status=1; failed=$((failed > 0 ? failed : 1)); }
echo "windows-tier: $passed passed, $failed failed, $skipped skipped"
exit "$status"
