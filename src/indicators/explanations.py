"""Lagging explanations (滞后说明): stored per (indicator, unit, month), joined onto the
dispatch table wherever it is shown.

Append-only like the observations: giving an explanation again adds a row and the
latest one counts. The explanation last given for an earlier month is offered as the
starting text for this month (a lag usually has the same cause as last month's).

``attach`` adds to a dispatch table (``indicators.dispatch.COLUMNS``):
explanation_required (bool), responsible (who explains), explanation_state
('given' | 'missing' | 'not_required'), reason, measures, catch_up ('YYYY-MM' or None),
explained_by, explained_at, and the starting text prev_period, prev_reason,
prev_measures, prev_catch_up.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.db import catalog
from indicators.db.audit import audit_all
from indicators.db.connection import Connection
from indicators.errors import PermissionDenied, RejectedInput
from indicators.rules import periods
from indicators.rules.explanation import STATE_LABELS, check, required, responsible

ATTACHED = ["explanation_required", "responsible", "explanation_state", "explanation_state_label", "reason",
            "measures", "catch_up", "explained_by", "explained_at", "prev_period", "prev_reason",
            "prev_measures", "prev_catch_up"]
_KEY = ["indicator_code", "org_unit_code"]


def latest(con: Connection, period: str) -> pd.DataFrame:
    """The counting explanation of each (indicator, unit) for ``period``: indicator_code,
    org_unit_code, reason, measures, catch_up, explained_by, explained_at."""
    return con.execute("""
        SELECT indicator_code, org_unit AS org_unit_code, reason, measures, catch_up,
               given_by AS explained_by, given_at AS explained_at
        FROM explanation WHERE period = ?
        QUALIFY row_number() OVER (PARTITION BY indicator_code, org_unit ORDER BY given_at DESC) = 1""",
                       [period]).df()


def previous(con: Connection, period: str) -> pd.DataFrame:
    """The explanation each (indicator, unit) was last given before ``period``:
    indicator_code, org_unit_code, prev_period, prev_reason, prev_measures, prev_catch_up."""
    return con.execute("""
        SELECT indicator_code, org_unit AS org_unit_code, period AS prev_period, reason AS prev_reason,
               measures AS prev_measures, catch_up AS prev_catch_up
        FROM explanation WHERE period < ?
        QUALIFY row_number() OVER (PARTITION BY indicator_code, org_unit ORDER BY period DESC, given_at DESC) = 1""",
                       [period]).df()


def attach(con: Connection, table: pd.DataFrame) -> pd.DataFrame:
    """The dispatch table with the explanation columns (``ATTACHED``) added."""
    if table.empty:
        return table.reindex(columns=list(table.columns) + ATTACHED)
    period = str(table["period"].iloc[0])
    return attach_frames(table, latest(con, period), previous(con, period))


def attach_frames(table: pd.DataFrame, given: pd.DataFrame, prev: pd.DataFrame) -> pd.DataFrame:
    """The pure part of ``attach``: explanations for other rows than the required ones
    (a status that changed after the explanation was given) are not shown."""
    table = table.drop(columns=[c for c in ATTACHED if c in table.columns])  # attached again: fresh
    out = table.merge(given, on=_KEY, how="left").merge(prev, on=_KEY, how="left")
    need = required(out["status"])
    out["explanation_required"] = need.to_numpy()
    out["responsible"] = responsible(out["parent_code"], out["org_unit_name"], out["lead_department"])
    has = out["reason"].notna().to_numpy()
    out["explanation_state"] = pd.Series(["given" if n and h else "missing" if n else "not_required"
                                          for n, h in zip(need, has)], index=out.index, dtype=object)
    out["explanation_state_label"] = out["explanation_state"].map(STATE_LABELS)
    for col in ("reason", "measures", "catch_up", "explained_by", "explained_at"):
        out[col] = out[col].astype(object).where(need.to_numpy(), None)
    return out


def explanation_record(row: dict) -> dict | None:
    """The ``explanation`` object of a ``status --json`` row (None when none is needed or given)."""
    if not row.get("explanation_required") or row.get("explanation_state") != "given":
        return None
    at = row.get("explained_at")
    return {"reason": row["reason"], "measures": row["measures"], "catch_up": row.get("catch_up"),
            "given_by": row.get("explained_by"), "given_at": None if at is None or pd.isna(at) else str(at)}


def give(con: Connection, table: pd.DataFrame, *, indicator_code: str, org_unit: str,
         reason: str, measures: str, catch_up: str | None, actor: Actor, at: dt.datetime) -> dict:
    """Record an explanation for a row of ``table`` (the dispatch table of its month).
    Refused (RejectedInput, nothing written) when the row does not exist, does not lag,
    or the explanation is incomplete, and (PermissionDenied) when ``actor`` is not who
    explains it (``accounts.permissions.may_explain``). Returns the row as attached afterwards."""
    item = dict(indicator_code=indicator_code, org_unit=org_unit, reason=reason, measures=measures,
                catch_up=catch_up, actor=actor)
    row = _checked(table, item, _leads(con))
    con.write(lambda tx: _write(tx, table, row, item, at))  # run again if another writer got there first
    return attach(con, row).iloc[0].to_dict()


def give_all(con: Connection, table: pd.DataFrame, items: list[dict], *, at: dt.datetime) -> int:
    """Several explanations for rows of ``table`` in one transaction (each item has the
    keyword arguments of ``give`` but ``at``, ``actor`` included), each checked as ``give``
    checks it; nothing is written when one is refused. Returns how many were recorded."""
    keep = ["period", "indicator_code", "org_unit_code", "indicator_name", "org_unit_name", "status",
            "status_label", "parent_code"] + (["responsible"] if "responsible" in table else [])
    table = table[keep]  # what the checks read: rows of it are cheap to take
    where = {key: i for i, key in enumerate(zip(table["indicator_code"], table["org_unit_code"]))}
    leads = _leads(con)
    rows = [_checked(table, item, leads, where) for item in items]
    con.write(lambda tx: _write_all(tx, table, rows, items, at))  # one unit: run again whole on a conflict
    return len(rows)


def _period(table: pd.DataFrame) -> str:
    return str(table["period"].iloc[0]) if len(table) else ""


def _leads(con: Connection) -> dict[str, str | None]:
    """Indicator code → the code of its lead department (who explains the city's row)."""
    lead = catalog.indicators(con).set_index("code")["lead_department_code"]
    return {code: None if pd.isna(v) else v for code, v in lead.items()}


def _checked(table: pd.DataFrame, item: dict, leads: dict[str, str | None],
             where: dict | None = None) -> pd.DataFrame:
    """The row of ``table`` the explanation ``item`` is for, or RejectedInput /
    PermissionDenied saying why not (``where``: the table's positions by (indicator,
    unit), when many are checked)."""
    actor = item["actor"]
    permissions.require(actor, "explain")
    period = _period(table)
    if where is None:
        row = table[(table["indicator_code"] == item["indicator_code"]) & (table["org_unit_code"] == item["org_unit"])]
    else:
        at = where.get((item["indicator_code"], item["org_unit"]))
        row = table.iloc[[] if at is None else [at]]
    if row.empty:
        raise RejectedInput(f"{periods.label(period) if period else ''}调度表中没有指标 {item['indicator_code']} × "
                            f"单位 {item['org_unit']}")
    r = row.iloc[0]
    if not bool(required(row["status"]).iloc[0]):
        raise RejectedInput(f"{r['indicator_name']} · {r['org_unit_name']} {periods.label(period)}为"
                            f"「{r['status_label']}」，不需要滞后说明")
    if not permissions.may_explain(actor, item["org_unit"], pd.isna(r["parent_code"]),
                                   leads.get(item["indicator_code"])):
        raise PermissionDenied(f"{r['indicator_name']} · {r['org_unit_name']}的滞后说明应由"
                               f"{r.get('responsible') or '责任单位'}填写，{actor.display}不能填写。未做任何改动。")
    problems = check(period, item["reason"], item["measures"], item["catch_up"])
    if problems:
        raise RejectedInput("滞后说明未保存：" + "；".join(problems))
    return row


def _write(con: Connection, table: pd.DataFrame, row: pd.DataFrame, item: dict, at: dt.datetime) -> None:
    _write_all(con, table, [row], [item], at)


def _write_all(con: Connection, table: pd.DataFrame, rows: list[pd.DataFrame], items: list[dict],
               at: dt.datetime) -> None:
    """The explanations and their audit lines, in the order given (each table one statement)."""
    period = _period(table)
    if not items:
        return
    con.executemany("""INSERT INTO explanation (indicator_code, org_unit, period, reason, measures, catch_up,
                                                given_at, given_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    [[item["indicator_code"], item["org_unit"], period, item["reason"].strip(),
                      item["measures"].strip(), item["catch_up"] or None, at, item["actor"].display]
                     for item in items])
    audit_all(con, [(item["actor"], "explanation",
                     f"{r['indicator_name']} · {r['org_unit_name']} {periods.label(period)}滞后说明")
                    for r, item in ((row.iloc[0], item) for row, item in zip(rows, items))], at=at)
