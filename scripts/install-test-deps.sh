#!/usr/bin/env bash
# Installs the real peers the tests run against, when they are missing (Debian/Ubuntu):
#   redis-server    (redis-server; brings redis-cli)
#   python3-celery  (checked as `/usr/bin/python3 -c 'import celery'`)
#   python3-rq      (checked as `/usr/bin/python3 -c 'import rq'`)
#   chromium        (the status page tests load the page in headless Chromium; they fail, not skip, in CI without it)
# Always /usr/bin/python3: the machine's default `python3` may be a pyenv build without Debian's packages.
#
# Idempotent and fast when everything is present (no apt call at all). Runs `apt-get update` once, only
# when something is missing. Not root, or no apt-get: prints what to install and exits 0; the tests that
# need a missing peer are then skipped with that reason.
set -euo pipefail

python=/usr/bin/python3
missing=()

if ! command -v redis-server >/dev/null 2>&1; then
  missing+=(redis-server)
fi
if ! { [ -x "$python" ] && "$python" -c 'import celery' >/dev/null 2>&1; }; then
  missing+=(python3-celery)
fi
if ! { [ -x "$python" ] && "$python" -c 'import rq' >/dev/null 2>&1; }; then
  missing+=(python3-rq)
fi

if ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: redis-server, python3-celery, python3-rq, chromium present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${missing[*]}, and this is not a Debian-like system (no apt-get)." >&2
  echo "install-test-deps: install them with your package manager; the tests that need them will be skipped." >&2
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${missing[*]}; the tests that need them will be skipped. To install:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi

echo "install-test-deps: installing ${missing[*]}"

# Package scripts must not start a system redis-server on port 6379 that outlives this script (the tests
# start their own on a free port). policy-rc.d exit 101 is Debian's "do not start services" switch; put
# one in place only for the duration of the install, and only when the machine has none.
policy=/usr/sbin/policy-rc.d
remove_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  remove_policy=1
fi
cleanup() {
  if [ "$remove_policy" -eq 1 ]; then
    rm -f "$policy"
  fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt_options=(-q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=120)
apt-get "${apt_options[@]}" update >/dev/null
apt-get "${apt_options[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null

# Fail loudly if the packages did not give what the tests look for.
command -v redis-server >/dev/null 2>&1 || { echo "install-test-deps: redis-server still missing" >&2; exit 1; }
"$python" -c 'import celery, rq' || { echo "install-test-deps: celery/rq still not importable by $python" >&2; exit 1; }
command -v chromium >/dev/null 2>&1 || { echo "install-test-deps: chromium still missing" >&2; exit 1; }
echo "install-test-deps: installed ${missing[*]}"
