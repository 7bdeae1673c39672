#!/usr/bin/env bash
# Set up (first run only takes a minute) and serve the app on http://localhost:5006/app
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ ! -x /usr/sbin/nginx ] && command -v apt-get >/dev/null; then
  # nginx in front lets the server use every core (one process each); without it, one process serves all
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null; } ||
    echo "could not install nginx: serving on one process" >&2
fi
exec .venv/bin/ganlab-panel serve "$@"
