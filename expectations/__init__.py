"""Data-quality gate for the warehouse: GX suites per published table plus cross-table SQL checks
(`expectations.suites`). Nothing is imported here: great_expectations takes seconds to import."""
