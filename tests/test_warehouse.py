"""warehouse/: staging, the all-or-nothing publish, and the schema's documentation."""

from datetime import datetime

import duckdb
import polars as pl
import pytest

from expectations import spans, staged
from flows.discover import list_report_files
from tests.conftest import EXAMPLES
from transforms.decode import decode_files
from transforms.extract import catalog, extract_records
from transforms.normalize import normalize_batch
from warehouse import db


@pytest.fixture(scope="module")
def records():
    return extract_records(normalize_batch(decode_files(list_report_files(EXAMPLES))))


def load(con, records, run_id="r1"):
    db.reset_staging(con)
    db.stage(con, db.frames_from_records(records, run_id, datetime(2026, 1, 1)))
    db.publish(con)


def test_publish_then_republish_is_idempotent(tmp_path, records):
    con = db.connect(tmp_path / "w.duckdb")
    load(con, records)
    first = db.table_counts(con)
    load(con, records, "r2")
    assert db.table_counts(con) == first
    assert first["fact_report"] == 7 and first["fact_metric"] == sum(len(r["metrics"]) for r in records)


def test_republished_content_is_seen_again_not_copied(tmp_path, records):
    con = db.connect(tmp_path / "w.duckdb")
    load(con, records[:3])
    moved = [dict(r, source=f"moved/{r['source']}") for r in records]
    db.reset_staging(con)
    db.stage(con, db.frames_from_records(moved, "r2", datetime(2026, 1, 2)))
    db.publish(con)
    rows = con.execute("SELECT sha256, source_path, first_seen::DATE, last_seen::DATE FROM raw_report").fetchall()
    ok = [r for r in records if r["status"] == "ok"]
    assert len(rows) == len(ok)
    old = {r["sha256"] for r in records[:3] if r["status"] == "ok"}
    for sha, path, first, last in rows:
        assert path.startswith("moved/") and str(last) == "2026-01-02"
        assert str(first) == ("2026-01-01" if sha in old else "2026-01-02")


def test_failed_publish_rolls_back_everything(tmp_path, records):
    con = db.connect(tmp_path / "w.duckdb")
    load(con, records)
    before = db.table_counts(con)
    metrics_before = con.execute("SELECT sum(value) FROM fact_metric").fetchone()
    db.reset_staging(con)
    db.stage(con, db.frames_from_records(records, "r2", datetime(2026, 1, 2)))
    # Fail halfway through publish.sql, after the DELETEs of the republished reports already ran.
    def boom() -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        db.publish(con, mid_transaction=boom)
    assert db.table_counts(con) == before
    assert con.execute("SELECT sum(value) FROM fact_metric").fetchone() == metrics_before


def test_one_agency_id_however_the_report_writes_the_name(tmp_path, records, monkeypatch):
    shuyang = next(r for r in records if r["agency"] == "沭阳县发展和改革局")
    variants = []
    for i, written in enumerate(["沭阳县发改局", "沭阳发改局", "沭阳县发展和改革局"]):
        variants.append(dict(shuyang, sha256=f"{i:064x}", agency=written, source=f"v{i}.html"))
    con = db.connect(tmp_path / "w.duckdb")
    load(con, variants)
    assert con.execute("SELECT agency_name FROM dim_agency").fetchall() == [("沭阳县发展和改革局",)]
    assert con.execute("SELECT count(DISTINCT agency_id) FROM fact_report").fetchone()[0] == 1
    # A user's alias CSV merges a renamed body into its successor.
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("kind,alias,canonical,note\nname,沭阳县发展和改革局,沭阳县发展改革委员会,renamed\n",
                       encoding="utf-8")
    monkeypatch.setenv(db.ALIASES_ENV, str(aliases))
    con2 = db.connect(tmp_path / "w2.duckdb")
    load(con2, variants)
    assert con2.execute("SELECT agency_name FROM dim_agency").fetchall() == [("沭阳县发展改革委员会",)]


def test_connect_is_idempotent_and_seeds_dimensions(tmp_path):
    path = tmp_path / "w.duckdb"
    db.connect(path).close()
    con = db.connect(path)
    assert con.execute("SELECT count(*) FROM dim_metric").fetchone()[0] == len(catalog()) > 100
    assert con.execute("SELECT regulation_era FROM dim_year WHERE year = 2018").fetchone()[0] == "2008_regulation"
    assert con.execute("SELECT regulation_era FROM dim_year WHERE year = 2019").fetchone()[0] == "2019_revision"
    undocumented = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND comment IS NULL "
        "AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE NOT temporary)").fetchall()
    assert undocumented == []


def test_read_only_reader_sees_published_state(tmp_path, records):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    load(con, records)
    con.close()
    reader = db.connect(path, read_only=True)
    assert reader.execute("SELECT count(*) FROM fact_report").fetchone()[0] == 7
    with pytest.raises(duckdb.Error):
        reader.execute("DELETE FROM fact_report")


def test_validation_in_parts_equals_validation_in_one(tmp_path, records, monkeypatch):
    """The load validates big runs in parts (bounded memory): the verdicts must not depend on the split."""
    import flows.load as load_module

    bad = [dict(r, metrics=[dict(m) for m in r["metrics"]]) for r in records]
    victims = [r for r in bad if r["status"] == "ok" and r["metrics"] and r["metrics"][0]["code"] != "proactive.items_change"]
    for r in victims:  # one bad value in every report, so every part has one
        r["metrics"][0]["value"] = -3  # no unsigned metric may be negative
    con = db.connect(tmp_path / "w.duckdb")
    db.stage(con, db.frames_from_records(bad, "r1", datetime(2026, 1, 1)))
    whole = load_module.validate.fn(con, None)
    monkeypatch.setattr(staged, "VALIDATION_ROWS", 40)
    assert len(staged.validation_parts(con)) > 5  # one batch: split by a hash of report_id
    parted = load_module.validate.fn(con, None)
    key = lambda o: (o.table, o.expectation, o.column, o.severity, o.success, o.unexpected_count)  # noqa: E731
    assert sorted(map(key, parted)) == sorted(map(key, whole))
    failed = [o for o in parted if not o.success and o.severity == "critical"]
    assert [(o.table, o.column, o.unexpected_count) for o in failed] == [("fact_metric", "value", len(victims))]
    assert len(victims) == 7


def test_validation_parts_are_runs_of_batches(tmp_path, records, monkeypatch):
    """Parts read only their own batches' Parquet; together they hold every staged fact once."""
    ok = [r for r in records if r["status"] == "ok"]
    batches = (ok[:2], ok[2:3], ok[3:5], ok[5:])
    for no, batch in enumerate(batches, 1):
        db.write_batch(db.frames_from_records(batch, "r1", datetime(2026, 1, 1)), tmp_path / "run", no)
    con = db.connect(tmp_path / "w.duckdb")
    db.stage_dir(con, tmp_path / "run")
    sizes = [sum(len(r["metrics"]) for r in batch) for batch in batches]
    monkeypatch.setattr(staged, "VALIDATION_ROWS", max(sizes))  # no batch needs splitting, no two biggest fit together
    parts = staged.validation_parts(con)
    assert all(p.startswith("m.batch BETWEEN") for p in parts) and 2 <= len(parts) <= 3, parts
    got = [len(staged.staged_for_validation(con, p, first=False)["fact_metric"]) for p in parts]
    assert sum(got) == sum(sizes) and max(got) <= staged.VALIDATION_ROWS
    monkeypatch.setattr(staged, "VALIDATION_ROWS", 10**9)
    assert staged.validation_parts(con) == [None]


def test_staged_validation_catches_bad_strings_and_spans(tmp_path, records):
    """Through the writer's own path (Arrow -> categorical pandas for GX, spans checked in Python)."""
    import flows.load as load_module

    bad = [dict(r, metrics=[dict(m) for m in r["metrics"]]) for r in records]
    victim = next(r for r in bad if r["status"] == "ok" and len(r["metrics"]) > 1)
    victim["metrics"][0]["qualifier"] = "roughly"
    victim["metrics"][1]["span"] = [m + 1 for m in victim["metrics"][1]["span"]]
    con = db.connect(tmp_path / "w.duckdb")
    db.stage(con, db.frames_from_records(bad, "r1", datetime(2026, 1, 1)))
    failed = {(o.table, o.column, o.unexpected_count) for o in load_module.validate.fn(con, None)
              if not o.success and o.severity == "critical"}
    assert failed == {("fact_metric", "qualifier", 1), ("span_inside_text", None, 1)}


def test_fact_metric_primary_key_of_older_warehouses_is_dropped_keeping_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE fact_metric (report_id VARCHAR NOT NULL, agency_id VARCHAR NOT NULL, report_year INTEGER,"
                " metric_code VARCHAR NOT NULL, breakdown VARCHAR NOT NULL, value DOUBLE NOT NULL, unit VARCHAR NOT NULL,"
                " qualifier VARCHAR NOT NULL, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL,"
                " evidence VARCHAR NOT NULL, PRIMARY KEY (report_id, metric_code, breakdown, value))")
    con.execute("INSERT INTO fact_metric VALUES ('r', 'a', 2020, 'requests.received', '', 1, '件', 'exact', 0, 1, 'x')")
    con.close()
    for _ in range(2):  # the second open finds nothing to migrate
        con = db.connect(path)
        assert con.execute("SELECT count(*) FROM fact_metric").fetchall() == [(1,)]
        assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'fact_metric' "
                           "AND constraint_type = 'PRIMARY KEY'").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'fact_metric_keyed'"
                           ).fetchall() == [(0,)]
        con.close()


SPAN_CASES = [
    # (texts, facts as (text index, start, end, evidence)) -> whether each fact fails the span check
    (["收到申请12件"], [(0, 2, 4, "申请"), (0, 4, 7, "12件"), (0, 0, 7, "收到申请12件")], [False, False, False]),
    (["收到申请12件"], [(0, 2, 4, "申"), (0, 2, 4, "收到"), (0, 5, 8, "2件"), (0, -1, 1, "收")], [True] * 4),
    (["a😀b", "é"], [(0, 1, 2, "😀"), (0, 2, 3, "b"), (1, 0, 1, "é"), (1, 1, 1, "")], [False] * 4),
    (["a😀b"], [(0, 1, 3, "😀"), (0, 1, 2, "b"), (0, 3, 3, ""), (0, 3, 4, "")], [True, True, False, True]),
    (["", "第二份"], [(1, 0, 3, "第二份"), (0, 0, 0, ""), (0, 0, 1, "x"), (-1, 0, 1, "x")], [False, False, True, False]),
    ([None, "x"], [(0, 0, 1, "x"), (1, 0, 1, "x"), (1, None, 1, "x"), (1, 0, 1, None)], [False, False, True, True]),
]


@pytest.mark.parametrize(("texts", "facts", "expected"), SPAN_CASES)
def test_span_mismatches(texts, facts, expected):
    import numpy as np
    import pyarrow as pa

    at, starts, ends, evidence = zip(*facts, strict=True)
    got = spans.span_mismatches(pa.array(texts, pa.string()), np.array(at, dtype=np.int64),
                             pa.chunked_array([pa.array(starts, pa.int32())]),
                             pa.chunked_array([pa.array(ends, pa.int32())]), pa.chunked_array([pa.array(evidence)]))
    assert got.tolist() == expected


def test_span_mismatches_agrees_with_python_slices():
    """Random spans over mixed 1- to 4-byte text, against the definition: text[start:end] == evidence."""
    import random

    import numpy as np
    import pyarrow as pa

    rng = random.Random(7)
    alphabet = "ab1 。公开申请件😀é"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(30)]
    facts = []
    for _ in range(2000):
        i = rng.randrange(len(texts))
        s = rng.randint(-2, len(texts[i]) + 2)
        e = s + rng.randint(-1, 6)
        true = texts[i][max(s, 0):max(e, 0)]
        evidence = true if rng.random() < 0.6 else true[:-1] + rng.choice(alphabet) if true else rng.choice(alphabet)
        facts.append((i, s, e, evidence))
    at, starts, ends, evidence = zip(*facts, strict=True)
    got = spans.span_mismatches(pa.array(texts), np.array(at, dtype=np.int64), pa.chunked_array([pa.array(starts)]),
                             pa.chunked_array([pa.array(ends)]), pa.chunked_array([pa.array(evidence)]))
    want = [not (0 <= s <= e <= len(texts[i]) and texts[i][s:e] == ev) for i, s, e, ev in facts]
    assert got.tolist() == want and 300 < sum(want) < 1700


def test_staged_span_check_by_batch_equals_the_check_over_the_whole_run(tmp_path, records):
    """The load's span check (a background thread, one Parquet batch at a time) finds exactly what the check
    over the staged views finds: bad spans in two batches, and a later batch's copy of a report counted once."""
    ok = [dict(r, metrics=[dict(m) for m in r["metrics"]]) for r in records if r["status"] == "ok"]
    for r in (ok[0], ok[4]):
        r["metrics"][0]["span"] = [s + 1 for s in r["metrics"][0]["span"]]
    batches = (ok[:2], ok[2:4], ok[4:], ok[:1])  # the last: a copy of the first report, bad span and all
    for no, batch in enumerate(batches, 1):
        db.write_batch(db.frames_from_records(batch, "r1", datetime(2026, 1, 1)), tmp_path / "run", no)
    con = db.connect(tmp_path / "w.duckdb")
    db.stage_dir(con, tmp_path / "run")
    started = spans.staged_python_checks(con)
    whole = spans.python_checks(con)["span_inside_text"]
    by_batch = started()["span_inside_text"]
    assert by_batch[0] == whole[0] == "critical"
    assert by_batch[1].to_dict("records") == whole[1].to_dict("records")
    assert sorted(by_batch[1]["report_id"]) == sorted(r["sha256"] for r in (ok[0], ok[4]))


def test_text_columns_are_read_for_nulls_unless_the_parquet_statistics_rule_them_out(tmp_path, records):
    ok = [r for r in records if r["status"] == "ok"]
    for no, batch in enumerate((ok[:3], ok[3:]), 1):
        frames = db.frames_from_records(batch, "r1", datetime(2026, 1, 1))
        if no == 2:  # a null text, which the suites must see
            frames["fact_report"] = frames["fact_report"].with_columns(
                pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise(pl.col("normalized_text"))
                .alias("normalized_text"))
        db.write_batch(frames, tmp_path / "run", no)
    con = db.connect(tmp_path / "w.duckdb")
    db.stage_dir(con, tmp_path / "run")
    assert staged._null_free(con, "raw_report", "raw_text") and not staged._null_free(con, "fact_report", "normalized_text")
    frames = staged.staged_for_validation(con)
    assert set(frames["raw_report"]["raw_text"]) == {""}
    assert frames["fact_report"]["normalized_text"].isna().sum() == 1
    assert set(frames["fact_report"]["normalized_text"].dropna()) == {""}
    con.execute("DROP TABLE stg_batch_file")  # stg_* over other tables (the published warehouse): read them
    assert not staged._null_free(con, "raw_report", "raw_text")


def test_a_failed_commit_is_reported_as_itself(tmp_path, records):
    """A full disk fails the COMMIT and ends the transaction; the ROLLBACK after it must not replace that error."""
    con = db.connect(tmp_path / "w.duckdb")
    db.stage(con, db.frames_from_records(records, "r1", datetime(2026, 1, 1)))

    class CommitFails:
        def __init__(self, inner):
            self.inner = inner

        def execute(self, sql, *args):
            if sql == "COMMIT":
                self.inner.execute("ROLLBACK")  # what a failed COMMIT leaves: no transaction
                raise duckdb.IOException("No space left on device")
            return self.inner.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    with pytest.raises(duckdb.IOException, match="No space left on device"):
        db.publish(CommitFails(con))
    assert con.execute("SELECT count(*) FROM fact_report").fetchone()[0] == 0


def _hold_read_only(path, seconds: float):
    """Another process reading the warehouse (a long query): it holds the file's lock for `seconds`."""
    import subprocess
    import sys
    import time
    proc = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], "
                             "read_only=True); print('ready', flush=True); time.sleep(float(sys.argv[2]))",
                             str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc, time.monotonic()


def test_publish_waits_for_a_reader_to_leave(tmp_path, records, monkeypatch):
    import time
    path = tmp_path / "w.duckdb"
    db.connect(path).close()
    mem = db.open_staging()
    db.stage(mem, db.frames_from_records(records, "r1", datetime(2026, 1, 1)))
    monkeypatch.setenv(db.PUBLISH_WAIT_ENV, "60")
    proc, started = _hold_read_only(path, 3)
    with db.attached(mem, path):
        db.publish(mem)
    assert time.monotonic() - started >= 2.5  # it waited for the reader rather than failing
    proc.wait()
    mem.close()
    assert duckdb.connect(str(path), read_only=True).execute("SELECT count(*) FROM fact_report").fetchone()[0] == 7


def test_publish_gives_up_after_its_wait(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    db.connect(path).close()
    monkeypatch.setenv(db.PUBLISH_WAIT_ENV, "1")
    proc, _ = _hold_read_only(path, 10)
    try:
        with pytest.raises(duckdb.IOException, match="lock"):
            with db.attached(db.open_staging(), path):
                pass
    finally:
        proc.kill()
