#!/usr/bin/env bash
# Issue 14 closing numbers: failover of a Redis-coordinated instance between two simulated hosts (UTS + pid
# namespaces, needs root), ROUNDS times (default 10) after a SIGKILL of the holder and after a stall of its Redis
# connection: median and max until the standby's worker is verified, and the longest windows with zero and with
# two hosts running a worker (two must be 0 ms; the script exits 1 otherwise). Build first (scripts/build.sh).
# Usage: bench/lease-failover.sh            ROUNDS=10 TTL=5 bench/lease-failover.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x artifacts/launcher/launcher ] || { echo "lease-failover: run scripts/build.sh first" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "lease-failover: redis-server not installed (scripts/install-test-deps.sh)" >&2; exit 1; }
exec /usr/bin/python3 bench/lease_failover.py
