"""报送记录 page data: the batch list, the completeness grid (unit × month), the 催报
detail and the audit log. No streamlit here."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.accounts.roles import Actor
from indicators.db import audit, batches, catalog
from indicators.db.connection import Connection
from indicators.formatting import fmt_pct, time_text
from indicators.returns import completeness, review
from indicators.returns.review import REVIEW_LABELS
from indicators.rules import periods
from indicators.settings import Settings

BATCH_STATUS_LABELS = {"active": "有效", "rolled_back": "已撤回"}
AUDIT_ACTION_LABELS = {
    "import": "导入报送", "rollback": "撤回批次", "setup": "导入设置", "targets": "调整目标", "tasks": "重点任务",
    "task_progress": "任务进展", "explanation": "滞后说明", "review": "审核通过", "return": "审核退回",
    "unlock": "解锁月份", "user_add": "新建用户", "user_passwd": "修改密码", "user_disable": "停用用户",
    "user_enable": "启用用户", "signin": "登录", "signin_failed": "登录失败", "signout": "退出登录",
    "send": "发送消息",
    "migrate": "迁移数据库",
}

# ---------------------------------------------------------------- 报送记录


def batches_table(con: Connection) -> pd.DataFrame:
    """The upload history, newest first: 批次, 文件, 报送人, 报送时间, 条数, 期间, 单位数,
    状态, 审核, 备注 (plus the raw ``status``, ``review`` and ``unit_codes``). A 退回 shows
    as 已退回 with its reason in 备注."""
    b = batches.batch_list(con)
    reviews = review.batch_reviews(con).set_index("batch_id")
    reason = b["id"].map(reviews["reason"]).astype(object)
    returned = b["review"].eq("returned").to_numpy()
    status = b["status"].map(BATCH_STATUS_LABELS).fillna(b["status"]).where(~returned, "已退回")
    partly = b["id"].map(reviews["approved"]).fillna(0).astype("int64")
    total = b["id"].map(reviews["indicators"]).fillna(0).astype("int64")
    label = [("部分通过" if r == "pending" and 0 < a < t else REVIEW_LABELS.get(r, r)) if s == "active" else "—"
             for r, a, t, s in zip(b["review"], partly, total, b["status"])]
    note = b["note"].fillna("").where(~returned, "退回原因：" + reason.fillna(""))
    return pd.DataFrame({
        "批次": b["id"].astype("int64"), "文件": b["file_name"], "报送人": b["uploaded_by"].fillna("—"),
        "报送时间": pd.to_datetime(b["uploaded_at"]), "条数": b["rows"].astype("int64"),
        "期间": b["periods"].fillna("—"), "单位数": b["units"].astype("int64"),
        "状态": status, "审核": label, "备注": note,
        "status": b["status"], "review": b["review"], "unit_codes": b["unit_codes"],
    })


def rollback_choices(table: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """The active batches of ``batches_table`` that ``actor`` could roll back: all of
    them for an unbound role, only their own unit's for a 区县填报员 (the domain checks
    again, a 科室's indicators included)."""
    active = table[table["status"] == "active"]
    if actor.role == "district":
        mine = [list(u) == [actor.unit] for u in active["unit_codes"]]
        active = active[mine]
    return active


def batch_label(row: pd.Series) -> str:
    when = pd.Timestamp(row["报送时间"]).strftime("%Y-%m-%d %H:%M")
    return f"批次 {row['批次']} · {row['文件']} · {row['报送人']} · {when} · {row['条数']} 条"


def recent_periods(con: Connection, due: str, n: int = 6) -> list[str]:
    """The ``n`` months up to the later of ``due`` (the latest due month,
    ``rules.due.latest_due_month``) and the newest data, newest first."""
    latest = catalog.latest_period(con)
    last = max(due, latest) if latest else due
    return [periods.shift(last, -i) for i in range(n)]


def _cell(r) -> str:
    if r.expected == 0:
        return "—"
    if r.reported == 0:
        return "未报" if r.overdue else "待报"
    if r.reported < r.expected:
        return f"部分 {r.reported}/{r.expected}" + ("·逾期" if r.late else "")
    return "已报·逾期" if r.late else "已报·按时"


def completeness_grid(con: Connection, months: list[str], *, settings: Settings,
                      now: dt.datetime) -> pd.DataFrame:
    """Unit × month, one cell per unit and month: 已报·按时 | 已报·逾期 | 部分 r/e(·逾期) |
    未报 (past the deadline) | 待报 (not yet due) | — (nothing expected). Rows are units
    (column 单位), columns month labels oldest first."""
    units = catalog.org_units(con)[["code", "name"]]
    grid = pd.DataFrame({"单位": units["name"].to_numpy()}, index=units["code"].to_numpy())
    for p in sorted(months):
        d = completeness.completeness(con, p, settings=settings, now=now)
        if d.empty:
            grid[periods.label(p)] = "—"
            continue
        g = d.assign(late=d["status"].eq("逾期报送"), overdue=d["status"].eq("未报送"),
                     reported=d["reported"].astype(bool)).groupby("org_unit")
        s = g.agg(expected=("indicator_code", "size"), reported=("reported", "sum"), late=("late", "any"),
                  overdue=("overdue", "any"))
        cells = pd.Series([_cell(r) for r in s.itertuples()], index=s.index, dtype=object)
        grid[periods.label(p)] = cells.reindex(grid.index).fillna("—")
    return grid.reset_index(drop=True)


GRID_COLORS = {"已报·按时": "#DCFCE7", "已报·逾期": "#FEF3C7", "部分": "#FFEDD5", "未报": "#FEE2E2", "待报": "#F3F4F6"}


def grid_cell_style(text: str) -> str:
    """CSS for a grid cell (Styler.map)."""
    for key, color in GRID_COLORS.items():
        if isinstance(text, str) and text.startswith(key):
            return f"background-color: {color}"
    return ""


def completeness_detail(con: Connection, period: str, *, settings: Settings,
                        now: dt.datetime) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """For one month: the per-unit summary (Chinese headers), the 催报 list and the 催报 text."""
    d = completeness.completeness(con, period, settings=settings, now=now)
    s = completeness.unit_summary(d)
    summary = pd.DataFrame({
        "单位": s["org_unit_name"], "应报": s["expected"].astype("int64"), "已报": s["reported"].astype("int64"),
        "未报": s["missing"].astype("int64"), "报送率": s["rate"].map(lambda v: fmt_pct(v, 0)),
        "报送时间": s["last_upload"].map(time_text), "及时性": s["timeliness"],
    })
    c = completeness.chase_list(d)
    chase = pd.DataFrame({"单位": c["org_unit_name"], "缺报项数": c["missing"], "缺报指标": c["indicators"],
                          "牵头科室": c["lead_departments"]})
    return summary, chase, completeness.chase_text(d, period, settings)


def audit_log(con: Connection, limit: int = 50) -> pd.DataFrame:
    """The newest ``limit`` audit entries: 时间, 操作人, 登录名, 操作, 详情."""
    a = audit.audit_log(con, limit)
    return pd.DataFrame({"时间": pd.to_datetime(a["logged_at"]), "操作人": a["who"].fillna("—"),
                         "登录名": a["login"].fillna("—"),
                         "操作": a["action"].map(AUDIT_ACTION_LABELS).fillna(a["action"]),
                         "详情": a["detail"].fillna("")})


