#!/usr/bin/env bash
# Quick start 1: set up, then load the bundled sample reports into data/govreport.duckdb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_HOME="${PREFECT_HOME:-$PWD/.prefect}"
# examples/reports (the seven sample reports) and examples/real (real reports of every kind, a PDF among them)
.venv/bin/govreport load examples --db data/govreport.duckdb
