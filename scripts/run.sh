#!/usr/bin/env bash
# Builds (scripts/build.sh: skipped in well under a second when no input changed since the last build), then runs
# the launcher from the repository root:
#   scripts/run.sh                    launcher run (uses ./launcher.json)
#   scripts/run.sh --debug            launcher run --debug
#   scripts/run.sh --config my.json   launcher run --config my.json (relative to the repository root)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/build.sh >&2
exec artifacts/launcher/launcher run "$@"
