#!/usr/bin/env bash
# Quick start 1: set up, then load the bundled sample reports into data/govreport.duckdb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_HOME="${PREFECT_HOME:-$PWD/.prefect}"
# examples/reports (the seven sample reports) and examples/real (real reports of every kind, a PDF among them)
.venv/bin/govreport load examples --db data/govreport.duckdb
cat <<'NEXT'

Try next:
  .venv/bin/govreport query "SELECT agency_name, report_year, received, refusal_rate FROM v_requests_by_agency_year"
  .venv/bin/govreport diff 上海市人民政府办公厅 --years 2019 2025
  .venv/bin/govreport summary --out summary.html
  .venv/bin/govreport release releases --version demo
  .venv/bin/govreport quarantine
More: README.md (commands), CONTRIBUTING.md (where to change what).
NEXT
