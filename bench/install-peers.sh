#!/usr/bin/env bash
# Installs the peers bench/peers.sh compares the launcher with, when they are missing: supervisord (Debian's
# `supervisor` package) and pm2 (from npm, into the global prefix). Needs root for apt-get; not part of CI.
# Usage: bench/install-peers.sh
set -euo pipefail
if ! command -v supervisord >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends supervisor >/dev/null
  # The package starts its own daemon; the benchmark runs private ones and needs none in the background.
  systemctl disable --now supervisor >/dev/null 2>&1 || service supervisor stop >/dev/null 2>&1 || true
fi
if ! command -v pm2 >/dev/null; then
  command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
  npm install -g --silent pm2 >/dev/null
fi
echo "install-peers: $(supervisord --version 2>/dev/null | head -1 | sed 's/^/supervisord /'), pm2 $(pm2 --version 2>/dev/null | tail -1)"
