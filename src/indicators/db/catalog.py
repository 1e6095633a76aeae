"""Reading setup data back: units, indicators, responsibilities, current targets."""

from __future__ import annotations

import pandas as pd

from indicators.db.connection import Connection


def org_units(con: Connection) -> pd.DataFrame:
    """Columns: code, name, parent_code, level, sort_order, aliases (ordered for display)."""
    return con.execute(
        "SELECT code, name, parent_code, level, sort_order, aliases FROM org_unit ORDER BY level, sort_order, code"
    ).df()


def indicators(con: Connection) -> pd.DataFrame:
    """One row per indicator with its responsibility joined in (lead_department and
    leader as names, plus their codes)."""
    return con.execute(
        """SELECT i.code, i.name, i.aliases, i.category, i.unit, i.kind, i.direction, i.frequency,
                  i.decimals, i.numerator_code, i.denominator_code, i.factor, i.description,
                  i.source, i.allow_negative, i.sort_order,
                  r.lead_department AS lead_department_code, d.name AS lead_department,
                  r.leader AS leader_code, l.name AS leader, l.title AS leader_title,
                  r.support_departments, r.note AS responsibility_note
           FROM indicator i
           LEFT JOIN responsibility r ON r.indicator_code = i.code
           LEFT JOIN department d ON d.code = r.lead_department
           LEFT JOIN leader l ON l.code = r.leader
           ORDER BY i.sort_order, i.code"""
    ).df()


def departments(con: Connection) -> pd.DataFrame:
    return con.execute("SELECT code, name FROM department ORDER BY code").df()


def leaders(con: Connection) -> pd.DataFrame:
    return con.execute("SELECT code, name, title FROM leader ORDER BY code").df()


def current_targets(con: Connection, year: int | None = None) -> pd.DataFrame:
    """The latest target per (indicator, unit, year). Columns: indicator_code, org_unit,
    year, value, basis (``level`` | ``increase`` | None), milestones, set_at, set_by, reason."""
    sql = """SELECT indicator_code, org_unit, year, value, basis, milestones, set_at, set_by, reason
             FROM target {where}
             QUALIFY row_number() OVER (PARTITION BY indicator_code, org_unit, year ORDER BY set_at DESC) = 1"""
    if year is None:
        return con.execute(sql.format(where="")).df()
    return con.execute(sql.format(where="WHERE year = ?"), [int(year)]).df()


def target_history(con: Connection, indicator_code: str, org_unit: str) -> pd.DataFrame:
    return con.execute(
        """SELECT year, value, basis, milestones, set_at, set_by, reason FROM target
           WHERE indicator_code = ? AND org_unit = ? ORDER BY year, set_at""",
        [indicator_code, org_unit],
    ).df()


def target_years(con: Connection) -> list[int]:
    """Years with at least one target, oldest first."""
    return [int(r[0]) for r in con.execute("SELECT DISTINCT year FROM target ORDER BY year").fetchall()]


def periods(con: Connection) -> list[str]:
    """Periods with current data, newest first."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT period FROM current_observation ORDER BY period DESC").fetchall()]


def latest_period(con: Connection) -> str | None:
    row = con.execute("SELECT max(period) FROM current_observation").fetchone()
    return row[0] if row else None


def is_empty(con: Connection) -> bool:
    return con.execute("SELECT count(*) FROM indicator").fetchone()[0] == 0


def versions(con: Connection) -> tuple[tuple, tuple]:
    """(write version, data version): the write turn, which moves with every write unit,
    and the data turn, which moves only with those that change data results are computed
    from (not a sign-in, a sign-out or the delivery ledger: ``Connection.write(…,
    data=False)``). Every write the product makes is one ``Connection.write`` unit, and
    each unit bumps the turns first (``db.connection``), so the turns alone say whether
    anything changed — one small table, one query (on PostgreSQL every table read is a
    round trip)."""
    turns = dict(con.execute("SELECT id, turn FROM write_turn WHERE id IN (1, 2)").fetchall())
    return (turns[1],), (turns[2],)


def data_version(con: Connection) -> tuple:
    """Changes with every write of data: the cache key of everything computed from it."""
    return versions(con)[1]
