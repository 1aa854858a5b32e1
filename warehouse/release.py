"""`govreport release DIR --version V`: the published warehouse as a versioned dataset researchers can cite.

Layout of DIR/V (every file listed with its SHA-256 in DIR/V/SHA256SUMS, `sha256sum -c SHA256SUMS` checks it):
  datapackage.json          Frictionless (Tabular) Data Package: the CSV files' Table Schemas, keys, code list
  CODEBOOK.md               the same descriptions for people, the metric catalog, how the panel is built
  CITATION.cff              how to cite the release
  CHANGES.md                reports added, revised, removed and changed against the newest earlier version in DIR
  csv/<name>.csv            plain UTF-8 (the data package's resources)
  csv_bom/<name>.csv        the same bytes after a UTF-8 byte order mark, so spreadsheet programs read Chinese
  parquet/<name>.parquet    the same rows with their database types
  stata/panel_agency_year.dta   the panel for Stata 14+ (format 118: Unicode)
<name> is each star-schema table (dim_*, fact_*), each analysis view (v_*) and panel_agency_year.

Deterministic: the same warehouse gives the same bytes. Rows are ordered (primary key, else every column),
Parquet is written by pyarrow in row groups of exactly ROW_GROUP_SIZE rows (so they do not depend on how
DuckDB's threads cut its batches), and the only dates are the given version and the date the data is as of
(data_as_of.sql).
Versions are ordered naturally (runs of digits as numbers: 1.9 < 1.10 < 2026.1); CHANGES.md compares with
the greatest version below V that DIR holds. The release is written into a temporary sibling folder and
renamed to DIR/V; an existing DIR/V is left as it is: identical (same SHA256SUMS) is a no-op, different is
refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pathlib
import re
import shutil
import tempfile
from datetime import date, datetime
from importlib import resources
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

PANEL = "panel_agency_year"
SUMS = "SHA256SUMS"
BOM = b"\xef\xbb\xbf"
ROW_GROUP_SIZE = 100_000  # fixed, so the Parquet bytes do not depend on how the rows arrived
VERSION_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]*")  # a folder name on every system, no path parts
DEFAULT_AUTHOR = "govreport contributors"
CITE = ("If you use these data, cite this release, and for each figure the report it is read from "
        "(fact_report.report_id, title, source_path) and its evidence text (fact_metric.evidence).")
TITLE = "Chinese government information-disclosure annual reports (政府信息公开工作年度报告): figures with evidence"
# Relationships the DDL states only in COMMENTs (DuckDB enforces declared foreign keys on every write, which
# publish's whole-report replacement would trip over); any foreign key the DDL does declare is added to these.
KNOWN_FOREIGN_KEYS: dict[str, list[tuple[tuple[str, ...], str, tuple[str, ...]]]] = {
    "fact_report": [(("agency_id",), "dim_agency", ("agency_id",)), (("report_year",), "dim_year", ("year",))],
    "fact_metric": [(("report_id",), "fact_report", ("report_id",)), (("agency_id",), "dim_agency", ("agency_id",)),
                    (("metric_code",), "dim_metric", ("metric_code",)), (("report_year",), "dim_year", ("year",))],
    PANEL: [(("agency_id",), "dim_agency", ("agency_id",)), (("report_id",), "fact_report", ("report_id",)),
            (("report_year",), "dim_year", ("year",))],
}
PANEL_ID_COLUMNS = {  # panel column -> (table, column) whose COMMENT describes it
    "agency_id": ("dim_agency", "agency_id"), "report_year": ("fact_report", "report_year"),
    "report_id": ("fact_report", "report_id"), "agency_name": ("dim_agency", "agency_name"),
    "province": ("dim_agency", "province"), "city": ("dim_agency", "city"), "county": ("dim_agency", "county"),
    "division_code": ("dim_agency", "division_code"),
    "division_code_in_year": ("fact_report", "division_code_in_year"),
}
PANEL_RULES = (
    "One row per agency and report year: the current version (fact_report.is_current) of that agency's report "
    "for the year. Reports of unknown year, and reports of agencies named (unknown), are not in the panel "
    "(they are in fact_report). One column per metric code of the catalog (all of them, in code order, so "
    "releases share columns), holding the report's total for that metric: the fact_metric row with breakdown "
    "'' (empty). Breakdowns (applicant columns of the request table, categories, channels, years) are not "
    "summed into the panel, since a report's breakdowns need not add up to its total and some overlap; they "
    "are in fact_metric and v_metric_detail, one row per figure. Empty = the report did not state the total. "
    "Where a report states two different totals for a metric (a prose figure beside its table), the panel "
    "holds the larger, as the analysis views do; fact_metric has both, each with its evidence. "
    "Qualifiers (at least, approximately) and evidence are in fact_metric.")


@dataclasses.dataclass
class Column:
    name: str
    data_type: str
    nullable: bool
    comment: str | None


@dataclasses.dataclass
class Released:
    name: str
    kind: str  # table, view or panel
    comment: str | None
    columns: list[Column]
    primary_key: list[str]
    foreign_keys: list[tuple[tuple[str, ...], str, tuple[str, ...]]]
    rows: int = 0


@dataclasses.dataclass
class ReleaseResult:
    path: pathlib.Path
    previous: str | None
    objects: list[Released]
    unchanged: bool  # the version existed already with the same bytes: nothing was written
    changes: dict[str, int]


def _sql(name: str) -> str:
    return resources.files("warehouse").joinpath("release_sql", name).read_text(encoding="utf-8")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: pathlib.Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of version names: digit runs compare as numbers (1.9 < 1.10), other runs as text, a
    digit run before a text run; a version that extends another sorts after it (1.0 < 1.0.1)."""
    return tuple((0, int(run)) if run.isdigit() else (1, run) for run in re.findall(r"\d+|\D+", version))


def previous_version(root: pathlib.Path, version: str) -> str | None:
    """The greatest release in root ordered below version (a folder with a datapackage.json), or None."""
    earlier = [p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
               and (p / "datapackage.json").is_file() and version_key(p.name) < version_key(version)]
    return max(earlier, key=version_key, default=None)


# ---------------------------------------------------------------- what is released


def describe(con: duckdb.DuckDBPyConnection) -> list[Released]:
    """Every released table and view with its columns and keys, from the database's own catalog."""
    objects: dict[str, Released] = {}
    for obj, kind, obj_comment, col, _idx, data_type, nullable, col_comment in con.execute(
            _sql("columns.sql")).fetchall():
        released = objects.setdefault(obj, Released(obj, kind, obj_comment, [], [], []))
        released.columns.append(Column(col, data_type, bool(nullable), col_comment))
    declared: dict[str, list] = {}
    for table, ctype, cols, ref_table, ref_cols in con.execute(_sql("keys.sql")).fetchall():
        if table not in objects:
            continue
        if ctype == "PRIMARY KEY":
            objects[table].primary_key = list(cols)
        else:
            declared.setdefault(table, []).append((tuple(cols), ref_table, tuple(ref_cols)))
    for name, released in objects.items():
        released.foreign_keys = _present(objects, name, KNOWN_FOREIGN_KEYS.get(name, []) + declared.get(name, []))
    return sorted(objects.values(), key=lambda o: (o.kind != "table", o.name))


def _present(objects: dict[str, Released], name: str, keys: list) -> list:
    """The foreign keys whose columns exist on both sides (another branch may not have a table yet)."""
    have = {n: {c.name for c in o.columns} for n, o in objects.items()}
    found = []
    for cols, ref, ref_cols in keys:
        if ref in have and set(cols) <= have.get(name, set()) and set(ref_cols) <= have[ref]:
            if (cols, ref, ref_cols) not in found:
                found.append((cols, ref, ref_cols))
    return found


def _order_by(obj: Released) -> str:
    """A fixed row order: the primary key, else every column left to right. Columns are qualified with the
    object's name so that in the CSV query they mean the stored values, not the select list's text forms."""
    cols = obj.primary_key or [c.name for c in obj.columns]
    return ", ".join(f"{_ident(obj.name)}.{_ident(c)}" for c in cols)


def metric_catalog(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute(_sql("metrics.sql"))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def stata_names(codes: list[str]) -> dict[str, str]:
    """Metric code -> Stata variable name: dots become underscores, cut to Stata's 32 characters; a name
    that a cut makes equal to another's gets a number in its last characters."""
    names: dict[str, str] = {}
    taken = set(PANEL_ID_COLUMNS)
    for code in codes:
        name = re.sub(r"[^0-9A-Za-z_]", "_", code)[:32]
        n = 1
        while name in taken:
            n += 1
            name = f"{name[:32 - len(str(n))]}{n}"
        taken.add(name)
        names[code] = name
    return names


def panel(con: duckdb.DuckDBPyConnection, codes: list[str]) -> pl.DataFrame:
    """The agency x year x metric panel in wide form (PANEL_RULES)."""
    reports = con.sql(_sql("panel_reports.sql")).pl()
    cells = con.sql(_sql("panel_cells.sql")).pl()
    if cells.height:
        wide = cells.pivot(on="metric_code", index="report_id", values="value")
    else:
        wide = pl.DataFrame({"report_id": []}, schema={"report_id": pl.String})
    missing = [pl.lit(None, dtype=pl.Float64).alias(c) for c in codes if c not in wide.columns]
    wide = wide.with_columns(missing).select("report_id", *codes)
    return reports.join(wide, on="report_id", how="left").sort("agency_id", "report_year")


def _panel_object(frame: pl.DataFrame, catalog: list[dict[str, Any]],
                  objects: list[Released]) -> Released:
    comments = {(o.name, c.name): c for o in objects for c in o.columns}
    labels = {m["metric_code"]: m for m in catalog}
    columns = []
    for name, dtype in frame.schema.items():
        if name in labels:
            m = labels[name]
            comment = f"{m['label_zh']} ({m['unit']}; section {m['section']}): the report's total (breakdown '')."
            columns.append(Column(name, "DOUBLE", True, comment))
        else:
            source = comments.get(PANEL_ID_COLUMNS.get(name, ("", "")))
            data_type = source.data_type if source else ("INTEGER" if dtype.is_integer() else "VARCHAR")
            required = name in ("agency_id", "report_year", "report_id", "agency_name")
            columns.append(Column(name, data_type, not required, source.comment if source else None))
    released = Released(PANEL, "panel", "Agency x report year x metric panel in wide form. " + PANEL_RULES,
                        columns, ["agency_id", "report_year"], [])
    released.foreign_keys = _present({o.name: o for o in objects} | {PANEL: released}, PANEL,
                                     KNOWN_FOREIGN_KEYS[PANEL])
    return released


# ---------------------------------------------------------------- writing the files


def _csv_expr(col: Column) -> str:
    """How a column is written to CSV: lists as JSON arrays (Table Schema's array type), timestamps in ISO 8601
    with a T (Table Schema's datetime), everything else as DuckDB writes it."""
    name = _ident(col.name)
    if col.data_type.endswith("[]"):
        return f"to_json({name}) AS {name}"
    if col.data_type == "TIMESTAMP":
        return f"strftime({name}, '%Y-%m-%dT%H:%M:%S.%f') AS {name}"
    return name


def _write_object(con: duckdb.DuckDBPyConnection, obj: Released, out: pathlib.Path) -> int:
    """A table or view streamed to Parquet and CSV in batches (a 100k-report warehouse has GBs of text), in
    the same order; returns its row count."""
    order = _order_by(obj)
    reader = con.sql(f"SELECT * FROM {_ident(obj.name)} ORDER BY {order}").to_arrow_reader(ROW_GROUP_SIZE)
    pending: list[pa.RecordBatch] = []
    with pq.ParquetWriter(out / "parquet" / f"{obj.name}.parquet", reader.schema, compression="zstd") as writer:
        # Row groups of exactly ROW_GROUP_SIZE rows (the last one shorter), however DuckDB cuts its batches.
        for batch in reader:
            pending.append(batch)
            buffered = pa.Table.from_batches(pending, schema=reader.schema)
            while buffered.num_rows >= ROW_GROUP_SIZE:
                writer.write_table(buffered.slice(0, ROW_GROUP_SIZE), row_group_size=ROW_GROUP_SIZE)
                buffered = buffered.slice(ROW_GROUP_SIZE)
            pending = buffered.to_batches()
        rest = pa.Table.from_batches(pending, schema=reader.schema)
        if rest.num_rows:
            writer.write_table(rest, row_group_size=ROW_GROUP_SIZE)
    csv_path = out / "csv" / f"{obj.name}.csv"
    rows = con.execute(f"COPY (SELECT {', '.join(_csv_expr(c) for c in obj.columns)} FROM {_ident(obj.name)} "
                       f"ORDER BY {order}) TO {_literal(csv_path)} "
                       "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')").fetchone()[0]
    _bom_copy(csv_path, out / "csv_bom" / f"{obj.name}.csv")
    return rows


def _bom_copy(plain: pathlib.Path, target: pathlib.Path) -> None:
    with plain.open("rb") as src, target.open("wb") as dst:
        dst.write(BOM)
        shutil.copyfileobj(src, dst, 1 << 20)


def _write_panel(con: duckdb.DuckDBPyConnection, table: pa.Table, obj: Released, out: pathlib.Path) -> None:
    """The panel (built in memory: one row per report) to Parquet and CSV."""
    pq.write_table(table, out / "parquet" / f"{obj.name}.parquet", compression="zstd",
                   row_group_size=ROW_GROUP_SIZE)
    csv_path = out / "csv" / f"{obj.name}.csv"
    con.register("release_rows", table)
    try:
        con.execute(f"COPY (SELECT {', '.join(_csv_expr(c) for c in obj.columns)} FROM release_rows) "
                    f"TO {_literal(csv_path)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
    finally:
        con.unregister("release_rows")
    _bom_copy(csv_path, out / "csv_bom" / f"{obj.name}.csv")


def _write_stata(frame: pl.DataFrame, obj: Released, names: dict[str, str], path: pathlib.Path,
                 as_of: date | None, version: str) -> None:
    data = frame.to_pandas()
    for col in obj.columns:
        if col.data_type == "VARCHAR":
            # Stata has no missing string: "" is its missing value (and pandas refuses None in a str column).
            data[col.name] = data[col.name].astype(object).where(data[col.name].notna(), "")
    data = data.rename(columns=names)
    labels = {names.get(c.name, c.name): (c.name if c.name in names else (c.comment or ""))[:80]
              for c in obj.columns}
    data.to_stata(path, write_index=False, version=118, byteorder="little",
                  # the file's time stamp: the date the data is as of, not the time it was written
                  time_stamp=datetime.combine(as_of or date(2000, 1, 1), datetime.min.time()),
                  data_label=f"govreport release {version}: agency x year x metric panel"[:80],
                  variable_labels=labels)


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- datapackage.json


FIELD_TYPES = [  # DuckDB type (prefix) -> Table Schema type; anything else is released as a string
    (("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
      "UHUGEINT"), "integer"),
    (("DOUBLE", "FLOAT", "DECIMAL", "REAL"), "number"),
    (("BOOLEAN",), "boolean"),
    (("DATE",), "date"),
    (("TIMESTAMP",), "datetime"),
]


def field_type(data_type: str) -> str:
    if data_type.endswith("[]"):
        return "array"
    if data_type == "TIMESTAMP WITH TIME ZONE":
        return "string"
    for prefixes, kind in FIELD_TYPES:
        if data_type == prefixes[0] or any(data_type == p or data_type.startswith(p + "(") for p in prefixes):
            return kind
    return "string"


def _field(col: Column, codes: list[str]) -> dict[str, Any]:
    field: dict[str, Any] = {"name": col.name, "type": field_type(col.data_type)}
    if col.comment:
        field["description"] = col.comment
    constraints: dict[str, Any] = {}
    if not col.nullable:
        constraints["required"] = True
        if field["type"] == "string":
            # An empty string is a value here (breakdown '' = the total), not a missing one.
            field["missingValues"] = []
    if col.name == "metric_code":
        constraints["enum"] = codes  # the metric catalog as the code list
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage(objects: list[Released], codes: list[str], version: str, out: pathlib.Path,
                as_of: date | None) -> dict[str, Any]:
    resources_ = []
    for obj in objects:
        path = out / "csv" / f"{obj.name}.csv"
        schema: dict[str, Any] = {"fields": [_field(c, codes) for c in obj.columns]}
        if obj.primary_key:
            schema["primaryKey"] = obj.primary_key
        if obj.foreign_keys:
            schema["foreignKeys"] = [{"fields": list(cols), "reference": {"resource": ref, "fields": list(ref_cols)}}
                                     for cols, ref, ref_cols in obj.foreign_keys]
        resource = {"name": obj.name, "path": f"csv/{obj.name}.csv", "profile": "tabular-data-resource",
                    "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                    "bytes": path.stat().st_size, "hash": f"sha256:{_sha256(path)}"}
        if obj.comment:
            resource["description"] = obj.comment
        resource["schema"] = schema
        resources_.append(resource)
    package: dict[str, Any] = {
        "profile": "tabular-data-package", "name": "govreport", "title": TITLE, "version": version,
        "description": ("Figures stated in Chinese government information-disclosure annual reports, each with "
                        "the report it is read from and the evidence text. Also as UTF-8 CSV with a byte order "
                        "mark (csv_bom/), Parquet (parquet/) and Stata (stata/); see CODEBOOK.md."),
        "resources": resources_,
    }
    if as_of:
        package["created"] = f"{as_of.isoformat()}T00:00:00Z"  # the date the data is as of (see data_as_of.sql)
    return package


# ---------------------------------------------------------------- CODEBOOK.md, CITATION.cff


def _cell(text: Any) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def codebook(package: dict[str, Any], objects: list[Released], catalog: list[dict[str, Any]],
             names: dict[str, str], as_of: date | None, current: int) -> str:
    rows = {o.name: o.rows for o in objects}
    lines = [f"# govreport release {package['version']}: codebook", "",
             package["title"] + ".", "",
             f"Data as of {as_of.isoformat() if as_of else 'unknown'}. Generated from the warehouse's own column "
             "comments, as is `datapackage.json`; `SHA256SUMS` lists every file with its SHA-256.", "",
             "## Files", "",
             "| table | rows | CSV (UTF-8) | CSV for spreadsheets (UTF-8 with BOM) | Parquet |",
             "|---|---:|---|---|---|"]
    for r in package["resources"]:
        name = r["name"]
        lines.append(f"| {name} | {rows[name]:,} | `{r['path']}` | `csv_bom/{name}.csv` | `parquet/{name}.parquet` |")
    lines += ["", f"The panel is also `stata/{PANEL}.dta` (Stata 14 and later, Unicode; variable names below).", "",
              "In the CSV files an empty cell is a missing value, except in columns marked required, where it is "
              "an empty string (fact_metric.breakdown '' = the total). Lists (fact_report.flags) are JSON arrays. "
              "Parquet keeps the database types and tells an empty string from a missing one everywhere.", "",
              "## How the panel is built", "", PANEL_RULES, "",
             f"In this release: {current:,} current reports, {rows[PANEL]:,} of them in the panel "
             f"({current - rows[PANEL]:,} of unknown year or agency).", ""]
    for r, obj in zip(package["resources"], objects, strict=True):
        schema = r["schema"]
        lines += [f"## {obj.name}", "", _cell(obj.comment or "(no description)"), ""]
        if schema.get("primaryKey"):
            lines.append(f"Primary key: {', '.join(schema['primaryKey'])}.")
        for fk in schema.get("foreignKeys", []):
            lines.append(f"Foreign key: {', '.join(fk['fields'])} → {fk['reference']['resource']}"
                         f"({', '.join(fk['reference']['fields'])}).")
        if schema.get("primaryKey") or schema.get("foreignKeys"):
            lines.append("")
        if obj.name == PANEL:
            fields = [f for f in schema["fields"] if f["name"] in PANEL_ID_COLUMNS]
            lines.append(f"Besides these, one number column per metric code ({len(catalog)}; see the metric "
                         "catalog below).")
            lines.append("")
        else:
            fields = schema["fields"]
        lines += ["| column | type | required | description |", "|---|---|---|---|"]
        for f in fields:
            required = "yes" if f.get("constraints", {}).get("required") else ""
            lines.append(f"| {f['name']} | {f['type']} | {required} | {_cell(f.get('description'))} |")
        lines.append("")
    lines += ["## Metric catalog", "",
              "The code list of fact_metric.metric_code and the panel's columns (Stata: the variable name; its "
              "variable label is the code).", "",
              "| metric_code | Stata variable | unit | section | label | may be negative | notes |",
              "|---|---|---|---|---|---|---|"]
    for m in catalog:
        lines.append(f"| {m['metric_code']} | {names[m['metric_code']]} | {_cell(m['unit'])} | {_cell(m['section'])} "
                     f"| {_cell(m['label_zh'])} | {'yes' if m['signed'] else ''} | {_cell(m['notes'])} |")
    return "\n".join(lines) + "\n"


def citation(version: str, as_of: date | None, authors: list[str]) -> str:
    def q(text: str) -> str:  # a JSON string is a YAML double-quoted scalar
        return json.dumps(text, ensure_ascii=False)

    lines = ["cff-version: 1.2.0",
             f"message: {q(CITE)}",
             "type: dataset",
             f"title: {q(TITLE)}",
             f"version: {q(version)}"]
    if as_of:
        lines.append(f"date-released: {q(as_of.isoformat())}")
    lines.append("authors:")
    lines += [f"  - name: {q(a)}" for a in authors]
    lines += ["keywords:", "  - government information disclosure", "  - 政府信息公开", "  - annual reports", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- CHANGES.md


def changes(new_dir: pathlib.Path, old_dir: pathlib.Path | None, version: str,
            previous: str | None) -> tuple[str, dict[str, int]]:
    """CHANGES.md of the release in new_dir against the one in old_dir (changes.sql), and its counts."""
    lines = [f"# Changes in release {version}", ""]
    with duckdb.connect() as con:
        def rows(folder: pathlib.Path, table: str) -> int:
            path = _literal(folder / "parquet" / table)
            return con.execute(f"SELECT count(*) FROM read_parquet({path})").fetchone()[0]

        def reports(folder: pathlib.Path) -> int:
            return rows(folder, "fact_report.parquet")

        def facts(folder: pathlib.Path) -> int:
            return rows(folder, "fact_metric.parquet")

        counts = {"reports": reports(new_dir), "facts": facts(new_dir)}
        if old_dir is None:
            lines += [f"First release: no earlier version in this folder. {counts['reports']:,} reports, "
                      f"{counts['facts']:,} facts.", ""]
            return "\n".join(lines), counts | {"added": counts["reports"]}
        for side, folder in (("old", old_dir), ("new", new_dir)):
            for table, view in (("fact_report", "report"), ("fact_metric", "metric"), ("dim_agency", "agency")):
                con.execute(f"CREATE TEMP VIEW {side}_{view}_all AS SELECT * FROM "
                            f"read_parquet({_literal(folder / 'parquet' / f'{table}.parquet')})")
        for view, leave_out in (("report", {"run_id", "is_current"}), ("metric", set()), ("agency", set())):
            old_cols = [r[0] for r in con.execute(f"DESCRIBE old_{view}_all").fetchall()]
            new_cols = {r[0] for r in con.execute(f"DESCRIBE new_{view}_all").fetchall()}
            shared = ", ".join(_ident(c) for c in old_cols if c in new_cols and c not in leave_out)
            for side in ("old", "new"):
                con.execute(f"CREATE TEMP VIEW {side}_{view} AS SELECT {shared} FROM {side}_{view}_all")
        con.execute("CREATE TEMP VIEW old_current AS "
                    "SELECT report_id FROM old_report_all WHERE is_current IS NOT FALSE")
        cur = con.execute(_sql("changes.sql"))
        names = [d[0] for d in cur.description]
        listed = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        old_counts = {"reports": reports(old_dir), "facts": facts(old_dir)}
    # Every fact that differs belongs to one listed report (an added or revised one, a removed one, or a
    # changed one), so the listed counts add up to the release's.
    totals = (sum(r["facts_added"] for r in listed), sum(r["facts_removed"] for r in listed))
    by_kind = {k: [r for r in listed if r["change"] == k] for k in ("added", "revised", "removed", "changed")}
    counts |= {k: len(v) for k, v in by_kind.items()} | {"facts_added": totals[0], "facts_removed": totals[1]}
    lines += [f"Compared with release {previous} (the greatest earlier version in this folder).", "",
              "| | release " + previous + " | release " + version + " |", "|---|---:|---:|",
              f"| reports | {old_counts['reports']:,} | {counts['reports']:,} |",
              f"| facts | {old_counts['facts']:,} | {counts['facts']:,} |", "",
              f"Reports: {counts['added']} added, {counts['revised']} revised (a new version of an agency's report "
              f"for a year), {counts['removed']} removed, {counts['changed']} changed (same report, other metadata "
              f"or figures). Facts: {totals[0]:,} added, {totals[1]:,} removed (a changed figure counts as one "
              "of each).", ""]
    titles = {"added": "Added reports", "revised": "Revised reports", "removed": "Removed reports",
              "changed": "Changed reports"}
    for kind, rows in by_kind.items():
        lines += [f"## {titles[kind]} ({len(rows)})", ""]
        if not rows:
            lines += ["None.", ""]
            continue
        extra = {"revised": " | supersedes", "changed": " | metadata changed"}.get(kind, "")
        lines += [f"| report_id | agency | year | facts added | facts removed{extra} |",
                  "|---|---|---|---:|---:|" + ("---|" if extra else "")]
        for r in rows:
            tail = {"revised": f" | {r['supersedes']}", "changed": f" | {'yes' if r['metadata_changed'] else ''}"
                    }.get(kind, "")
            year = "" if r["report_year"] is None else r["report_year"]
            lines.append(f"| {r['report_id']} | {_cell(r['agency_name'])} | {year} | {r['facts_added']} "
                         f"| {r['facts_removed']}{tail} |")
        lines.append("")
    return "\n".join(lines), counts


# ---------------------------------------------------------------- the release


def _write(con: duckdb.DuckDBPyConnection, out: pathlib.Path, version: str, authors: list[str],
           previous: pathlib.Path | None, previous_name: str | None) -> tuple[list[Released], dict[str, int]]:
    for folder in ("csv", "csv_bom", "parquet", "stata"):
        (out / folder).mkdir()
    as_of = con.execute(_sql("data_as_of.sql")).fetchone()[0]
    objects = describe(con)
    catalog = metric_catalog(con)
    codes = [m["metric_code"] for m in catalog]
    for obj in objects:
        obj.rows = _write_object(con, obj, out)
    frame = panel(con, codes)
    panel_obj = _panel_object(frame, catalog, objects)
    panel_obj.rows = frame.height
    objects.append(panel_obj)
    _write_panel(con, frame.to_arrow(), panel_obj, out)
    names = stata_names(codes)
    _write_stata(frame, panel_obj, names, out / "stata" / f"{PANEL}.dta", as_of, version)
    package = datapackage(objects, codes, version, out, as_of)
    (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    current = con.execute("SELECT count(*) FROM fact_report WHERE is_current IS NOT FALSE").fetchone()[0]
    (out / "CODEBOOK.md").write_text(codebook(package, objects, catalog, names, as_of, current), encoding="utf-8")
    (out / "CITATION.cff").write_text(citation(version, as_of, authors), encoding="utf-8")
    text, counts = changes(out, previous, version, previous_name)
    (out / "CHANGES.md").write_text(text, encoding="utf-8")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    (out / SUMS).write_text("".join(f"{_sha256(out / f)}  {f}\n" for f in files), encoding="utf-8")
    return objects, counts


def build_release(con: duckdb.DuckDBPyConnection, out_dir: str | pathlib.Path, version: str,
                  authors: list[str] | None = None) -> ReleaseResult:
    """Write the published warehouse as release `version` under out_dir (see the module docstring)."""
    if not VERSION_PATTERN.fullmatch(version):
        raise ValueError(f"version {version!r}: use letters, digits and . _ + - (e.g. 2026.1 or 1.0.0)")
    root = pathlib.Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    target = root / version
    previous = previous_version(root, version)
    work = pathlib.Path(tempfile.mkdtemp(prefix=f".{version}.release-", dir=root))
    try:
        objects, counts = _write(con, work, version, authors or [DEFAULT_AUTHOR],
                                 root / previous if previous else None, previous)
        if target.exists():
            if (target / SUMS).is_file() and (target / SUMS).read_bytes() == (work / SUMS).read_bytes():
                return ReleaseResult(target, previous, objects, True, counts)
            raise FileExistsError(f"{target} exists and differs from what this warehouse gives for version "
                                  f"{version}: releases are not overwritten; choose a new version")
        try:
            os.rename(work, target)  # one step: a reader sees no release or the whole of it
        except OSError as exc:  # created meanwhile by another release of the same version
            raise FileExistsError(f"{target} appeared while this release was written: {exc}") from exc
        return ReleaseResult(target, previous, objects, False, counts)
    finally:
        shutil.rmtree(work, ignore_errors=True)
