"""Review (审核) of returns: 待审核 → 已通过, or 已退回 with a reason the uploader sees.

A batch's values are approved per indicator, so the lead 科室 can pass its part of a
district's return while another part still waits (DHIS2's all-or-nothing approval is
what its users complain about); 综合科 (and 管理员) can pass the whole batch at once.
When every indicator of a batch is approved, the batch is 已通过. A batch uploaded by
someone who may approve it starts approved as far as they may approve it (an admin's
import, a 科室's own figures).

退回 sends the whole return back: it stops counting at once (the values it replaced
count again — the same undo as a rollback, ``db.batches.rollback_batch``) and the district
sees the reason on 报送记录 and in ``indicators review --list``; they correct the file and
upload it again.

Pending values count in the dispatch table by default and carry a 待审核 mark
(``review_column``); with ``INDICATORS_REVIEW_COUNTS=approved`` only approved values
count (``dispatch.fetch_values`` reads ``approved_observation``) and the mark says a
newer value awaits review.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.db import batches, catalog
from indicators.db.audit import audit
from indicators.db.connection import Connection
from indicators.errors import PermissionDenied, RejectedInput
from indicators.returns.lock import refuse_locked
from indicators.settings import Settings

REVIEW_LABELS = {"pending": "待审核", "approved": "已通过", "returned": "已退回"}


def batch_contents(con: Connection, batch_id: int) -> pd.DataFrame:
    """The distinct (org_unit, indicator_code, period) of a batch's values."""
    return con.execute("SELECT DISTINCT org_unit, indicator_code, period FROM observation WHERE batch_id = ?",
                       [batch_id]).df()


def approve_on_upload(con: Connection, actor: Actor, batch_id: int, indicator_codes: set[str],
                      *, at: dt.datetime, indicators: pd.DataFrame | None = None) -> str:
    """Inside the upload's transaction: approve what the uploader may approve; the
    batch's review state ('approved' | 'pending'). ``indicators``: ``catalog.indicators(con)``
    when the caller has it already (read in the same transaction)."""
    inds = catalog.indicators(con) if indicators is None else indicators
    mine = permissions.reviewable_indicators(actor, indicator_codes, inds)
    _approve(con, actor, batch_id, mine, at)
    state = "approved" if mine >= indicator_codes else "pending"
    con.execute("UPDATE batch SET review = ? WHERE id = ?", [state, batch_id])
    return state


def _approve(con, actor: Actor, batch_id: int, codes: set[str], at: dt.datetime) -> None:
    if codes:
        # one statement for all codes: DuckDB's executemany runs one per row (≈ 3 ms each)
        con.execute("""INSERT INTO batch_approval (batch_id, indicator_code, approved_at, login, role)
                       SELECT ?, code, ?, ?, ? FROM unnest(?::VARCHAR[]) AS t(code) ON CONFLICT DO NOTHING""",
                    [batch_id, at, actor.login, actor.role, sorted(codes)])


def _batch(con, batch_id: int) -> tuple[str, str]:
    row = con.execute("SELECT status, review FROM batch WHERE id = ?", [batch_id]).fetchone()
    if row is None:
        raise RejectedInput(f"批次 {batch_id} 不存在。")
    return row[0], row[1]


def approve(con: Connection, actor: Actor, batch_id: int, *, at: dt.datetime) -> dict:
    """Approve what ``actor`` may approve of a pending batch. Returns {state, approved,
    remaining}: how many indicators this approval passed and how many still wait."""
    permissions.require(actor, "review")
    status, review = _batch(con, batch_id)
    if review == "returned" or status != "active":
        raise RejectedInput(f"批次 {batch_id} 已{'退回' if review == 'returned' else '撤回'}，不能审核通过。")
    codes = set(batch_contents(con, batch_id)["indicator_code"])
    mine = permissions.reviewable_indicators(actor, codes, catalog.indicators(con))
    if not mine:
        raise PermissionDenied(f"批次 {batch_id} 中没有{actor.display}牵头的指标，不能审核。未做任何改动。")
    done = _approved(con, batch_id)
    new = mine - done
    if not new:
        raise RejectedInput(f"批次 {batch_id} 中您可审核的 {len(mine)} 项指标都已通过，无需再审。")
    remaining = codes - done - new
    state = "approved" if not remaining else "pending"
    def work(tx: Connection) -> None:
        _approve(tx, actor, batch_id, new, at)
        tx.execute("UPDATE batch SET review = ? WHERE id = ?", [state, batch_id])
        _decision(tx, actor, batch_id, "approved", len(new), None, at)
        audit(tx, actor, "review", f"批次 {batch_id} 审核通过 {len(new)} 项指标"
                    + ("，整批已通过" if state == "approved" else f"，另有 {len(remaining)} 项待审核"), at=at)
    con.write(work)  # one write unit: run again whole if another writer got there first
    return {"batch_id": batch_id, "state": state, "approved": len(new), "remaining": len(remaining)}


def _approved(con, batch_id: int) -> set[str]:
    return {r[0] for r in con.execute("SELECT indicator_code FROM batch_approval WHERE batch_id = ?",
                                      [batch_id]).fetchall()}


def _decision(con, actor: Actor, batch_id: int, decision: str, n: int, reason: str | None, at: dt.datetime) -> None:
    con.execute("""INSERT INTO batch_review (batch_id, decision, indicators, reason, decided_at, login, role, who)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [batch_id, decision, n, reason, at, actor.login, actor.role, actor.display])


def return_batch(con: Connection, actor: Actor, batch_id: int, reason: str, *,
                 settings: Settings, at: dt.datetime) -> dict:
    """Send a batch back to its uploader with ``reason``: it stops counting (the values
    it replaced count again). A 科室 may return a batch that holds indicators it leads."""
    permissions.require(actor, "review")
    reason = (reason or "").strip()
    if not reason:
        raise RejectedInput("退回须写明原因（--reason），填报单位会看到它。未做任何改动。")
    status, review = _batch(con, batch_id)
    if status != "active":
        raise RejectedInput(f"批次 {batch_id} 已{'退回' if review == 'returned' else '撤回'}，不能再退回。")
    contents = batch_contents(con, batch_id)
    codes = set(contents["indicator_code"])
    if not permissions.reviewable_indicators(actor, codes, catalog.indicators(con)):
        raise PermissionDenied(f"批次 {batch_id} 中没有{actor.display}牵头的指标，不能退回。未做任何改动。")
    # the lock keeps approved figures; sending back what still waits for review is review itself
    note = refuse_locked(con, actor, contents, settings=settings, now=at, what="退回") \
        if review == "approved" else None

    def record(tx: Connection) -> None:
        tx.execute("UPDATE batch SET review = 'returned' WHERE id = ?", [batch_id])
        _decision(tx, actor, batch_id, "returned", len(codes), reason, at)

    restored = batches.rollback_batch(con, batch_id, actor=actor, at=at, action="return",
                                      detail=f"退回原因：{reason}" + (f"；{note}" if note else ""),
                                      before_commit=record)
    return {"batch_id": batch_id, "state": "returned", "restored": restored}


# ---------------------------------------------------------------- lists for pages and the CLI

def batch_reviews(con: Connection) -> pd.DataFrame:
    """Per batch: batch_id, review, indicators, approved, reason (of a 退回), decided_by,
    decided_at (of the latest decision)."""
    return con.execute("""
        WITH counts AS (
            SELECT b.id AS batch_id, b.review, count(DISTINCT o.indicator_code) AS indicators
            FROM batch b LEFT JOIN observation o ON o.batch_id = b.id GROUP BY b.id, b.review),
        approved AS (SELECT batch_id, count(*) AS approved FROM batch_approval GROUP BY batch_id),
        latest AS (
            SELECT batch_id, reason, who AS decided_by, decided_at,
                   row_number() OVER (PARTITION BY batch_id ORDER BY decided_at DESC) AS n
            FROM batch_review)
        SELECT c.batch_id, c.review, c.indicators, coalesce(a.approved, 0) AS approved,
               CASE WHEN c.review = 'returned' THEN l.reason END AS reason, l.decided_by, l.decided_at
        FROM counts c LEFT JOIN approved a ON a.batch_id = c.batch_id
        LEFT JOIN latest l ON l.batch_id = c.batch_id AND l.n = 1
        ORDER BY c.batch_id DESC""").df()


def queue(con: Connection, actor: Actor) -> pd.DataFrame:
    """Pending batches with something ``actor`` may approve: batch_id, file_name,
    uploaded_by, uploaded_at, periods, units, indicators (in the batch), mine (this actor
    may approve, not yet approved)."""
    pending = con.execute("""
        SELECT b.id AS batch_id, b.file_name, b.uploaded_by, b.uploaded_at,
               string_agg(DISTINCT o.period, '、' ORDER BY o.period) AS periods,
               string_agg(DISTINCT u.name, '、') AS units,
               list(DISTINCT o.indicator_code) AS codes
        FROM batch b JOIN observation o ON o.batch_id = b.id LEFT JOIN org_unit u ON u.code = o.org_unit
        WHERE b.status = 'active' AND b.review = 'pending'
        GROUP BY b.id, b.file_name, b.uploaded_by, b.uploaded_at ORDER BY b.id""").df()
    inds = catalog.indicators(con)
    mine = []
    for r in pending.itertuples(index=False):
        codes = set(r.codes)
        mine.append(len(permissions.reviewable_indicators(actor, codes, inds) - _approved(con, int(r.batch_id))))
    pending["indicators"] = [len(c) for c in pending["codes"]]
    pending["mine"] = mine
    return pending[pending["mine"] > 0].drop(columns="codes").reset_index(drop=True)


def returned_to(con: Connection, actor: Actor) -> pd.DataFrame:
    """Returned batches of the actor's own unit (district) or own uploads: batch_id,
    file_name, uploaded_at, reason, decided_by, decided_at — what to correct."""
    return con.execute("""
        SELECT b.id AS batch_id, b.file_name, b.uploaded_at, r.reason, r.who AS decided_by, r.decided_at
        FROM batch b JOIN batch_review r ON r.batch_id = b.id AND r.decision = 'returned'
        WHERE b.review = 'returned' AND (b.uploader_login = ? OR (? IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM observation o WHERE o.batch_id = b.id AND o.org_unit <> ?)))
        ORDER BY r.decided_at DESC""", [actor.login, actor.unit, actor.unit or ""]).df()


# ---------------------------------------------------------------- the mark on every number

def pending_values(con: Connection, months: list[str]) -> pd.DataFrame:
    """Newest values of ``months`` that await review: indicator_code, org_unit, period."""
    if not months:
        return pd.DataFrame(columns=["indicator_code", "org_unit", "period"])
    marks = ", ".join("?" for _ in months)
    return con.execute(f"""
        SELECT o.indicator_code, o.org_unit, o.period FROM observation o
        JOIN batch b ON b.id = o.batch_id
        WHERE b.status = 'active' AND b.review = 'pending' AND o.superseded_by IS NULL AND o.period IN ({marks})
          AND NOT EXISTS (SELECT 1 FROM batch_approval a WHERE a.batch_id = o.batch_id
                          AND a.indicator_code = o.indicator_code)""", list(months)).df()


def review_column(con: Connection, table: pd.DataFrame, units: pd.DataFrame,
                  inds: pd.DataFrame) -> pd.Series:
    """``review`` of each dispatch row: 'pending' when the value — or, for a roll-up, any
    value under it, for a derived ratio any component — awaits review; 'approved'
    otherwise; None without a value."""
    has_value = table["value"].notna().to_numpy()
    out = pd.Series(None, index=table.index, dtype=object)
    out[has_value] = "approved"
    pend = pending_values(con, sorted(table.loc[has_value, "value_period"].dropna().unique().tolist()))
    if pend.empty:
        return out
    flags = _pending_keys(pend, units)
    parts = _components(inds)
    for i, r in zip(table.index[has_value], table.loc[has_value, ["indicator_code", "org_unit_code", "value_period",
                                                                   "provenance"]].itertuples(index=False)):
        codes = (r.indicator_code, *parts.get(r.indicator_code, ()))
        where = "own" if r.provenance == "reported" else "tree"
        if any((c, r.org_unit_code, r.value_period, where) in flags or
               (c, r.org_unit_code, r.value_period, "own") in flags for c in codes):
            out[i] = "pending"
    return out


def _pending_keys(pend: pd.DataFrame, units: pd.DataFrame) -> set[tuple]:
    """(indicator, unit, period, 'own') for a unit's own pending value and (…, 'tree')
    for every unit above one."""
    parent = dict(zip(units["code"], units["parent_code"]))
    keys = set()
    for c, u, p in pend[["indicator_code", "org_unit", "period"]].itertuples(index=False):
        keys.add((c, u, p, "own"))
        seen, up = {u}, parent.get(u)
        while isinstance(up, str) and up not in seen:
            keys.add((c, up, p, "tree"))
            seen.add(up)
            up = parent.get(up)
    return keys


def _components(inds: pd.DataFrame) -> dict[str, tuple[str, str]]:
    derived = inds[inds["kind"].eq("ratio") & inds["numerator_code"].notna() & inds["denominator_code"].notna()]
    return {r.code: (r.numerator_code, r.denominator_code) for r in derived.itertuples(index=False)}
