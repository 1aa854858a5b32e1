"""The warehouse schema as one HTML page: every table and view with its COMMENT and row count, and every column
with its type, nullability and COMMENT, read from DuckDB's catalog (where warehouse/ddl and views put them)."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from datetime import datetime
from html import escape

import duckdb


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    data_type: str
    nullable: bool
    comment: str | None


@dataclass(frozen=True)
class ObjectInfo:
    name: str
    kind: str  # table | view
    comment: str | None
    rows: int
    columns: tuple[ColumnInfo, ...]
    sql: str | None  # a view's definition


_OWN = "NOT internal AND NOT temporary AND schema_name = 'main' AND database_name = current_database()"


def catalog(con: duckdb.DuckDBPyConnection) -> list[ObjectInfo]:
    """Tables, then views, each by name."""
    found = con.execute(
        f"SELECT table_name, 'table', comment, NULL FROM duckdb_tables() WHERE {_OWN} "
        f"UNION ALL SELECT view_name, 'view', comment, sql FROM duckdb_views() WHERE {_OWN} "
        "ORDER BY 2, 1").fetchall()
    columns: dict[str, list[ColumnInfo]] = {}
    for table, name, data_type, nullable, comment in con.execute(
            "SELECT table_name, column_name, data_type, is_nullable, comment FROM duckdb_columns() "
            "WHERE NOT internal AND schema_name = 'main' AND database_name = current_database() "
            "ORDER BY table_name, column_index").fetchall():
        columns.setdefault(table, []).append(ColumnInfo(name, data_type, nullable, comment))
    return [ObjectInfo(name, kind, comment, con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0],
                       tuple(columns.get(name, ())), sql)
            for name, kind, comment, sql in found]


STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: #222;
       max-width: 1100px; margin: 24px auto; padding: 0 16px; }
h2 { margin-top: 2em; font-size: 1.2em; } .kind { color: #777; font-weight: normal; font-size: 0.8em; }
table { border-collapse: collapse; font-size: 0.9em; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
td.name, td.type { font-family: ui-monospace, monospace; white-space: nowrap; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 0.85em; }
.meta { color: #555; font-size: 0.9em; } ul.toc { columns: 3; }
"""


def _object_html(obj: ObjectInfo) -> str:
    rows = "".join(
        f'<tr data-column="{escape(c.name)}"><td class="name">{escape(c.name)}</td>'
        f'<td class="type">{escape(c.data_type)}</td><td>{"" if c.nullable else "NOT NULL"}</td>'
        f'<td class="comment">{escape(c.comment or "")}</td></tr>'
        for c in obj.columns)
    definition = (f"<details><summary>definition</summary><pre>{escape(obj.sql)}</pre></details>"
                  if obj.sql else "")
    return (f'<section id="{escape(obj.name)}" data-object="{escape(obj.name)}" data-kind="{obj.kind}">'
            f'<h2>{escape(obj.name)} <span class="kind">{obj.kind}</span></h2>'
            f'<p class="comment">{escape(obj.comment or "")}</p>'
            f'<p class="meta">rows: <span data-rows>{obj.rows}</span></p>'
            "<table><thead><tr><th>column</th><th>type</th><th>null</th><th>comment</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{definition}</section>")


def render(objects: list[ObjectInfo], source: str, generated: datetime, data_docs: str | None) -> str:
    toc = "".join(f'<li><a href="#{escape(o.name)}">{escape(o.name)}</a> <span class="kind">{o.kind}</span></li>'
                  for o in objects)
    docs = f' GX Data Docs: <a href="{escape(data_docs)}">validation results</a>.' if data_docs else ""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>govreport schema</title>'
            f"<style>{STYLE}</style></head><body><h1>govreport warehouse schema</h1>"
            f'<p class="meta">Warehouse {escape(source)}, {generated.strftime("%Y-%m-%d %H:%M")}.{docs}</p>'
            f'<ul class="toc">{toc}</ul>' + "".join(_object_html(o) for o in objects) + "</body></html>\n")


def write_schema_page(con: duckdb.DuckDBPyConnection, out: str | pathlib.Path, source: str,
                      data_docs: str | None = None) -> pathlib.Path:
    """Write the page to `out`; data_docs is a link (relative to the page) to the GX Data Docs index."""
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(catalog(con), source, datetime.now(), data_docs), encoding="utf-8")
    return out
