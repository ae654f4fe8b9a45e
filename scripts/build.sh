#!/usr/bin/env bash
# Builds everything in Release: the launcher and, beside it, the sample worker.
#   artifacts/launcher/launcher      the launcher executable
#   artifacts/launcher/SampleWorker  the sample worker (also the tests' dummy)
# Quiet on success; compiler errors are printed and the script exits non-zero.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out=artifacts/launcher
publish() {
  if ! dotnet publish "$1" -c Release -o "$out" -nologo -v quiet -clp:NoSummary; then
    echo "build.sh: FAILED to publish $1 (errors above)" >&2
    exit 1
  fi
}

# One after the other: both reference src/Launcher.Agent, and parallel builds of it would race in obj/.
publish src/Launcher/Launcher.csproj
publish src/SampleWorker/SampleWorker.csproj

for exe in "$out/launcher" "$out/SampleWorker"; do
  if [ ! -x "$exe" ] && [ ! -x "$exe.exe" ]; then
    echo "build.sh: FAILED: $exe was not produced" >&2
    exit 1
  fi
done
echo "build.sh: built $out/launcher and $out/SampleWorker (Release)"
