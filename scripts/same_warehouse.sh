#!/usr/bin/env bash
# Load examples/ with two revisions of the code and compare the warehouses' fingerprints (every table's rows
# but run ids and load times): `bash scripts/same_warehouse.sh e836a03 HEAD`. Exit 0 when they are the same.
set -euo pipefail
cd "$(dirname "$0")/.."
a=${1:?usage: same_warehouse.sh REV_A REV_B}; b=${2:-HEAD}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/a" >/dev/null 2>&1 || true; git worktree remove --force "$work/b" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for side in a b; do
  rev=${!side}
  git worktree add -q --detach "$work/$side" "$rev"
  cp -r examples "$work/$side-input"
  # Each revision runs from its own tree with this checkout's installed dependencies.
  (cd "$work/$side" && PYTHONPATH="$work/$side" "$OLDPWD/.venv/bin/python" -m flows.cli load "$work/$side-input" \
      --db "$work/$side.duckdb" --no-docs >/dev/null)
  .venv/bin/python scripts/warehouse_fingerprint.py "$work/$side.duckdb" --root "$work/$side-input" > "$work/$side.json"
done
if diff "$work/a.json" "$work/b.json"; then echo "same warehouse: $a and $b"; else echo "warehouses differ"; exit 1; fi
