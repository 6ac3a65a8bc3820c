#!/usr/bin/env bash
# Sets up and runs the tests. The test harness starts what it needs: a Temporal dev
# server, a Chroma server, the worker and the API as processes, a fresh PostgreSQL
# database (127.0.0.1:5432), and loopback fakes of OpenAI, Gemini and SerpAPI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
