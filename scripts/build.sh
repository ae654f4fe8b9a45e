#!/usr/bin/env bash
# Builds everything in Release: the launcher and, beside it, the sample worker.
#   artifacts/launcher/launcher            the launcher executable
#   artifacts/launcher/launcher-companion  its helpers (exec shim, watchdog) as a small NativeAOT binary; the launcher
#                                          runs them itself when this file is missing (--jit builds none)
#   artifacts/launcher/SampleWorker        the sample worker (also the tests' dummy)
#   scripts/build.sh                 the launcher as a NativeAOT binary (starts in ~10 ms instead of ~80 ms)
#   scripts/build.sh --jit           the launcher framework-dependent: a much faster build for quick iteration
#   scripts/build.sh --force         build even when nothing changed
# Nothing changed, nothing built: a stamp (artifacts/build.stamp) records a hash of every build input (the files
# under src/ that git tracks or would track, Directory.*.props, global.json, .editorconfig, this script, the flags
# and the installed SDKs) and of the two executables it produced. When both still match, the NativeAOT publish
# (30-50 s, because the AOT link always reruns) is skipped. A fresh clone has no stamp, so CI always builds.
# Quiet on success; compiler errors are printed and the script exits non-zero.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out=artifacts/launcher
stamp=artifacts/build.stamp
jit=false
force=false
for arg in "$@"; do
  case "$arg" in
    --jit) jit=true ;;
    --force) force=true ;;
    *) echo "build.sh: unknown argument '$arg' (expected --jit and/or --force)" >&2; exit 2 ;;
  esac
done

launcher_flags=(-r "linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')" -p:PublishAot=true)
if $jit; then
  launcher_flags=()
fi

# Every file the build reads that a developer edits. git lists tracked files and new files not yet added (but not
# bin/ and obj/, which .gitignore excludes); without git (an exported tarball) find does the same job.
input_files() {
  local roots=(src Directory.Build.props Directory.Build.targets Directory.Packages.props global.json nuget.config NuGet.Config .editorconfig scripts/build.sh)
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard -- "${roots[@]}"
  else
    find "${roots[@]}" -type f -not -path '*/bin/*' -not -path '*/obj/*' -print0 2>/dev/null || true
  fi
}

# One line per input: its hash and path (a renamed file changes the stamp too), then the flags and the SDKs that
# global.json's rollForward could pick.
inputs_hash() {
  {
    input_files | sort -z | while IFS= read -r -d '' file; do
      # A tracked file deleted from the work tree is listed by git but has no content to hash.
      [ -f "$file" ] && printf '%s\0' "$file"
    done | xargs -0 -r sha256sum
    echo "flags: ${launcher_flags[*]-} jit=$jit"
    local dotnet_root
    dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
    echo "sdks: $(ls "$dotnet_root/sdk" 2>/dev/null | tr '\n' ' ')"
  } | sha256sum | cut -d' ' -f1
}

# The executables as they are now: a build by another route (dotnet publish by hand, --jit) changes them.
outputs_hash() {
  sha256sum "$out/launcher" "$out/launcher-companion" "$out/SampleWorker" 2>/dev/null | sha256sum | cut -d' ' -f1
}

inputs=$(inputs_hash)
if ! $force && [ -f "$stamp" ] && [ -x "$out/launcher" ] && [ -x "$out/SampleWorker" ] \
  && { $jit || [ -x "$out/launcher-companion" ]; } \
  && [ "$(cat "$stamp")" = "inputs $inputs outputs $(outputs_hash)" ]; then
  echo "build.sh: $out/launcher and $out/SampleWorker are up to date (no input changed; --force rebuilds)"
  exit 0
fi

# No stamp while building: an interrupted or failed build must not look up to date next time.
rm -f "$stamp"
if $jit; then
  # A native binary left by an earlier build would otherwise stay in place of the apphost, and an old companion
  # would run the helpers of this new launcher.
  rm -f "$out/launcher" "$out/launcher-companion"
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
if ! $jit; then
  publish src/Launcher.Companion/Launcher.Companion.csproj "${launcher_flags[@]}"
fi
publish src/SampleWorker/SampleWorker.csproj

expected=("$out/launcher" "$out/SampleWorker")
$jit || expected+=("$out/launcher-companion")
for exe in "${expected[@]}"; do
  if [ ! -x "$exe" ] && [ ! -x "$exe.exe" ]; then
    echo "build.sh: FAILED: $exe was not produced" >&2
    exit 1
  fi
done
# The inputs as they were when the build started: an edit made during the build is seen next time.
echo "inputs $inputs outputs $(outputs_hash)" > "$stamp.tmp"
mv -f "$stamp.tmp" "$stamp"
echo "build.sh: built $out/launcher$($jit || echo " and launcher-companion") and $out/SampleWorker (Release)"
