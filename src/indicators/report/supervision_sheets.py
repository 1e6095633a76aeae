"""The 督办 sheets of the Excel table: 滞后说明 (every lagging indicator × unit of the
scope with its explanation, or 【待补充】 and who must give it) and 重点任务 (the task
board). Text only through ``xlsx_table.write_text``: nothing can become a formula."""

from __future__ import annotations

from indicators.report.supervision import Supervision
from indicators.rules import periods
from indicators.rules.explanation import MISSING_MARK
from indicators.theme import (STATUS_COLORS, TASK_STATUS_COLORS, TEXT_COLOR, status_badge, task_badge,
                              task_text_color, task_tone)

EXPLANATION_SHEET = "滞后说明"
TASK_SHEET = "重点任务"
_EXPLANATION_COLUMNS = [("单位", 12), ("指标", 30), ("状态", 11), ("差距（百分点）", 12), ("说明责任方", 22),
                        ("分管领导", 10), ("滞后原因", 44), ("整改措施", 44), ("预计赶上", 12)]
_TASK_COLUMNS = [("任务代码", 12), ("任务", 34), ("类别", 14), ("状态", 14), ("牵头科室", 22), ("分管领导", 10),
                 ("本月节点", 18), ("下一节点", 18), ("说明", 30), ("进展情况", 40), ("存在问题", 30), ("下步措施", 30)]


def add_sheets(wb, f, summary, used: set[str]) -> None:
    """Both sheets, after the dispatch sheets (``f``: the table's ``_Formats``)."""
    sup: Supervision | None = summary.supervision
    if sup is None:
        return
    from indicators.report.xlsx_table import sheet_name
    _explanations(wb.add_worksheet(sheet_name(EXPLANATION_SHEET, used)), wb, f, summary, sup)
    if len(sup.tasks):
        _tasks(wb.add_worksheet(sheet_name(TASK_SHEET, used)), wb, f, summary, sup)


def _head(ws, f, title: str, note: str, columns) -> None:
    from indicators.report.xlsx_table import write_text
    write_text(ws, 0, 0, title, f.title, f.title)
    write_text(ws, 1, 0, note, f.note, f.note)
    for c, (header, width) in enumerate(columns):
        write_text(ws, 3, c, header, f.header, f.header)
        ws.set_column(c, c, width)
    ws.freeze_panes(4, 2)


def _explanations(ws, wb, f, summary, sup: Supervision) -> None:
    from indicators.report.xlsx_table import row_dicts, text_cell
    given = int((sup.explanations["explanation_state"] == "given").sum())
    _head(ws, f, f"{summary.scope_name}滞后指标说明（{summary.period_label}）",
          f"应说明{len(sup.explanations)}项，已说明{given}项，待补充{len(sup.missing)}项；"
          "区县对本地数据作说明，全市数据由牵头科室说明。", _EXPLANATION_COLUMNS)
    wrap = wb.add_format({**f.base, "text_wrap": True})
    missing = wb.add_format({**f.base, "bold": True, "bg_color": STATUS_COLORS["lagging"], "font_color": TEXT_COLOR})
    for i, r in enumerate(row_dicts(sup.explanations)):
        row = 4 + i
        ok = r["explanation_state"] == "given"
        catch = periods.label(r["catch_up"]) if ok and isinstance(r["catch_up"], str) and r["catch_up"] else ""
        cells = [r["org_unit_name"], r["indicator_name"], status_badge(r["status"]), None, r["responsible"],
                 r["leader"] or "", r["reason"] if ok else f"【{MISSING_MARK}】", r["measures"] if ok else "", catch]
        out = []
        for c, v in enumerate(cells):
            if c == 3:
                out.append((float(r["gap_pp"]), f.pp))
            elif c == 2:
                out.append(text_cell(v, f.status(r["status"]), f.status(r["status"])))
            else:
                fmt = missing if (c == 6 and not ok) else wrap
                out.append(text_cell("" if v is None else v, fmt, f.text_q))
        ws.put_row(row, out)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _tasks(ws, wb, f, summary, sup: Supervision) -> None:
    from indicators.report.xlsx_table import row_dicts, write_text
    counts = "，".join(f"{k}{v}项" for k, v in sup.task_counts.items() if v)
    _head(ws, f, f"重点任务推进情况（{summary.period_label}）",
          f"{len(sup.tasks)}项：{counts}；逾期 = 已过月度节点或截止日期仍未完成，系统自动判为滞后。", _TASK_COLUMNS)
    wrap = wb.add_format({**f.base, "text_wrap": True})
    tone_fmt = {}
    for i, r in enumerate(row_dicts(sup.tasks)):
        tone = task_tone(r["status"], bool(r["overdue"]))
        if tone not in tone_fmt:
            tone_fmt[tone] = wb.add_format({**f.base, "bold": True, "align": "center",
                                            "bg_color": TASK_STATUS_COLORS[tone],
                                            "font_color": task_text_color(tone)})
        cells = [r["code"], r["name"], r["category"], task_badge(r["status"], bool(r["overdue"])),
                 r["lead_department_name"], r["leader_name"], r["node_due"], r["next_node"], r["reason"],
                 r.get("progress"), r.get("problems"), r.get("next_steps")]
        for c, v in enumerate(cells):
            text = "" if v is None or (isinstance(v, float) and v != v) else str(v)
            write_text(ws, 4 + i, c, text, tone_fmt[tone] if c == 3 else wrap, f.text_q)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
