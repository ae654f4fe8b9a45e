#!/usr/bin/env bash
# The Windows tier (issue 15): the win-x64 launcher and SampleWorker under Wine, driven by the tests of category
# `windows-tier` in tests/Launcher.Tests (spawn and log, exactly N, graceful stop, SIGKILL leaves no worker, the
# guard, strays of an earlier run, crash restart, and the service and hook tests beside them).
#   1. wine64 from Debian when absent (--no-install-recommends: 23 packages, ~100 MB, instead of ~100 packages with
#      GStreamer and Mesa; no apt, not root or a refusal: a `skipped` line and exit 0)
#   2. at the same time: dotnet publish -r win-x64 --self-contained of the launcher and SampleWorker in one restore
#      and one build (a two-project solution in a copy of the sources, artifacts/windows/src, so the Linux build's
#      obj/ stays untouched), and the Wine prefix (artifacts/windows/wineprefix, kept for the next run)
#   3. one wineserver kept warm for the whole tier (`wineserver -p`, ended on exit), then
#      dotnet test --filter TestCategory=windows-tier (extra arguments are passed on: scripts/test.sh passes
#      --no-build, the Linux suite having just built the test project)
# Prints `test-windows: <step> took N s` per step; the last line is the tier's totals:
# `windows-tier: N passed, N failed, N skipped`, also written to artifacts/test-results/windows-tier.counts
# ("passed failed skipped") for scripts/test.sh, which adds them to the Linux suite's.
# Exits with dotnet test's exit code (0 when skipped, 1 when a step before the tests failed). On real Windows, see
# README "Windows": publish the same two projects for win-x64 and run `dotnet test --filter TestCategory=windows-tier`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=artifacts/windows
results_dir=artifacts/test-results
trx="$results_dir/windows.trx"
counts="$results_dir/windows-tier.counts"
mkdir -p "$out" "$results_dir"
rm -f "$trx" "$counts"

totals() { # totals PASSED FAILED SKIPPED: the tier's last line and the counts file
  echo "$1 $2 $3" >"$counts"
  echo "windows-tier: $1 passed, $2 failed, $3 skipped"
}

skip() {
  echo "windows-tier: skipped: $1"
  totals 0 0 0
  exit 0
}

fail() {
  echo "test-windows: $1" >&2
  totals 0 1 0
  exit 1
}

step_started=$SECONDS
took() { echo "test-windows: $1 took $((SECONDS - step_started)) s"; step_started=$SECONDS; }

wine=""
find_wine() {
  local candidate
  for candidate in /usr/lib/wine/wine64 /usr/bin/wine64 /usr/bin/wine; do
    if [ -x "$candidate" ]; then wine=$candidate; return 0; fi
  done
  return 1
}

if ! find_wine; then
  command -v apt-get >/dev/null 2>&1 || skip "wine64 is not installed and this is not a Debian-like system (no apt-get)"
  [ "$(id -u)" -eq 0 ] || skip "wine64 is not installed and installing it needs root: sudo apt-get install -y --no-install-recommends wine64"
  echo "test-windows: installing wine64 (Debian)"
  install_wine() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 wine64 >>"$out/apt.log" 2>&1; }
  if ! install_wine; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$out/apt.log" 2>&1 || true
    install_wine || skip "apt-get install wine64 failed: $(tail -n 1 "$out/apt.log")"
  fi
  find_wine || skip "wine64 installed but no wine loader found"
  took "installing wine64"
fi
wineserver="$(dirname "$(readlink -f "$wine")")/wineserver"
[ -x "$wineserver" ] || wineserver=$(command -v wineserver || true)
[ -n "$wineserver" ] || skip "no wineserver beside $wine"

# Wine: no debugger on a crash, no desktop menu entries, no noise.
export WINEPREFIX="$PWD/$out/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="winedbg.exe=d;winemenubuilder.exe=d"
export LAUNCHER_WINDOWS_ARTIFACTS="$PWD/$out"
# Ends the prefix's processes (wineserver, services.exe, ...) when the tier ends, however it ends.
trap '"$wineserver" -k >/dev/null 2>&1 || true' EXIT

# The prefix, in the background while publishing. Wine-Mono and Gecko are not wanted (the .NET build is
# self-contained), so their installers are switched off for this one boot; a prefix left by an earlier run is reused.
prefix_pid=""
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  ( WINEDLLOVERRIDES="mscoree=d;mshtml=d;winemenubuilder.exe=d;winedbg.exe=d" "$wine" wineboot -i >"$out/wineboot.log" 2>&1
    "$wineserver" -w ) &
  prefix_pid=$!
fi

# A copy of the sources: publishing for win-x64 in place would rewrite the Linux build's obj/project.assets.json.
mkdir -p "$out/src"
git ls-files -z --cached --others --exclude-standard -- src Directory.Build.props Directory.Build.targets \
    Directory.Packages.props global.json nuget.config NuGet.Config .editorconfig 2>/dev/null \
  | tar --null -T - -cf - | tar -C "$out/src" -xf -
if [ ! -f "$out/src/windows.slnx" ]; then
  ( cd "$out/src" && dotnet new sln -n windows --format slnx >/dev/null \
      && dotnet sln windows.slnx add src/Launcher/Launcher.csproj src/SampleWorker/SampleWorker.csproj >/dev/null ) \
    || fail "could not write the publish solution in $out/src"
fi

echo "test-windows: publishing launcher and SampleWorker for win-x64 (self-contained)"
# One restore and one build of the shared Launcher.Agent for both. Analyzers off: the Linux build runs them on the
# same sources (warnings are errors there).
if ! dotnet publish "$out/src/windows.slnx" -c Release -r win-x64 --self-contained -p:RunAnalyzers=false \
    -nologo -v quiet -clp:NoSummary >"$out/publish.log" 2>&1; then
  cat "$out/publish.log" >&2
  fail "dotnet publish for win-x64 failed"
fi
for project in Launcher:launcher SampleWorker:sampleworker; do
  rm -rf "${out:?}/${project##*:}"
  cp -al "$out/src/src/${project%%:*}/bin/Release/net10.0/win-x64/publish" "$out/${project##*:}" 2>/dev/null \
    || cp -a "$out/src/src/${project%%:*}/bin/Release/net10.0/win-x64/publish" "$out/${project##*:}"
done
took "publishing"

if [ -n "$prefix_pid" ]; then
  wait "$prefix_pid" || true
  [ -f "$WINEPREFIX/system.reg" ] || { cat "$out/wineboot.log" >&2; fail "wineboot did not create the Wine prefix $WINEPREFIX"; }
  took "creating the Wine prefix (after publishing)"
fi
# One wineserver for the whole tier: without -p it exits 3 s after the last Windows process, and every test's
# first program would pay for starting it (and services.exe, winedevice, explorer) again.
"$wineserver" -p
"$wine" cmd /c exit >/dev/null 2>&1 || true
took "starting the wineserver"

set +e
dotnet test tests/Launcher.Tests/Launcher.Tests.csproj -c Release --filter "TestCategory=windows-tier" \
  --logger "trx;LogFileName=windows.trx" --logger "console;verbosity=normal" --results-directory "$results_dir" "$@"
status=$?
set -e
took "the windows-tier tests"

counters=$(grep -o '<Counters [^>]*>' "$trx" 2>/dev/null | head -n 1 || true)
attr() { local v; v=$(printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
passed=$(attr passed)
failed=$(( $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted) ))
skipped=$(( $(attr total) - $(attr executed) ))
[ "$(attr notExecuted)" -gt "$skipped" ] && skipped=$(attr notExecuted)
if [ -z "$counters" ]; then
  echo "test-windows: no test results in $trx" >&2
  [ "$status" -ne 0 ] || status=1
  [ "$failed" -gt 0 ] || failed=1
fi
totals "$passed" "$failed" "$skipped"
exit "$status"
