#!/usr/bin/env bash
# Set up (first run only takes a minute) and serve the app on http://localhost:5006/app
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/ganlab-panel serve "$@"
