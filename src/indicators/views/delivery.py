"""消息发送 page data (and the 发送记录 tab of 报送记录): channels, the schedule, the
delivery log and the outcome of a send, as display-ready frames. No streamlit, no SQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.db.connection import Connection
from indicators.delivery import channels, ledger, schedule
from indicators.delivery.channels import CHANNEL_LABELS
from indicators.report.pdf import find_soffice
from indicators.settings import Settings

__all__ = ["channel_table", "pdf_status", "schedule_lines", "delivery_log", "results_table", "resendable"]

OUTCOME_LABELS = {"sent": "已发送", "failed": "失败", "skipped": "跳过"}


def channel_table(s: Settings) -> pd.DataFrame:
    """渠道, 状态, 地址, 安全, 说明 (no secret, only whether one is set) + raw ``channel``."""
    return channels.describe(s)


def pdf_status() -> str:
    return "PDF：可生成（LibreOffice 已安装）" if find_soffice() else "PDF：无法生成（本机未安装 LibreOffice），月调度材料将发送失败"


def schedule_lines(now: dt.datetime, s: Settings) -> list[str]:
    """What the timer (``indicators send due``) sends now and next."""
    return schedule.describe(schedule.due_at(now, s), now, s)


def delivery_log(con: Connection, now: dt.datetime, s: Settings, limit: int = 200) -> pd.DataFrame:
    """The newest deliveries, problems first: 更新时间, 类型, 月份, 渠道, 收件人, 状态, 错误,
    次数, 地址 (plus the raw ``key`` and ``problem``)."""
    log = ledger.log(con, limit)
    texts = [ledger.status_text(r, now, s.send_max_attempts) for r in log.to_dict("records")]
    out = pd.DataFrame({
        "更新时间": pd.to_datetime(log["updated_at"]), "类型": log["kind"].map(ledger.KIND_LABELS),
        "月份": log["period"].fillna(""), "渠道": log["channel"].map(CHANNEL_LABELS),
        "收件人": log["recipient_name"].fillna(log["recipient"]),
        "状态": pd.Series(texts, index=log.index, dtype=object), "错误": log["error"].fillna(""),
        "次数": log["attempts"].astype("int64"), "地址": log["address"].fillna(""), "key": log["key"],
    })
    out["problem"] = ~out["状态"].isin(["已发送", "发送中", "已取消"])
    return out.sort_values(["problem", "更新时间"], ascending=[False, False], kind="stable").reset_index(drop=True)


def results_table(results) -> pd.DataFrame:
    """The outcome of one send (``outbox.Report.results``): 结果, 类型, 渠道, 收件人, 地址, 说明."""
    return pd.DataFrame({
        "结果": [_outcome(r) for r in results],
        "类型": [ledger.KIND_LABELS[r.slot.kind] for r in results],
        "渠道": [CHANNEL_LABELS[r.slot.channel] for r in results],
        "收件人": [r.slot.recipient_name for r in results],
        "地址": [r.slot.address for r in results],
        "说明": [r.detail + (f"（附件：{'、'.join(r.attachments)}）" if r.attachments else "") for r in results],
    }, columns=["结果", "类型", "渠道", "收件人", "地址", "说明"])


def _outcome(r) -> str:
    if r.outcome != "planned":
        return OUTCOME_LABELS[r.outcome]
    return ("将记为失败" if r.detail.startswith("不会送达") else "将发送") if r.goes else "不发送"


def resendable(log: pd.DataFrame) -> pd.DataFrame:
    """Packs 综合科 may send again by hand: given up or interrupted. (Reminders need no
    such button: each day's reminder replaces the last; tests are simply sent again.)"""
    return log[(log["类型"] == ledger.KIND_LABELS["pack"]) & log["状态"].str.startswith(("已放弃", "发送中断"))]
