#!/usr/bin/env bash
# Create .venv (once) and install ganlab-panel into it with the pinned CPU torch wheel.
# Usage: scripts/setup.sh [extra]   e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv 2>/dev/null || [ -x .venv/bin/python ] || { echo "python3 -m venv failed" >&2; exit 1; }
target="."
[ -n "${1:-}" ] && target=".[$1]"
# constraints.txt pins torch==2.13.0 (the CPU wheel): an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "$target"
