"""The monthly briefing pack (月调度材料): slides, Excel table, notice draft, chart PNGs.

    summary = build_summary(con, "2026-10", settings=s)             # the numbers, computed once
    data = render(summary, "pptx", issued=today, deadline_day=5)    # bytes of a .pptx/.xlsx/.docx/.md/.pdf
    name = file_name(summary, "pptx")                # 2026年10月重点指标月调度_示例市.pptx

Every format reads the same ``Summary`` (``report.summary``), itself computed from the
dispatch table of ``indicators status``, so the numbers agree everywhere.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

import pandas as pd

from indicators.db.connection import Connection
from indicators.dispatch import dispatch_table
from indicators.errors import RejectedInput
from indicators.report.summary import Summary, summarize
from indicators.settings import Settings

FORMATS = ("pptx", "xlsx", "docx", "md")  # the downloads of 报告导出
RENDERABLE = FORMATS + ("pdf", "brief")  # through LibreOffice (report.pdf): the notice, the A3 简报
FORMAT_LABELS = {"pptx": "汇报幻灯片", "xlsx": "调度表", "docx": "通报（草稿）", "md": "通报（草稿）",
                 "pdf": "通报（PDF）", "brief": "A3 简报（PDF）"}
MIME_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
    "pdf": "application/pdf",
    "brief": "application/pdf",
    "png": "image/png",
}


def build_summary(con: Connection, period: str, unit: str | None = None,
                  *, settings: Settings) -> Summary:
    """The dispatch table of ``period`` (for ``unit`` and its children) summarised, with
    its explanations and key tasks."""
    table = dispatch_table(con, period, settings, unit=unit)
    return supervise(con, summarize(table, period, unit=unit, source=settings.source_label), table, settings)


def supervise(con: Connection, summary: Summary, table: pd.DataFrame, settings: Settings) -> Summary:
    """``summary`` with the explanations of ``table`` (its dispatch table), the month's
    task board (``report.supervision``) and who sent late (``summary.with_timeliness``)."""
    from indicators import explanations
    from indicators.report.summary import with_timeliness
    from indicators.report.supervision import supervision_from
    from indicators.returns.completeness import sent_late
    from indicators.tasks.board import task_board
    sup = supervision_from(explanations.attach(con, table), task_board(con, summary.period), summary.scope_code)
    return with_timeliness(replace(summary, supervision=sup), sent_late(con, summary.period, settings))


def render(summary: Summary, fmt: str, *, issued: date, deadline_day: int, complete_only: bool = False) -> bytes:
    """The report in ``fmt`` (one of RENDERABLE) as bytes; ``issued`` is the date printed on it
    (``indicators.clock.today``). Missing explanations are printed as 【待补充】, or with
    ``complete_only`` the pack is refused (RejectedInput naming them by leader). ``pdf`` is
    the notice's docx converted by LibreOffice (``report.pdf``; ``PdfUnavailable`` without it)."""
    if complete_only and summary.supervision is not None:
        from indicators.report.supervision import require_complete
        require_complete(summary.supervision)
    with _collector_paused():
        return _render(summary, fmt, issued=issued, deadline_day=deadline_day)


@contextmanager
def _collector_paused():
    """No cyclic garbage collection while a file is built: a workbook or deck is hundreds of
    thousands of short-lived objects (cells, XML elements) freed by their reference counts,
    and each full collection would walk all of them and the Summary's frames again (a fifth
    of the XLSX's time on the big db). The collector's state is restored afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _render(summary: Summary, fmt: str, *, issued: date, deadline_day: int) -> bytes:
    if fmt == "pptx":
        from indicators.report.pptx_deck import build_deck
        return build_deck(summary, issued=issued)
    if fmt == "xlsx":
        from indicators.report.xlsx_table import build_workbook
        return build_workbook(summary)
    if fmt in ("docx", "md"):
        from indicators.report import notice
        blocks = notice.notice_blocks(summary, issued=issued, deadline_day=deadline_day)
        return notice.to_docx(blocks) if fmt == "docx" else notice.to_markdown(blocks).encode("utf-8")
    if fmt == "pdf":
        from indicators.report import pdf
        docx = _render(summary, "docx", issued=issued, deadline_day=deadline_day)
        return pdf.convert(pdf.with_installed_fonts(docx), ".docx")
    if fmt == "brief":  # one A3 page: key numbers, the lagging list, two charts
        from indicators.report import brief, pdf
        return pdf.convert(brief.build_brief(summary, issued=issued), ".pptx")
    raise RejectedInput(f"不支持的报告格式「{fmt}」，可选：{'、'.join(RENDERABLE)}")


def file_name(summary: Summary, fmt: str) -> str:
    kind = {"pptx": "重点指标月调度汇报", "xlsx": "重点指标调度表", "docx": "重点指标调度通报",
            "md": "重点指标调度通报", "pdf": "重点指标调度通报", "png": "完成率", "brief": "重点指标调度简报（A3）"}[fmt]
    return f"{summary.period_label}{summary.scope_name}{kind}.{'pdf' if fmt == 'brief' else fmt}"


__all__ = ["FORMATS", "FORMAT_LABELS", "RENDERABLE", "MIME_TYPES", "Summary", "build_summary", "file_name",
           "render", "summarize", "supervise"]
