#!/usr/bin/env bash
# Sets up and runs the whole product on its embedded defaults. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m stack
