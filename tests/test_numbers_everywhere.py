"""The demo city's pages, slides and notice show the numbers ``status --json`` gives.

``status --json`` runs as a subprocess; its numbers are formatted here and looked for on
调度总览's cards, in the PPTX (overview, dispatch table, charts) and in the notice; the
district ranking of 调度总览 is compared with the slides' and the notice's.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
import testdate
from pptx import Presentation

from indicators import views
from indicators.db import connection
from indicators.dispatch import dispatch_table
from indicators.formatting import fmt_change, fmt_pct, fmt_value
from indicators.report.notice import notice_blocks
from indicators.report.pptx_deck import build_deck
from indicators.report.summary import summarize

CITY = "SLS"
ISSUED = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def json_rows(demo_db_master):
    out = subprocess.run([sys.executable, "-m", "indicators", "status", "--db", str(demo_db_master), "--period",
                          testdate.AS_OF, "--json"], capture_output=True, text=True, env=os.environ, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def table(demo_db_master):
    con = connection.connect(demo_db_master, read_only=True)
    try:
        return dispatch_table(con, testdate.AS_OF, testdate.SETTINGS)
    finally:
        con.close()


@pytest.fixture(scope="module")
def summary(table):
    return summarize(table, testdate.AS_OF)


@pytest.fixture(scope="module")
def deck(summary):
    return Presentation(io.BytesIO(build_deck(summary, issued=ISSUED)))


@pytest.fixture(scope="module")
def notice_text(summary):
    return "\n".join(b.text for b in notice_blocks(summary, issued=ISSUED, deadline_day=5))


def _text(v, rec) -> str:
    return fmt_value(v, rec["unit"], rec["decimals"])


def _city(json_rows):
    return [r for r in json_rows if r["org_unit_code"] == CITY and r["status"] != "no_target"]


def _table_rows(deck, title: str) -> list[list[str]]:
    rows = []
    for slide in deck.slides:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        if not any(t.startswith(title) for t in texts):
            continue
        for sh in slide.shapes:
            if sh.has_table:
                rows += [[c.text for c in r.cells] for r in list(sh.table.rows)[1:]]
    return rows


def test_the_json_has_the_whole_status_mix(json_rows):
    assert {r["status"] for r in _city(json_rows)} >= {"done", "on_track", "lagging", "far_behind"}
    assert any(r["provenance"] == "partial" for r in json_rows)


def test_overview_cards_carry_the_json_numbers(json_rows, table):
    cards = views.headline_cards(table).set_index("code")
    for rec in _city(json_rows):
        card = cards.loc[rec["indicator_code"]]
        shown = " ".join(t for _, t in card["lines"]) + " " + card["partial_text"] + " " + card["comparable_text"]
        if rec["value"] is None:
            assert card["note"], rec["indicator_code"]
            continue
        value = rec["comparable_value"] if rec["completion_basis"] == "like_for_like" else rec["value"]
        assert _text(value, rec) in shown, (rec["indicator_code"], shown)
        if rec["completion"] is not None:
            assert fmt_pct(rec["completion"]) in shown, rec["indicator_code"]
        if rec["expected_value"] is not None and rec["kind"] != "cumulative":
            # 序时应达值 of a count (家, 项) carries one more decimal than the count
            dec = rec["decimals"] + 1 if rec["decimals"] == 0 else rec["decimals"]
            assert fmt_value(rec["expected_value"], rec["unit"], dec) in shown, rec["indicator_code"]
        if rec["provenance"] == "partial":
            assert f"部分汇总，缺：{rec['missing_units']}" in card["partial_text"]
        if rec["kind"] == "ratio":  # a ratio never shows a percentage of a percentage
            assert "完成" not in [label for label, _ in card["lines"]]


def test_slides_carry_the_json_numbers(json_rows, deck):
    # a figure with a re-sent value in review carries （待审核） (issue 12): the numbers are the same
    rows = {r[1].split("（部分汇总")[0]: [c.replace("（待审核）", "") for c in r]
            for r in _table_rows(deck, "示例市重点指标调度表")}
    names = {r[1].split("（部分汇总")[0]: r[1] for r in _table_rows(deck, "示例市重点指标调度表")}
    for rec in _city(json_rows):
        if rec["status"] == "not_due":
            continue
        row = rows[rec["indicator_name"]]
        assert row[4] == fmt_pct(rec["completion"])  # — for a ratio
        if rec["completion_basis"] == "like_for_like" and rec["comparable_target"] != rec["target"]:
            # the row's own numbers give its 完成率: the comparable target, the official one named
            assert row[2] == _text(rec["comparable_value"], rec), rec["indicator_code"]
            assert row[3].startswith(_text(rec["comparable_target"], rec))
            assert _text(rec["target"], rec).replace(" ", "") in names[rec["indicator_name"]]
        else:
            assert row[2] == _text(rec["value"], rec), rec["indicator_code"]
            assert row[3] == _text(rec["target"], rec)
        if rec["provenance"] == "partial":
            assert "部分汇总" in row[1]
        # 同比 in the indicator's own terms, marked when it is like for like
        yoy = fmt_change(rec["yoy"], rec["yoy_type"], rec["yoy_unit"], rec["decimals"]) if rec["yoy"] is not None \
            else "—"
        assert row[7] == yoy + ("（可比）" if rec["yoy_basis"] == "like_for_like" else ""), rec["indicator_code"]


def test_notice_sentences_carry_the_json_numbers(json_rows, notice_text):
    for rec in _city(json_rows):
        if rec["value"] is None:
            continue
        value = rec["comparable_value"] if rec["completion_basis"] == "like_for_like" else rec["value"]
        assert _text(value, rec).replace(" ", "") in notice_text, rec["indicator_code"]
        if rec["provenance"] == "partial":
            assert f"缺{rec['missing_units']}" in notice_text
    assert "报送情况：" in notice_text
    assert "%完成" not in notice_text and "完成率225" not in notice_text


def test_district_ranking_is_the_same_on_the_page_the_slides_and_in_the_notice(table, summary, deck, notice_text):
    page = views.district_ranking(table, CITY)
    report = summary.ranking
    assert page["code"].tolist() == report["org_unit_code"].tolist()
    ranks = [None if pd.isna(r) else int(r) for r in page["排名"]]
    assert ranks == [None if pd.isna(r) else int(r) for r in report["rank"]]
    assert page["达序时率"].fillna(-1).tolist() == pytest.approx(report["on_track_share"].fillna(-1).tolist())
    slide = [r for r in _table_rows(deck, "总体情况") if len(r) == 5 and r[1] in set(page["单位"])]
    assert [(r[0], r[1]) for r in slide] == [("—" if k is None else str(k), n)
                                             for k, n in zip(ranks, page["单位"])][:len(slide)]
    # 排名升降: one rule (rules.month_change) on the page, the slide and in the notice
    moves = [None if pd.isna(m) else int(m) for m in page["排名升降"]]
    assert moves == [None if pd.isna(m) else int(m) for m in report["rank_move"]]
    arrows = {None: "—", 0: "持平", **{m: f"↑{m}" for m in range(1, 9)}, **{-m: f"↓{m}" for m in range(1, 9)}}
    assert [r[4] for r in slide] == [arrows[m] for m in moves][:len(slide)]
    for k, name, m, last in zip(ranks, page["单位"], moves, page["上月排名"]):
        if k is not None and m is not None:
            words = "持平" if m == 0 else f"上升{m}位" if m > 0 else f"下降{-m}位"
            assert f"第{k}名 {name}（上月第{int(last)}名，{words}）：" in notice_text
        elif k is not None:
            assert f"第{k}名 {name}：" in notice_text
        else:
            assert f"{name}：" in notice_text and "不参加排名" in notice_text


def test_rank_moves_are_the_same_in_the_xlsx_the_brief_and_on_the_pages(table, summary):
    """排名升降 (rules.month_change) of 指标详情's ranking table in the XLSX's district sheets,
    and 调度总览's district ranking in the A3 简报's and the heat-map slides' (below)."""
    import openpyxl

    from indicators.report import brief
    from indicators.report.xlsx_table import HEADER_ROW, build_workbook
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(summary)))
    moved = 0
    for code in views.indicator_detail_options(table)["code"]:
        units = views.indicator_units(table, code, None)
        for unit, text in zip(units["unit"], units["rank_move_text"]):
            ws = book[unit]
            header = [c.value for c in ws[HEADER_ROW + 1]]
            rows = {r[header.index("指标")]: r[header.index("排名升降")] for r in
                    ws.iter_rows(min_row=HEADER_ROW + 2, values_only=True)}
            name = table.loc[table["indicator_code"] == code, "indicator_name"].iloc[0]
            assert (rows[name] or "—") == text, (code, unit)
            moved += text.startswith(("↑", "↓"))
    assert moved > 0  # the demo has moves, not only 持平
    page = views.district_ranking(table, CITY)
    arrows = {None: "—", 0: "持平", **{m: f"↑{m}" for m in range(1, 9)}, **{-m: f"↓{m}" for m in range(1, 9)}}
    want = [[("—" if pd.isna(k) else str(int(k))), n, arrows[None if pd.isna(m) else int(m)]]
            for k, n, m in zip(page["排名"], page["单位"], page["排名升降"])][:brief.RANKING_ROWS]
    slide = Presentation(io.BytesIO(brief.build_brief(summary, issued=ISSUED))).slides[0]
    ranking = [[[c.text for c in r.cells] for r in list(sh.table.rows)[1:]] for sh in slide.shapes
               if sh.has_table and sh.table.cell(0, 4).text == "升降"]
    assert [[r[0], r[1], r[4]] for r in ranking[0]] == want


def test_the_heat_map_slides_carry_the_pages_district_ranking_and_moves(table, deck):
    page = views.district_ranking(table, CITY)
    arrows = {0: "持平", **{m: f"↑{m}" for m in range(1, 9)}, **{-m: f"↓{m}" for m in range(1, 9)}}
    want = {n: "—" if pd.isna(k) else f"第{int(k)}名" + ("" if pd.isna(m) else f" {arrows[int(m)]}")
            for k, n, m in zip(page["排名"], page["单位"], page["排名升降"])}
    seen = 0
    for slide in deck.slides:
        tables = [sh.table for sh in slide.shapes if sh.has_table and sh.table.cell(0, 0).text == "指标"]
        last = [[c.text for c in list(t.rows)[-1].cells] for t in tables]
        for t, row in zip(tables, last):
            if row[0] != "综合排名（升降较上月）":
                continue
            units = [c.text for c in t.rows[0].cells][1:]
            assert row[1:] == [want[u] for u in units]
            seen += 1
    assert seen >= 1 and any("↑" in v or "↓" in v for v in want.values())
