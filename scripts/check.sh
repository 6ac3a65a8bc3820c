#!/usr/bin/env bash
# The static checks, each failing the run: ruff (lint and format), mypy, import-linter's
# layering contracts, and the front end's tsc and ESLint. scripts/test.sh runs them
# before the tests; run this alone after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff check" && .venv/bin/ruff check .
echo "== ruff format --check" && .venv/bin/ruff format --check .
echo "== mypy" && .venv/bin/mypy
echo "== import-linter" && .venv/bin/lint-imports --no-cache
echo "== front end: tsc and ESLint" && (cd frontend && npm run --silent check)
