#!/usr/bin/env bash
# Copies the shared IDE configurations from ide-configs/ to where each IDE looks for them:
#   ide-configs/rider/*.run.xml                        -> .run/                 (Rider)
#   ide-configs/vscode/{launch,tasks}.json             -> .vscode/              (VS Code)
#   ide-configs/visualstudio/<Project>.launchSettings.json
#                                                      -> src/<Project>/Properties/launchSettings.json
#                                                         (Visual Studio; Rider and `dotnet run` read it too)
# An existing file that differs is never overwritten unless --force is given; in that case nothing at all is
# copied, and the conflicting files are listed. Identical files are left alone. Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h | --help)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
      echo "usage: scripts/install-ide-configs.sh [--force]"
      exit 0
      ;;
    *)
      echo "install-ide-configs: unknown argument '$arg' (usage: scripts/install-ide-configs.sh [--force])" >&2
      exit 2
      ;;
  esac
done

# Pairs of source and destination.
sources=()
destinations=()
add() {
  sources+=("$1")
  destinations+=("$2")
}

for file in ide-configs/rider/*.run.xml; do
  add "$file" ".run/$(basename "$file")"
done
for file in launch.json tasks.json; do
  add "ide-configs/vscode/$file" ".vscode/$file"
done
for file in ide-configs/visualstudio/*.launchSettings.json; do
  project=$(basename "$file" .launchSettings.json)
  if [ ! -d "src/$project" ]; then
    echo "install-ide-configs: $file names project '$project', but src/$project does not exist" >&2
    exit 1
  fi
  add "$file" "src/$project/Properties/launchSettings.json"
done

# Check everything first, so a refusal leaves the tree untouched.
conflicts=()
for i in "${!sources[@]}"; do
  if [ -e "${destinations[$i]}" ] && ! cmp -s "${sources[$i]}" "${destinations[$i]}"; then
    conflicts+=("${destinations[$i]}")
  fi
done
if [ ${#conflicts[@]} -gt 0 ] && [ "$force" -eq 0 ]; then
  echo "install-ide-configs: these files exist and differ from ide-configs/; nothing was copied:" >&2
  printf '  %s\n' "${conflicts[@]}" >&2
  echo "install-ide-configs: compare them, then run again with --force to overwrite" >&2
  exit 1
fi

for i in "${!sources[@]}"; do
  source=${sources[$i]}
  destination=${destinations[$i]}
  if [ -e "$destination" ] && cmp -s "$source" "$destination"; then
    echo "up to date   $destination"
    continue
  fi
  mkdir -p "$(dirname "$destination")"
  cp "$source" "$destination"
  echo "installed    $destination"
done
