"""Writing and reading key tasks and their monthly progress.

A task is upserted by code; every version that differs from the one before is kept in
``task_revision`` (who, when, how: ``setup`` 设置导入 / ``plan`` 计划导入 / ``confirm`` 确认 /
``edit`` 修改), so a task's history stays readable after the setup workbook is loaded
again (no page or command shows it yet). Progress is append-only: the latest report of a
(task, month) counts and the earlier ones are its history.

``actor`` is the acting user (``indicators.accounts.Actor``: the signed-in user, the
CLI's ``--as`` or its operator); revisions and progress record how it is shown, the
audit its login and role. Setting tasks up and confirming drafts is a 管理员's; a 科室
reports progress on the tasks it leads (``accounts.permissions``). ``at`` is when
(``indicators.clock.now``), passed down like every write's time.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.accounts import permissions
from indicators.accounts.roles import Actor
from indicators.db.audit import audit
from indicators.db.connection import Connection
from indicators.errors import PermissionDenied, RejectedInput
from indicators.rules.task_status import REPORTED_WORDS
from indicators.tasks.model import TASK_COLUMNS

PROGRESS_COLUMNS = ["task_code", "period", "status", "progress", "problems", "next_steps"]
_COMPARED = [c for c in TASK_COLUMNS if c != "sort_order"]
_COLS = ", ".join(TASK_COLUMNS)
_MARKS = ", ".join("?" * len(TASK_COLUMNS))


def tasks(con: Connection, state: str | None = None) -> pd.DataFrame:
    """Tasks with department and leader names joined in: ``TASK_COLUMNS`` plus
    lead_department_name, leader_name, leader_title."""
    where, params = ("WHERE t.state = ?", [state]) if state else ("", [])
    return con.execute(f"""
        SELECT t.*, d.name AS lead_department_name, l.name AS leader_name, l.title AS leader_title
        FROM task t LEFT JOIN department d ON d.code = t.lead_department
        LEFT JOIN leader l ON l.code = t.leader
        {where} ORDER BY t.plan_period NULLS FIRST, t.sort_order, t.code""", params).df()


def save_tasks(con: Connection, frame: pd.DataFrame, *, actor: Actor, how: str,
               at: dt.datetime) -> dict[str, int]:
    """Upsert tasks (``TASK_COLUMNS``) by code inside the caller's transaction; returns
    counts {'added', 'changed', 'unchanged'}."""
    current = {r["code"]: r for r in tasks(con).to_dict(orient="records")}
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    for row in frame[TASK_COLUMNS].to_dict(orient="records"):
        row = {k: _plain(v) for k, v in row.items()}
        old = current.get(row["code"])
        if old is not None and all(_same(old[c], row[c]) for c in _COMPARED):
            counts["unchanged"] += 1
            continue
        counts["added" if old is None else "changed"] += 1
        values = [row[c] for c in TASK_COLUMNS]
        con.execute("DELETE FROM task WHERE code = ?", [row["code"]])
        con.execute(f"INSERT INTO task ({_COLS}) VALUES ({_MARKS})", values)
        con.execute(f"INSERT INTO task_revision ({_COLS}, revised_at, revised_by, how) VALUES ({_MARKS}, ?, ?, ?)",
                    values + [at, actor.display, how])
    return counts


def confirm_tasks(con: Connection, edits: pd.DataFrame, *, actor: Actor,
                  at: dt.datetime) -> int:
    """Confirm draft tasks with the departments and leaders the admin assigned.
    ``edits``: code, lead_department, leader (codes) and optionally support_departments,
    nodes, deadline, category, name. Refuses a draft without a lead department."""
    permissions.require(actor, "task_plan")
    current = tasks(con).set_index("code")
    unknown = [c for c in edits["code"] if c not in current.index]
    if unknown:
        raise RejectedInput(f"任务代码不存在：{'、'.join(map(str, unknown))}")
    no_lead = [c for c, d in zip(edits["code"], edits["lead_department"]) if _plain(d) is None]
    if no_lead:
        raise RejectedInput(f"以下任务未指定牵头科室，未确认：{'、'.join(no_lead)}")
    rows = current.loc[list(edits["code"])].reset_index()
    for col in edits.columns:
        if col in TASK_COLUMNS and col != "code":
            rows[col] = list(edits[col])
    rows["state"] = "active"
    def unit(tx: Connection) -> dict[str, int]:
        counts = save_tasks(tx, rows, actor=actor, how="confirm", at=at)
        audit(tx, actor, "tasks", f"确认重点任务 {len(rows)} 项", at=at)
        return counts
    counts = con.write(unit)
    return counts["added"] + counts["changed"] + counts["unchanged"]


def record_progress(con: Connection, rows: pd.DataFrame, *, actor: Actor,
                    source: str, at: dt.datetime, batch_id: int | None = None) -> int:
    """Append monthly progress reports (``PROGRESS_COLUMNS``; status as a code or one of
    已完成 / 按计划推进 / 滞后 / 未启动). Unknown tasks and statuses are refused whole.
    ``batch_id``: the return they came with (rolling it back takes them back)."""
    frame = rows[PROGRESS_COLUMNS].copy()
    frame["status"] = [REPORTED_WORDS.get(str(s).strip(), str(s).strip()) for s in frame["status"]]
    bad = sorted({s for s in frame["status"] if s not in REPORTED_WORDS.values()})
    if bad:
        raise RejectedInput(f"状态「{'、'.join(bad)}」无效，可选 {' / '.join(REPORTED_WORDS)}")
    permissions.require(actor, "task_progress")
    known = tasks(con).set_index("code")
    unknown = sorted(set(frame["task_code"]) - set(known.index))
    if unknown:
        raise RejectedInput(f"任务代码不存在：{'、'.join(unknown)}")
    others = sorted(c for c in set(frame["task_code"])
                    if not permissions.may_report_task(actor, _plain(known.at[c, "lead_department"])))
    if others:
        raise PermissionDenied(f"{actor.display}只能填报本科室牵头的重点任务；{'、'.join(others)} 不是。未做任何改动。")

    def unit(tx: Connection) -> int:
        tx.executemany(
            """INSERT INTO task_progress (task_code, period, status, progress, problems, next_steps,
                                          reported_at, reported_by, source, batch_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [[_plain(v) for v in r] + [at, actor.display, source, batch_id] for r in frame.itertuples(index=False)])
        audit(tx, actor, "task_progress", f"重点任务进展 {len(frame)} 条（{source}）", at=at)
        return len(frame)
    return con.write(unit)  # inside the caller's write unit (a return's batch) it joins it


def latest_progress(con: Connection, upto: str) -> pd.DataFrame:
    """The counting report of every (task, month) up to ``upto``: ``PROGRESS_COLUMNS``
    plus reported_at, reported_by, source. Reports of a rolled-back return do not count."""
    return con.execute("""
        SELECT p.task_code, p.period, p.status, p.progress, p.problems, p.next_steps, p.reported_at,
               p.reported_by, p.source
        FROM task_progress p LEFT JOIN batch b ON b.id = p.batch_id
        WHERE p.period <= ? AND b.status IS DISTINCT FROM 'rolled_back'
        QUALIFY row_number() OVER (PARTITION BY p.task_code, p.period ORDER BY p.reported_at DESC) = 1
        ORDER BY p.task_code, p.period""", [upto]).df()


def _plain(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and pd.isna(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, str):
        return v.item()
    if isinstance(v, str) and not v.strip():
        return None
    return v


def _same(a, b) -> bool:
    return _plain(a) == _plain(b)
