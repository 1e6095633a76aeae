"""The 督办 slides of the briefing deck: the districts' lagging explanations and the key
tasks. They use the deck's own frame (``pptx_deck._Deck.new_slide``) and table kit, so
they look like every other slide; a missing explanation is an orange 【待补充】 cell."""

from __future__ import annotations

from pptx.enum.text import PP_ALIGN

from indicators.formatting import shown
from indicators.report import deck_budget as budget
from indicators.report import slide_kit as kit
from indicators.report.supervision import Supervision, explanation_text
from indicators.rules import periods
from indicators.rules.explanation import MISSING_MARK
from indicators.theme import (STATUS_COLORS, TASK_STATUS_COLORS, status_badge, status_text_color, task_badge,
                              task_text_color, task_tone)

MISSING_FILL = STATUS_COLORS["lagging"]


def explanation_cell(row: dict | None) -> str:
    """The lagging slide's 滞后说明 cell for the scope row (— when none is needed)."""
    return "—" if row is None else explanation_text(row, name_who=False)


def _explanation_rows(kids) -> tuple[list[list[str]], list[bool], list[str]]:
    rows, states, statuses = [], [], []
    for r in kids.to_dict(orient="records"):
        given = r["explanation_state"] == "given"
        catch = periods.label(r["catch_up"]) if given and isinstance(r["catch_up"], str) and r["catch_up"] else "—"
        rows.append([r["org_unit_name"], r["indicator_name"], status_badge(r["status"]), f"{shown(r['gap_pp'], 1):+.1f}",
                     r["reason"] if given else f"【{MISSING_MARK}】{r['responsible']}",
                     r["measures"] if given else "", catch])
        states.append(given)
        statuses.append(r["status"])
    return rows, states, statuses


def district_explanation_slides(deck, sup: Supervision) -> None:
    """滞后说明（区县）: unit, indicator, status, gap, reason, measures, catch-up — the most
    behind first when they need more slides than the deck gives them (``deck_budget``)."""
    kids = sup.children
    if kids.empty:
        return
    from indicators.report.pptx_deck import CONTENT_W, MARGIN, ROW_H, TABLE_MAX_H, TABLE_TOP
    header = ["单位", "指标", "状态", "差距", "滞后原因", "整改措施", "预计赶上"]
    widths = [1.1, 2.3, 1.2, 0.7, 3.4, 3.4, 1.4]
    cap = budget.row_cap("explanations", ROW_H, TABLE_MAX_H)  # only what could be shown is worded
    rows, states, statuses = _explanation_rows(kids.head(cap))
    pages = kit.paginate(rows, header, CONTENT_W, widths, font_size=10, min_height=ROW_H, max_height=TABLE_MAX_H)
    if len(kids) > cap or len(pages) > budget.SLIDES["explanations"]:
        rows, states, statuses = _explanation_rows(budget.behind_first(kids).head(cap))
        pages = kit.paginate(rows, header, CONTENT_W, widths, font_size=10, min_height=ROW_H, max_height=TABLE_MAX_H)
    pages, left = budget.keep_pages(pages, "explanations", len(kids))
    given = int(kids["explanation_state"].eq("given").sum())
    missing = len(kids) - given
    kicker = (f"{len(kids)}项中已说明{given}项"
              + (f"，待补充{missing}项（橙色）" if missing else "，已全部说明") + "；差距为百分点")
    if left:
        deck.left.append(budget.Left("区县滞后说明", left, f"{budget.XLSX}「滞后说明」表"))
        kicker += f"；列出差距最大的{len(kids) - left}项，{deck.left[-1].kicker()}"
    else:
        kicker = "区县对本地数据作说明；" + kicker
    for n, idx in enumerate(pages, start=1):
        suffix = kit.page_suffix(n, len(pages))
        slide = deck.new_slide(f"区县滞后说明{suffix}", kicker)
        styles = {}
        for i, j in enumerate(idx):
            styles[(i, 2)] = kit.status_fill(statuses[j])
            if not states[j]:
                styles[(i, 4)] = (MISSING_FILL, status_text_color("lagging"))
        kit.table(slide, MARGIN, TABLE_TOP, CONTENT_W, header, [rows[j] for j in idx], widths, font_size=10,
                  row_height=ROW_H, cell_styles=styles, align={2: PP_ALIGN.CENTER, 3: PP_ALIGN.RIGHT})


def task_slides(deck, sup: Supervision) -> None:
    """重点任务推进情况: status pill, task, lead department, leader, why / progress."""
    board = sup.tasks
    if board.empty:
        return
    from indicators.report.pptx_deck import CONTENT_W, MARGIN, ROW_H, TABLE_MAX_H, TABLE_TOP
    header = ["状态", "任务", "牵头科室", "分管领导", "节点 / 说明", "进展情况 / 存在问题"]
    widths = [1.5, 3.0, 2.0, 1.0, 2.6, 3.3]
    rows, tones = [], []
    for r in board.to_dict(orient="records"):
        news = "；".join(x for x in (r.get("progress"), r.get("problems")) if isinstance(x, str) and x) or "—"
        rows.append([task_badge(r["status"], bool(r["overdue"])), r["name"], r["lead_department_name"] or "—",
                     r["leader_name"] or "—", r["why"], news])
        tones.append(task_tone(r["status"], bool(r["overdue"])))
    counts = "，".join(f"{k}{v}项" for k, v in sup.task_counts.items() if v)
    pages = kit.paginate(rows, header, CONTENT_W, widths, font_size=11, min_height=ROW_H, max_height=TABLE_MAX_H)
    pages, left = budget.keep_pages(pages, "tasks")  # the board puts lagging and overdue first
    kicker = f"{counts}；逾期 = 已过月度节点或截止日期仍未完成，滞后与逾期在前"
    if left:
        deck.left.append(budget.Left("重点任务推进情况", left, f"{budget.XLSX}「重点任务」表"))
        kicker = f"{counts}；滞后与逾期在前，{deck.left[-1].kicker()}"  # one line: the 附 slide says more
    for n, idx in enumerate(pages, start=1):
        suffix = kit.page_suffix(n, len(pages))
        lagging = int((board["status"] == "lagging").sum())
        slide = deck.new_slide(f"重点任务推进情况：{len(board)}项任务，{lagging}项滞后{suffix}", kicker)
        styles = {(i, 0): (TASK_STATUS_COLORS[tones[j]], task_text_color(tones[j])) for i, j in enumerate(idx)}
        kit.table(slide, MARGIN, TABLE_TOP, CONTENT_W, header, [rows[j] for j in idx], widths, font_size=11,
                  row_height=ROW_H, cell_styles=styles, align={0: PP_ALIGN.CENTER})
