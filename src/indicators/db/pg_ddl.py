"""The DDL of the schema's migrations that DuckDB cannot run on an attached PostgreSQL —
sequences, ``nextval`` defaults, ``ALTER TABLE … ADD COLUMN`` with a default or a
constraint — and the same statement in PostgreSQL's words (``backend.Postgres``
runs it there itself)."""

from __future__ import annotations

import re

# DDL DuckDB cannot run on an attached PostgreSQL; the same text is valid PostgreSQL
_NATIVE = [
    re.compile(r"^\s*CREATE\s+SEQUENCE\b", re.IGNORECASE),
    re.compile(r"\bnextval\s*\(", re.IGNORECASE),
    re.compile(r"^\s*ALTER\s+TABLE\b.*\bADD\s+COLUMN\b.*\b(DEFAULT|NOT\s+NULL|CHECK)\b", re.IGNORECASE | re.DOTALL),
]
_DUCKDB_TYPES = [(re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.IGNORECASE), "DOUBLE PRECISION")]


def needs_native_ddl(stmt: str) -> bool:
    return any(p.search(stmt) for p in _NATIVE)


def native_ddl(stmt: str) -> str:
    """``stmt`` in PostgreSQL's words (DuckDB's ``DOUBLE`` is ``DOUBLE PRECISION`` there)."""
    for pattern, replacement in _DUCKDB_TYPES:
        stmt = pattern.sub(replacement, stmt)
    return stmt
