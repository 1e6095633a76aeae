"""审核与锁定 page data: what waits for the signed-in user's review, what was returned to
them, a batch's review state in words, and the months that are locked. No streamlit here."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.accounts.roles import Actor
from indicators.db.connection import Connection
from indicators.formatting import time_text
from indicators.returns import lock, review
from indicators.rules import periods
from indicators.rules.lock import is_locked, locks_at
from indicators.settings import Settings

__all__ = ["queue_table", "returned_table", "returned_notes", "review_label", "lock_table", "unlocks_table"]


def queue_table(con: Connection, actor: Actor) -> pd.DataFrame:
    """Batches waiting for ``actor``: 批次, 文件, 报送人, 报送时间, 期间, 单位, 待审 (mine/all)."""
    q = review.queue(con, actor)
    return pd.DataFrame({"批次": q["batch_id"].astype("int64"), "文件": q["file_name"], "报送人": q["uploaded_by"],
                         "报送时间": q["uploaded_at"].map(time_text), "期间": q["periods"], "单位": q["units"],
                         "待审": [f"{m}/{n} 项" for m, n in zip(q["mine"], q["indicators"])]})


def returned_table(con: Connection, actor: Actor) -> pd.DataFrame:
    """Batches returned to ``actor`` (their own uploads, or their unit's): 批次, 文件,
    退回原因, 退回人, 退回时间."""
    r = review.returned_to(con, actor)
    return pd.DataFrame({"批次": r["batch_id"].astype("int64"), "文件": r["file_name"], "退回原因": r["reason"],
                         "退回人": r["decided_by"], "退回时间": r["decided_at"].map(time_text)})


def returned_notes(con: Connection, actor: Actor) -> list[str]:
    """One line per batch of ``actor``'s that was sent back (退回), with who and why."""
    return [f"批次 {r.批次}「{r.文件}」已被退回（{r.退回人}，{r.退回时间}）：{r.退回原因}。请按原因修改后重新上传。"
            for r in returned_table(con, actor).itertuples(index=False)]


def review_label(con: Connection, batch_id: int) -> str:
    """待审核 / 已通过 / 已退回 of one batch, with how much of it is approved."""
    r = review.batch_reviews(con)
    row = r[r["batch_id"] == batch_id]
    if row.empty:
        return "—"
    row = row.iloc[0]
    if row["review"] == "pending" and 0 < row["approved"] < row["indicators"]:
        return f"部分通过（{row['approved']}/{row['indicators']} 项指标）"
    text = review.REVIEW_LABELS.get(row["review"], row["review"])
    return text + ("（综合科或牵头科室审核后即为已通过）" if row["review"] == "pending" else "")


def lock_table(months: list[str], settings: Settings, now: dt.datetime) -> pd.DataFrame:
    """月份, 截止, 锁定于, 状态 for ``months`` (newest first)."""
    rows = []
    for p in months:
        at = locks_at(p, settings.deadline_day, settings.lock_after_days)
        rows.append({"月份": periods.label(p), "锁定于": at.strftime("%Y-%m-%d %H:%M"),
                     "状态": "已锁定" if is_locked(p, now, settings.deadline_day, settings.lock_after_days)
                     else "可修改", "period": p})
    return pd.DataFrame(rows)


def unlocks_table(con: Connection, now: dt.datetime) -> pd.DataFrame:
    """Unlocks still open: 月份, 单位, 解锁至, 操作人, 原因."""
    u = lock.unlocks(con, now=now)
    return pd.DataFrame({"月份": u["period"].map(periods.label), "单位": u["unit_name"],
                         "解锁至": u["until"].map(time_text), "操作人": u["login"], "原因": u["reason"].fillna("")})
