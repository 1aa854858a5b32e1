#!/usr/bin/env bash
# Quick start 1: set up, then load the bundled sample reports into data/govreport.duckdb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_HOME="${PREFECT_HOME:-$PWD/.prefect}"
.venv/bin/govreport load examples/reports --db data/govreport.duckdb
