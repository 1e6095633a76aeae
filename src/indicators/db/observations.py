"""Reading current values (the observations no later batch replaced)."""

from __future__ import annotations

import pandas as pd

from indicators.db.connection import Connection

# fixed list: the view ``Settings.review_counts`` makes every reader of current values use
# — the dispatch table and the trend chart alike (never user text in SQL)
COUNTED_VIEWS = {"pending": "current_observation", "approved": "approved_observation"}


def current_values(con: Connection, codes: list[str], first: str, last: str,
                   counted: str = "pending") -> pd.DataFrame:
    """Current values of the indicators ``codes`` for periods ``first``..``last``
    (``YYYY-MM``, both included), of what counts (``counted``: ``COUNTED_VIEWS``).
    Columns: indicator_code, org_unit, period, value, batch_id."""
    with con.cursor() as cur:  # a cursor of its own: the caller may hold a half-read result
        return cur.execute(
            f"""SELECT indicator_code, org_unit, period, value, batch_id FROM {COUNTED_VIEWS[counted]}
               WHERE list_contains(?, indicator_code) AND period BETWEEN ? AND ?""",
            [list(codes), first, last],
        ).df()


def values_of_month(con: Connection, period: str) -> pd.DataFrame:
    """Current values of every indicator and unit for one month. Columns:
    indicator_code, org_unit, value."""
    return con.execute("SELECT indicator_code, org_unit, value FROM current_observation WHERE period = ?",
                       [period]).df()
