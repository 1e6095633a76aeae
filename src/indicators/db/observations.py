"""Reading current values (the observations no later batch replaced)."""

from __future__ import annotations

import pandas as pd

from indicators.db.connection import Connection


def current_values(con: Connection, codes: list[str], first: str, last: str) -> pd.DataFrame:
    """Current values of the indicators ``codes`` for periods ``first``..``last``
    (``YYYY-MM``, both included). Columns: indicator_code, org_unit, period, value, batch_id."""
    with con.cursor() as cur:  # a cursor of its own: the caller may hold a half-read result
        return cur.execute(
            """SELECT indicator_code, org_unit, period, value, batch_id FROM current_observation
               WHERE list_contains(?, indicator_code) AND period BETWEEN ? AND ?""",
            [list(codes), first, last],
        ).df()


def values_of_month(con: Connection, period: str) -> pd.DataFrame:
    """Current values of every indicator and unit for one month. Columns:
    indicator_code, org_unit, value."""
    return con.execute("SELECT indicator_code, org_unit, value FROM current_observation WHERE period = ?",
                       [period]).df()
