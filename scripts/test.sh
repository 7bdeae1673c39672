#!/usr/bin/env bash
# Set up everything the tests need (venv, packages, Debian's Chromium and nginx), then lint and run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
missing=""
# Browser tests drive Debian's Chromium (Playwright never downloads a browser here); the class-server test
# puts Debian's nginx in front of several processes.
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
