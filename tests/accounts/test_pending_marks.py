"""A figure that waits for review says so wherever it is shown: the dispatch table's
``review`` rolls up (a parent is pending if any value under it is), and the cards, the
page tables, the slides and the XLSX table carry the 待审核 mark (``cards`` is its one
home: ``value_text`` and ``Card.review``).

The world (test_permission_matrix): district A's own return P — TC 72 and HT 111 of A —
is 待审核; the admin's batch Q then replaced A's HT with 112 (approved on upload). So A's
TC and the city's TC (rolled up from A and B) are pending, A's and the city's HT are not.
"""

from __future__ import annotations

import io

import openpyxl
from pptx import Presentation
from test_permission_matrix import SETTINGS, world, world_master  # noqa: F401 (fixtures)

from indicators import cards, report, views
from indicators.dispatch import dispatch_table

MARK = "（待审核）"
NOTE = "待审核：含尚未审核通过的报送数值"


def _row(table, indicator, unit):
    return table[(table["indicator_code"] == indicator) & (table["org_unit_code"] == unit)].iloc[0].to_dict()


def test_review_rolls_up(world):
    table = dispatch_table(world, "2026-10", SETTINGS)
    assert [_row(table, i, u)["review"] for i, u in [("TC", "A"), ("TC", "C"), ("TC", "B"), ("HT", "A"), ("HT", "C")]] \
        == ["pending", "pending", "approved", "approved", "approved"]


def test_cards_and_page_tables_carry_the_mark(world):
    table = dispatch_table(world, "2026-10", SETTINGS)
    tc, ht = _row(table, "TC", "A"), _row(table, "HT", "A")
    assert cards.value_text(tc).endswith(MARK) and not cards.value_text(ht).endswith(MARK)
    assert cards.card(tc).review == NOTE and cards.card(ht).review == ""
    assert cards.value_text({**tc, "value": None}) == "—"  # no figure, nothing to mark
    score = views.scorecard(table, "A").set_index("指标")
    assert score.loc[tc["indicator_name"], "本期值"].endswith(MARK)
    assert not score.loc[ht["indicator_name"], "本期值"].endswith(MARK)
    units = views.indicator_units(table, "TC").set_index("code")
    assert units.loc["A", "value_text"].endswith(MARK) and not units.loc["B", "value_text"].endswith(MARK)


def test_slides_and_the_xlsx_table_carry_the_mark(world):
    summary = report.build_summary(world, "2026-10", settings=SETTINGS)
    tc, ht = (_row(summary.indicators, i, "C")["indicator_name"] for i in ("TC", "HT"))
    deck = Presentation(io.BytesIO(report.render(summary, "pptx", issued=SETTINGS.today, deadline_day=5)))
    rows = [[c.text for c in row.cells] for slide in deck.slides for sh in slide.shapes if sh.has_table
            for row in sh.table.rows]
    assert any(r[1].startswith(tc) and any(c.endswith(MARK) for c in r) for r in rows if len(r) > 2)
    assert not any(r[1].startswith(ht) and any(c.endswith(MARK) for c in r) for r in rows if len(r) > 2)
    ws = openpyxl.load_workbook(io.BytesIO(report.render(summary, "xlsx", issued=SETTINGS.today,
                                                         deadline_day=5))).worksheets[0]
    notes = {r[1]: r[-1] or "" for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}
    assert NOTE in notes[tc] and NOTE not in notes[ht]


def test_the_notice_says_which_figures_wait_for_review(world):
    summary = report.build_summary(world, "2026-10", settings=SETTINGS)
    tc, ht = (_row(summary.indicators, i, "C")["indicator_name"] for i in ("TC", "HT"))
    text = report.render(summary, "md", issued=SETTINGS.today, deadline_day=5).decode()
    about = {name: [line for line in text.splitlines() if f"{name}。" in line or f"{name}：" in line]
             for name in (tc, ht)}
    assert about[tc] and all("含尚未审核通过的报送数据（待审核）" in line for line in about[tc]), about[tc]
    assert about[ht] and not any("待审核" in line for line in about[ht]), about[ht]
