"""Data-quality gate for the warehouse: GX suites per published table plus cross-table SQL checks.

The public API lives in :mod:`expectations.suites`; it is re-exported lazily here because importing
great_expectations takes seconds, and ``import expectations`` alone should stay cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Outcome", "docs_index", "load_checks", "validate_batch"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from expectations import suites

        return getattr(suites, name)
    raise AttributeError(f"module 'expectations' has no attribute {name!r}")
