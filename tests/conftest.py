"""Shared fixtures: a project-local Prefect home and one Prefect test harness for the whole session."""

from __future__ import annotations

import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
# A command the tests run without PREFECT_API_URL starts a temporary server of its own, as a user can ask for:
# no shared server outlives the suite (tests/test_prefect_server.py tests the shared one and stops it).
os.environ.setdefault("GOVREPORT_PREFECT_SERVER", "temporary")

import pytest  # noqa: E402

EXAMPLES = ROOT / "examples" / "reports"  # the sample warehouse's seven reports: tests assert its figures
REAL = ROOT / "examples" / "real"          # more real reports of every kind, scored against their gold
GOLD = pathlib.Path(__file__).resolve().parent / "fixtures" / "gold"


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect's own test harness: a temporary API for real flow runs (started once, ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


# Modules whose tests run real flows, servers, subprocesses or an office suite: `pytest -m "not slow"` leaves
# them out for a fast edit loop (CI runs everything).
_SLOW_MODULES = {"test_load_flow", "test_ops", "test_reliability", "test_roundtrip", "test_scale", "test_summary",
                 "test_export_docs", "test_compare", "test_views"}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs real flows, servers, subprocesses or LibreOffice")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in _SLOW_MODULES or "prefect_harness" in item.fixturenames:
            item.add_marker(pytest.mark.slow)


def require_tool(name: str, install: str) -> str:
    """The path of a command a test drives (chromium, soffice): skipped locally when absent, failed under CI
    (where .ci/run installs it), so a green CI never hides a test that did not run."""
    import shutil

    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed ({install}; .ci/run installs it)")
        pytest.skip(f"{name} is not installed ({install})")
    return found


def read_report(data: bytes, paged: bool | None = None) -> dict:
    """One file's bytes through decode, normalize and extract, as the pipeline reads it (one-row batch).
    `paged` defaults to whether the bytes were a PDF or Word document."""
    import polars as pl

    from transforms.decode import decode_bytes
    from transforms.extract import PAGED_ENCODINGS, extract_report
    from transforms.normalize import normalize_frame

    decoded = decode_bytes(data)
    assert decoded.error is None, decoded.error
    text = normalize_frame(pl.DataFrame({"text": [decoded.text]}))["norm_text"][0]
    record = extract_report(text, paged=decoded.encoding in PAGED_ENCODINGS if paged is None else paged)
    return record | {"encoding": decoded.encoding}
