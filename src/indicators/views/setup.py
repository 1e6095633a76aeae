"""设置管理 page data: the setup workbook in and out, the preview of a load, the target
editor's frames and the target history. No streamlit here."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.db import catalog
from indicators.db.connection import Connection
from indicators.delivery import contacts
from indicators.rules import progress
from indicators.setup import workbook
from indicators.setup.workbook import BASIS_WORDS

# ---------------------------------------------------------------- 设置管理


def setup_frames(con: Connection) -> dict[str, pd.DataFrame]:
    """The current setup as frames keyed like ``workbook.SHEETS`` with its internal
    column names (targets: the latest one per indicator, unit and year)."""
    cols = {t: [c.name for c in spec[1]] for t, spec in workbook.SHEETS.items()}
    ind = catalog.indicators(con)
    resp = ind.drop(columns=["lead_department", "leader"]).rename(columns={"code": "indicator_code", "lead_department_code": "lead_department",
                               "leader_code": "leader", "responsibility_note": "note"})
    resp = resp[resp[["lead_department", "leader", "support_departments", "note"]].notna().any(axis=1)]
    targets = catalog.current_targets(con).sort_values(["year", "indicator_code", "org_unit"])
    frames = {"org_unit": catalog.org_units(con), "department": catalog.departments(con),
              "leader": catalog.leaders(con), "indicator": ind, "responsibility": resp, "target": targets,
              "contact": contacts.load(con)}
    return {t: frames[t].reindex(columns=cols[t]).reset_index(drop=True) for t in cols}


def setup_workbook_bytes(frames: dict[str, pd.DataFrame] | None = None) -> bytes:
    """A setup workbook (blank when ``frames`` is None) as .xlsx bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        return workbook.write_workbook(Path(tmp) / "setup.xlsx", frames).read_bytes()


def read_setup(data: bytes) -> dict[str, pd.DataFrame]:
    """``workbook.read_workbook`` on uploaded bytes (raises RejectedInput)."""
    return workbook.read_workbook(io.BytesIO(data))


_KEYS = {"org_unit": ["code"], "department": ["code"], "leader": ["code"], "indicator": ["code"],
         "responsibility": ["indicator_code"]}


def setup_preview(con: Connection, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What loading ``frames`` would do, per sheet: 工作表, 行数, 新增, 覆盖已有, 说明.
    Targets: 新增 = keys without a target yet, 覆盖已有 = targets that differ from the
    current one (recorded as a new version; the old one stays in the history)."""
    now = setup_frames(con)
    rows = []
    for table, (sheet, _) in workbook.SHEETS.items():
        f = frames.get(table, pd.DataFrame())
        if table == "contact":
            kept = table not in frames
            rows.append({"工作表": sheet, "行数": int(len(f)), "新增": 0 if kept else int(len(f)),
                         "覆盖已有": 0 if kept else int(len(now["contact"])),
                         "说明": "工作簿中没有此表，联系人保持不变" if kept else "整表替换现有联系人"})
            continue
        if table == "target":
            cur = now["target"].set_index(["indicator_code", "org_unit", "year"])
            keys = list(zip(f["indicator_code"], f["org_unit"], f["year"].astype("int64")))
            new = sum(k not in cur.index for k in keys)
            changed = sum(k in cur.index and (not np.isclose(cur.loc[k, "value"], v)
                                              or (_blank(cur.loc[k, "milestones"]) != _blank(m))
                                              or (not _blank(m) and cur.loc[k, "milestones"] != m))
                          for k, v, m in zip(keys, f["value"], f["milestones"]))
        else:
            key = _KEYS[table][0]
            have = set(now[table][key])
            new = int((~f[key].isin(have)).sum())
            changed = int(len(f) - new)
        note = (f"与当前目标相同的 {len(f) - new - changed} 条不重复记录" if table == "target"
                else "按代码覆盖同名记录，库中其他记录保留")
        rows.append({"工作表": sheet, "行数": int(len(f)), "新增": int(new), "覆盖已有": int(changed), "说明": note})
    return pd.DataFrame(rows)


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or str(v).strip() == ""


TARGET_EDIT_COLUMNS = ["indicator_code", "indicator_name", "org_unit", "org_unit_name", "year", "unit", "value",
                       "basis", "basis_text", "milestones", "reason", "set_at", "set_by"]
MONTH_COLUMNS = [f"m{m}" for m in range(1, 13)]  # the editor's 1月…12月: cumulative % due by month end
TARGET_EDITABLE = ["value", *MONTH_COLUMNS, "reason"]


def milestone_columns(texts: pd.Series) -> pd.DataFrame:
    """月度节点 texts → one column per month (m1…m12, percent; NaN where no node): the
    month-by-month table the target editor shows instead of "3:15;6:40;…"."""
    rows = []
    for text in texts:
        try:
            nodes = progress.parse_milestones(text) or {}
        except ValueError:  # an old unreadable text: shown blank, kept unless edited
            nodes = {}
        rows.append([nodes[m] * 100 if m in nodes else np.nan for m in range(1, 13)])
    return pd.DataFrame(rows, columns=MONTH_COLUMNS, index=texts.index, dtype="float64")


def milestones_from_columns(frame: pd.DataFrame) -> pd.Series:
    """The editor's m1…m12 back to 月度节点 texts (None where every month is blank)."""
    def text(row) -> str | None:
        return progress.format_milestones({m: float(v) / 100 for m, v in zip(range(1, 13), row) if pd.notna(v)})
    return pd.Series([text(r) for r in frame[MONTH_COLUMNS].itertuples(index=False)], index=frame.index,
                     dtype=object)


def milestones_label(text) -> str:
    """"3:15;6:40" → "3月 15%　6月 40%" for tables a reader looks at ("" for none)."""
    try:
        nodes = progress.parse_milestones(text)
    except ValueError:
        return str(text)
    return "　".join(f"{m}月 {round(s * 100, 4):g}%" for m, s in sorted(nodes.items())) if nodes else ""


def _milestone_problems(frame: pd.DataFrame) -> list[str]:
    """A node outside 0–100 %, or one below an earlier month's (nodes are cumulative)."""
    problems = []
    for r, row in zip(frame.itertuples(index=False), frame[MONTH_COLUMNS].itertuples(index=False)):
        nodes = [(m, float(v)) for m, v in zip(range(1, 13), row) if pd.notna(v)]
        if any(not 0 <= v <= 100 for _, v in nodes):
            problems.append(f"{r.indicator_name}（{r.org_unit_name}）的月度节点应在 0–100% 之间")
        elif any(b[1] < a[1] for a, b in zip(nodes, nodes[1:])):
            problems.append(f"{r.indicator_name}（{r.org_unit_name}）的月度节点是累计进度，后面的月份不应小于前面的月份")
    return problems


def target_years(con: Connection, today: dt.date) -> list[int]:
    """Years the target editor offers, newest first: every year with targets, and this one."""
    return sorted(set(catalog.target_years(con)) | {today.year}, reverse=True)


def target_editor_frame(con: Connection, year: int) -> pd.DataFrame:
    """The current targets of ``year`` in indicator and unit order (``TARGET_EDIT_COLUMNS``)."""
    t = catalog.current_targets(con, year)
    ind = catalog.indicators(con)[["code", "name", "unit", "kind", "sort_order"]].rename(
        columns={"code": "indicator_code", "name": "indicator_name", "sort_order": "_io", "kind": "_kind"})
    units = catalog.org_units(con)[["code", "name", "level", "sort_order"]].rename(
        columns={"code": "org_unit", "name": "org_unit_name", "sort_order": "_uo", "level": "_lv"})
    t = t.merge(ind, on="indicator_code", how="left").merge(units, on="org_unit", how="left")
    t = t.sort_values(["_io", "indicator_code", "_lv", "_uo", "org_unit"])
    for col in ("milestones", "reason"):  # text cells the editor shows blank, not "None"
        t[col] = t[col].astype(object).where(t[col].notna(), "")
    t["basis"] = t["basis"].astype(object).where(t["basis"].notna(), None)
    words = {v: k for k, v in BASIS_WORDS.items()}
    t["basis_text"] = [words.get(b, "全年累计" if k == "cumulative" else "年末达到") for b, k in zip(t["basis"], t["_kind"])]
    t = t[TARGET_EDIT_COLUMNS].reset_index(drop=True)
    return pd.concat([t, milestone_columns(t["milestones"])], axis=1)


def changed_targets(before: pd.DataFrame, after: pd.DataFrame, reason: str | None = None
                    ) -> tuple[pd.DataFrame, list[str]]:
    """Rows of the target editor whose value or milestones changed, as target-sheet rows
    (indicator_code, org_unit, year, value, milestones, set_by, reason), and problems
    (Chinese) that stop saving: a value left empty or not a number. A changed reason alone
    is not a new target (the history records changes of value and milestones). A row whose
    reason was not edited takes ``reason`` (the old one described the old target)."""
    a = after.reset_index(drop=True)
    b = before.reset_index(drop=True)
    value = pd.to_numeric(a["value"], errors="coerce")
    old = pd.to_numeric(b["value"], errors="coerce")
    if set(MONTH_COLUMNS) <= set(a.columns):  # the month-by-month table is what was edited
        ms_new, ms_old = milestones_from_columns(a), milestones_from_columns(b)
    else:
        ms_new = a["milestones"].map(lambda v: None if _blank(v) else str(v).strip())
        ms_old = b["milestones"].map(lambda v: None if _blank(v) else str(v).strip())
    problems = [f"{r.indicator_name}（{r.org_unit_name}）的目标值为空或不是数字"
                for r, v in zip(a.itertuples(index=False), value) if pd.isna(v)]
    if set(MONTH_COLUMNS) <= set(a.columns):
        problems += _milestone_problems(a)
    # None != None is True in pandas: compare the texts with blanks as ''
    changed = ~np.isclose(value.fillna(np.inf), old.fillna(np.inf)) | (ms_new.fillna("") != ms_old.fillna(""))
    changed = pd.Series(changed, index=a.index) & value.notna()
    rows = a[changed.to_numpy(dtype=bool)]
    out = pd.DataFrame({"indicator_code": rows["indicator_code"], "org_unit": rows["org_unit"],
                        "year": rows["year"].astype("int64"), "value": value[changed],
                        "basis": rows["basis"] if "basis" in rows else None,
                        "milestones": ms_new[changed], "set_by": None,
                        "reason": [str(r).strip() if not _blank(r) and r != o else (reason or None)
                                   for r, o in zip(rows["reason"], b.loc[rows.index, "reason"])]})
    return out.reset_index(drop=True), problems


def target_history_table(con: Connection, indicator_code: str, org_unit: str) -> pd.DataFrame:
    """Every target ever set for (indicator, unit), newest first: 年度, 目标值, 月度节点,
    设定时间, 设定人, 调整原因, 当前 (✓ on the one that counts)."""
    h = catalog.target_history(con, indicator_code, org_unit)
    if h.empty:
        return pd.DataFrame(columns=["年度", "目标值", "月度节点", "设定时间", "设定人", "调整原因", "当前"])
    latest = h.groupby("year")["set_at"].transform("max")
    h = h.assign(current=np.where(h["set_at"] == latest, "✓", "")).sort_values(["year", "set_at"],
                                                                             ascending=False)
    return pd.DataFrame({"年度": h["year"].astype("int64"), "目标值": h["value"], "月度节点": h["milestones"].map(milestones_label),
                         "设定时间": pd.to_datetime(h["set_at"]), "设定人": h["set_by"].fillna("—"),
                         "调整原因": h["reason"].fillna(""), "当前": h["current"]}).reset_index(drop=True)


