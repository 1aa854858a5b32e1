#!/usr/bin/env bash
# Create .venv (if needed) and install govreport with the exact versions in constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.govreport-installed
if [ ! -f "$stamp" ] || [ constraints.txt -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # -qq: setuptools prints a screen of notes about editable installs on every fresh setup; errors still show
  .venv/bin/python -m pip install -qq -c constraints.txt -e ".[dev]"
  touch "$stamp"
fi
