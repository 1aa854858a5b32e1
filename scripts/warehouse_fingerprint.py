"""A fingerprint of a warehouse's content: per table, its row count and the SHA-256 of every row in key order,
leaving out what differs between two loads of the same files by nature (run ids, load times, paths under
another folder: paths are taken relative to --root). Two warehouses built from the same files by two versions
of the code have the same fingerprint exactly when refactoring changed no byte of the data.

    .venv/bin/python scripts/warehouse_fingerprint.py data/govreport.duckdb [--root examples]
    bash scripts/same_warehouse.sh REV_A REV_B       # loads examples/ with each revision and compares
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import sys

import duckdb

TABLES = ("raw_report", "dim_agency", "dim_year", "dim_metric", "fact_report", "fact_metric", "quarantine",
          "source_file")
# Differ between two loads of the same files by nature: when and in which run, not what.
VOLATILE = {"run_id", "first_seen", "last_seen", "quarantined_at", "loaded_at", "mtime_ns",
            "extractor_version"}
PATHS = {"source_path", "path"}


def fingerprint(db: str, root: str | None) -> dict[str, dict]:
    con = duckdb.connect(db, read_only=True)
    prefix = str(pathlib.Path(root).resolve()) + "/" if root else ""
    out = {}
    for table in TABLES:
        cols = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                          "ORDER BY column_index", [table]).fetchall()]
        if not cols:
            continue
        exprs = [f"replace(\"{c}\", ?, '')" if c in PATHS else f'"{c}"' for c in cols if c not in VOLATILE]
        params = [prefix] * sum(c in PATHS for c in cols if c not in VOLATILE)
        rows = con.execute(f"SELECT {', '.join(exprs)} FROM {table} ORDER BY ALL", params).fetchall()
        digest = hashlib.sha256()
        for row in rows:
            digest.update(repr(row).encode())
        out[table] = {"rows": len(rows), "sha256": digest.hexdigest()}
    con.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("--root", help="the folder the load read: its path is cut from stored paths")
    args = parser.parse_args(argv)
    json.dump(fingerprint(args.db, args.root), sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
