"""The record every extractor emits: one figure with its provenance in the normalized text."""

from __future__ import annotations

from typing import NamedTuple

QUALIFIERS = ("exact", "at_least", "approx", "stated_none")
APPLICANT_COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                     "legal_service_org", "other_org", "")  # "" is the 总计 column


class Fact(NamedTuple):  # immutable like a frozen dataclass, and several times cheaper to create
    code: str          # metric code from warehouse/metric_catalog.csv
    breakdown: str     # "" for a total; see the extract contract for the others
    value: float       # in the catalog unit
    unit: str          # the catalog unit (consultations keep 件/人次 as written)
    qualifier: str     # one of QUALIFIERS
    start: int         # [start, end) of the evidence in the normalized text
    end: int
    rule: str = ""     # the rule or parser that produced it (`table3:row`, `prose:proactive.total`): for audit
