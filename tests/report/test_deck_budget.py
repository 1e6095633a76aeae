"""The briefing deck stays a briefing whatever the city's size (``deck_budget``): at most
29 slides, the most-behind items on them, and a last slide (附) saying what was left out
and where it is."""

from __future__ import annotations

import io

import pandas as pd
import testdate
from pptx import Presentation

from indicators import report
from indicators.db import connection
from indicators.report import deck_budget as budget
from indicators.report.summary import summarize

APPENDIX = "附：未列入幻灯片的内容"
PERIOD = "2026-10"  # the tiny city's month (tests/report/conftest.py)


def _slides(summary) -> list:
    data = report.render(summary, "pptx", issued=testdate.TODAY, deadline_day=5)
    return list(Presentation(io.BytesIO(data)).slides)


def _title(slide) -> str:
    texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text.strip()]
    return texts[0] if texts else ""


def _appendix(slides) -> dict[str, list[str]]:
    table = next(sh.table for sh in slides[-1].shapes if sh.has_table)
    return {row.cells[0].text: [c.text for c in row.cells] for row in list(table.rows)[1:]}


def test_the_budget_adds_up_to_29_slides():
    assert budget.MAX_SLIDES == 29


def test_most_behind_first():
    rows = pd.DataFrame({"code": list("abcdef"),
                         "status": ["on_track", "lagging", "far_behind", "lagging", "done", "far_behind"],
                         "gap_pp": [5.0, -3.0, -12.0, -8.0, None, -20.0]})
    assert budget.behind_first(rows)["code"].tolist() == ["f", "c", "d", "b", "a", "e"]


def test_a_section_keeps_its_first_pages_and_counts_the_rest():
    assert budget.keep_pages([[0, 1], [2, 3], [4], [5, 6, 7]], "tasks") == ([[0, 1], [2, 3]], 4)
    assert budget.keep_pages([[0, 1]], "tasks") == ([[0, 1]], 0)


def test_the_matrix_keeps_the_units_with_most_lagging_in_their_order():
    units = pd.DataFrame({"org_unit_code": ["A", "B", "C", "D"], "org_unit_name": ["甲", "乙", "丙", "丁"],
                          "unit_order": [1, 2, 3, 4]})
    kids = pd.DataFrame({"org_unit_code": ["A", "B", "B", "C", "D", "D", "D"],
                         "status": ["on_track", "lagging", "far_behind", "done", "lagging", "lagging", "missing"]})
    kept, left = budget.matrix_units(kids, units, 2)
    assert kept["org_unit_code"].tolist() == ["B", "D"] and left == 2
    assert budget.matrix_units(kids, units, 4)[1] == 0


def test_the_demo_deck_fits_and_its_appendix_adds_up(demo_db):
    con = connection.connect(demo_db, read_only=True)
    try:
        summary = report.build_summary(con, testdate.AS_OF, settings=testdate.SETTINGS)
    finally:
        con.close()
    slides = _slides(summary)
    assert len(slides) <= 29
    left = _appendix(slides) if _title(slides[-1]) == APPENDIX else {}
    shown = sum(1 for s in slides if _title(s).startswith("区县滞后说明") for sh in s.shapes if sh.has_table
                for _ in list(sh.table.rows)[1:])
    cut = int(left["区县滞后说明"][1].removesuffix("项")) if "区县滞后说明" in left else 0
    assert shown + cut == len(summary.supervision.children) > 0


def test_a_city_of_300_districts_still_gets_29_slides_at_most(tiny_table):
    """The tiny city's two districts, each copied 150 times: the matrix would need 30
    slides; it shows the 40 districts with most lagging indicators and says 260 are left."""
    top = tiny_table.loc[tiny_table["level"] == 0, "org_unit_code"].iloc[0]
    kids = tiny_table[tiny_table["parent_code"] == top]
    copies = [kids.assign(org_unit_code=kids["org_unit_code"] + str(k), org_unit_name=kids["org_unit_name"] + str(k),
                          unit_order=kids["unit_order"] * 1000 + k) for k in range(150)]
    big = pd.concat([tiny_table[tiny_table["parent_code"] != top], *copies], ignore_index=True)
    slides = _slides(summarize(big, PERIOD))
    assert len(slides) <= 29
    assert _title(slides[-1]) == APPENDIX
    assert _appendix(slides)["各区县完成情况"][1:] == ["260个单位", "同期调度表（XLSX）各单位表"]
    matrix = [s for s in slides if _title(s).startswith("各区县完成情况")]
    assert len(matrix) == 4
