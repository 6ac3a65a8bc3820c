#!/usr/bin/env bash
# Sets up and runs the tests. The static checks run first (scripts/check.sh: ruff,
# mypy, import-linter, tsc, ESLint), then the front end's unit tests (Vitest); then
# pytest, whose harness starts what it needs: a Temporal dev server, a Chroma server,
# the worker and the API (serving the built builder) as processes, a fresh PostgreSQL
# database (127.0.0.1:5432), loopback fakes of OpenAI, Gemini and SerpAPI, and Debian's
# chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure_chromium.sh
bash scripts/ensure_promtool.sh
bash scripts/check.sh
(cd frontend && npm test --silent)
exec .venv/bin/python -m pytest "$@"
