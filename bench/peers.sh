#!/usr/bin/env bash
# Issue 12, part 6: the launcher beside supervisord and pm2 with the same `sleep` workers, one table with ratios
# (idle CPU, RSS, status latency, restart latency, time to ready for 1/10/50, stop time, orphans after SIGKILL).
# Run bench/install-peers.sh first to install the peers (a missing one is skipped); scripts/build.sh for the launcher.
# Not part of CI: takes about 5 minutes.   Usage: bench/peers.sh      IDLE=60 ROUNDS=10 bench/peers.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec /usr/bin/python3 bench/peers.py "$@"
