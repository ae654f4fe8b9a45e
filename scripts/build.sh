#!/usr/bin/env bash
# Builds everything in Release: the launcher and, beside it, the sample worker.
#   artifacts/launcher/launcher      the launcher executable
#   artifacts/launcher/SampleWorker  the sample worker (also the tests' dummy)
#   scripts/build.sh                 the launcher as a NativeAOT binary (starts in ~10 ms instead of ~80 ms)
#   scripts/build.sh --jit           the launcher framework-dependent: a much faster build for quick iteration
# Quiet on success; compiler errors are printed and the script exits non-zero.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out=artifacts/launcher
launcher_flags=(-r "linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')" -p:PublishAot=true)
if [ "${1:-}" = "--jit" ]; then
  launcher_flags=()
  # A native binary left by an earlier build would otherwise stay in place of the apphost.
  rm -f "$out/launcher"
fi
publish() {
  local project=$1
  shift
  if ! dotnet publish "$project" -c Release -o "$out" -nologo -v quiet -clp:NoSummary "$@"; then
    echo "build.sh: FAILED to publish $project (errors above)" >&2
    exit 1
  fi
}

# One after the other: both reference src/Launcher.Agent, and parallel builds of it would race in obj/.
publish src/Launcher/Launcher.csproj "${launcher_flags[@]}"
publish src/SampleWorker/SampleWorker.csproj

for exe in "$out/launcher" "$out/SampleWorker"; do
  if [ ! -x "$exe" ] && [ ! -x "$exe.exe" ]; then
    echo "build.sh: FAILED: $exe was not produced" >&2
    exit 1
  fi
done
echo "build.sh: built $out/launcher and $out/SampleWorker (Release)"
