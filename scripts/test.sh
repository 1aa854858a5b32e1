#!/usr/bin/env bash
# Quick start 2: set up, lint, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_HOME="${PREFECT_HOME:-$PWD/.prefect}"
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
