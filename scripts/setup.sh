#!/usr/bin/env bash
# Creates .venv and installs the project, then builds the web builder (frontend/dist),
# which the API serves. Torch comes first, pinned to the CPU build, so nothing later
# pulls a multi-GB CUDA build. Re-running is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[test]"
(
  cd frontend
  npm ci --no-audit --no-fund --loglevel=error
  npm run build --silent
)
