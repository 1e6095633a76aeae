"""The briefing deck stays a briefing whatever the city's size (``deck_budget``): at most
30 slides, the most-behind items on them, every other indicator on the 附表 pages, and a
last slide (附) saying what was left out and where it is."""

from __future__ import annotations

import io
import re

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


def test_the_budget_adds_up_to_30_slides():
    assert budget.MAX_SLIDES == 30
    assert 2 + sum(budget.SLIDES.values()) + 1 == 30  # title, overview, the sections, 附


def test_only_the_rows_that_could_be_shown_are_worded():
    # 1000 high, rows of at least 100 (the header too): 9 rows a slide; lagging has 2 slides
    assert budget.row_cap("lagging", 100, 1000) == 18
    assert budget.row_cap("appendix", 100, 1000, per_row=3) == 3 * 9 * 3
    assert budget.row_cap("lagging", 600, 1000) == 2  # never less than a row a slide


def test_most_behind_first():
    rows = pd.DataFrame({"code": list("abcdef"),
                         "status": ["on_track", "lagging", "far_behind", "lagging", "done", "far_behind"],
                         "gap_pp": [5.0, -3.0, -12.0, -8.0, None, -20.0]})
    assert budget.behind_first(rows)["code"].tolist() == ["f", "c", "d", "b", "a", "e"]


def test_a_section_keeps_its_first_pages_and_counts_the_rest():
    assert budget.keep_pages([[0, 1], [2, 3], [4], [5, 6, 7]], "tasks") == ([[0, 1], [2, 3]], 4)
    assert budget.keep_pages([[0, 1]], "tasks") == ([[0, 1]], 0)
    # only the first rows were paginated: the others are counted from the total
    assert budget.keep_pages([[0, 1], [2, 3], [4]], "tasks", total=10) == ([[0, 1], [2, 3]], 6)


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
    assert len(slides) <= 30
    left = _appendix(slides) if _title(slides[-1]) == APPENDIX else {}
    shown = sum(1 for s in slides if _title(s).startswith("区县滞后说明") for sh in s.shapes if sh.has_table
                for _ in list(sh.table.rows)[1:])
    cut = int(left["区县滞后说明"][1].removesuffix("项")) if "区县滞后说明" in left else 0
    assert shown + cut == len(summary.supervision.children) > 0


def test_a_city_of_300_districts_still_gets_30_slides_at_most(tiny_table):
    """The tiny city's two districts, each copied 150 times: the matrix would need 30
    slides; it shows the 40 districts with most lagging indicators and says 260 are left."""
    top = tiny_table.loc[tiny_table["level"] == 0, "org_unit_code"].iloc[0]
    kids = tiny_table[tiny_table["parent_code"] == top]
    copies = [kids.assign(org_unit_code=kids["org_unit_code"] + str(k), org_unit_name=kids["org_unit_name"] + str(k),
                          unit_order=kids["unit_order"] * 1000 + k) for k in range(150)]
    big = pd.concat([tiny_table[tiny_table["parent_code"] != top], *copies], ignore_index=True)
    slides = _slides(summarize(big, PERIOD))
    assert len(slides) <= 30
    assert _title(slides[-1]) == APPENDIX
    assert _appendix(slides)["各区县完成情况"][1:] == ["260个单位", "同期调度表（XLSX）各单位表"]
    matrix = [s for s in slides if _title(s).startswith("各区县完成情况")]
    assert len(matrix) == 4


def _many_indicators(tiny_table, copies: int) -> pd.DataFrame:
    """The tiny city's 8 indicators, each copied ``copies`` times (名称·001 …)."""
    parts = [tiny_table.assign(indicator_code=tiny_table["indicator_code"] + f"_{k:03d}",
                               indicator_name=tiny_table["indicator_name"] + f"·{k:03d}",
                               indicator_order=tiny_table["indicator_order"] * 1000 + k) for k in range(copies)]
    return pd.concat(parts, ignore_index=True)


def _table_cells(slide, columns: range | list[int]) -> list[str]:
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    return [row.cells[c].text for row in list(table.rows)[1:] for c in columns if row.cells[c].text]


def _where_each_indicator_is(slides) -> dict[str, list[str]]:
    """Section → the indicator names it shows, read off the slides (names end at 「（」)."""
    found: dict[str, list[str]] = {"chart": [], "lagging": [], "table": [], "appendix": []}
    for slide in slides:
        title = _title(slide)
        if title.startswith("滞后指标及牵头单位"):
            found["lagging"] += _table_cells(slide, [0])
        elif "重点指标调度表" in title:
            found["table"] += _table_cells(slide, [1])
        elif title.startswith("附表："):
            found["appendix"] += _table_cells(slide, [0, 4, 8])
        elif "·" in title.split("：")[0]:
            found["chart"].append(title.split("：")[0])
    return {k: [re.sub("（.*", "", n) for n in v] for k, v in found.items()}


def test_every_indicator_is_on_a_slide_of_its_own_or_in_the_appendix(tiny_table):
    """200 indicators (the tiny city's 8 × 25): each one a leader needs — a key indicator or
    a chart indicator — is on a chart slide, a row of 滞后指标 or 调度表, or on the 附表,
    which says how many it lists and why, paged 第 x / y 页."""
    summary = summarize(_many_indicators(tiny_table, 25), PERIOD)
    slides = _slides(summary)
    assert len(slides) <= 30
    where = _where_each_indicator_is(slides)
    assert len(where["chart"]) == budget.SLIDES["charts"]
    names = summary.indicators.set_index("indicator_code")["indicator_name"]
    needed = {names.get(c) or summary.children.loc[summary.children["indicator_code"] == c, "indicator_name"].iloc[0]
              for c in {*summary.key_codes, *summary.chart_indicators}}
    on_slides = set(where["chart"]) | set(where["lagging"]) | set(where["table"])
    assert on_slides | set(where["appendix"]) == needed
    assert not on_slides & set(where["appendix"])  # once, not twice
    pages = [_title(s) for s in slides if _title(s).startswith("附表：")]
    n = len(needed - on_slides)
    assert pages == [f"附表：其余{n}项指标（第 {k} / {len(pages)} 页）" for k in range(1, len(pages) + 1)]
    first = next(s for s in slides if _title(s).startswith("附表："))
    kicker = [sh.text_frame.text for sh in first.shapes if sh.has_text_frame and sh.text_frame.text.strip()][1]
    assert kicker.startswith(f"为控制篇幅，以下{n}项指标未单独成页，按与序时进度的差距从大到小排列")


def test_the_appendix_is_bounded_and_says_how_many_it_could_not_list(tiny_table):
    """1,600 indicators: 附表 fills its 3 slides with the most behind, and both its
    slides and the 附 slide count the rest and say where they are."""
    summary = summarize(_many_indicators(tiny_table, 200), PERIOD)
    slides = _slides(summary)
    assert len(slides) <= 30
    pages = [s for s in slides if _title(s).startswith("附表：")]
    assert len(pages) == budget.SLIDES["appendix"]
    where = _where_each_indicator_is(slides)
    listed = len(set(where["chart"]) | set(where["lagging"]) | set(where["table"]) | set(where["appendix"]))
    needed = len({*summary.key_codes, *summary.chart_indicators})
    left = _appendix(slides)["其余指标"]
    assert left[1:] == [f"{needed - listed}项", "同期调度表（XLSX）「测试市」表"]
    assert needed - listed > 0
    # most behind first: 严重滞后, then 滞后, then the rest, left to right and down
    severity = [0 if st.endswith("严重滞后") else 1 if st.endswith("滞后") else 2
                for p in pages for st in _table_cells(p, [3, 7, 11])]
    assert severity == sorted(severity) and len(severity) > 100
