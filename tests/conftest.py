"""Shared fixtures: a project-local Prefect home and one Prefect test harness for the whole session."""

from __future__ import annotations

import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

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
