"""Page-data functions of ``indicators.views`` over a small fixture city.

``build_fixture_db`` is also used by the AppTests for the cases the demo city does not
cover (a unit without a target, an indicator not yet due).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from actors import ADMIN
from builders import AT

from indicators import views
from indicators.db import batches, connection
from indicators.dispatch import dispatch_table
from indicators.settings import Settings
from indicators.setup.workbook import load_setup

YEAR = 2026


def fixture_frames() -> dict[str, pd.DataFrame]:
    units = pd.DataFrame({
        "code": ["C", "D1", "D2", "D3"], "name": ["示例市", "东城区", "西城区", "高新区"],
        "parent_code": [None, "C", "C", "C"], "aliases": [None] * 4, "sort_order": [0, 1, 2, 3],
    })
    inds = pd.DataFrame({
        "code": ["TC", "HT", "RD", "GDP", "RDI", "NEW"],
        "name": ["技术合同成交额", "高新技术企业数", "R&D经费", "地区生产总值", "R&D经费占GDP比重", "新型研发机构数"],
        "aliases": None, "category": ["成果转化", "创新主体", "研发投入", "研发投入", "研发投入", "创新主体"],
        "unit": ["亿元", "家", "亿元", "亿元", "%", "家"],
        "kind": ["cumulative", "stock", "cumulative", "cumulative", "ratio", "stock"],
        "direction": "higher", "frequency": ["monthly", "monthly", "quarterly", "quarterly", "quarterly", "annual"],
        "decimals": [2, 0, 2, 2, 2, 0], "numerator_code": [None, None, None, None, "RD", None],
        "denominator_code": [None, None, None, None, "GDP", None], "factor": [1, 1, 1, 1, 100, 1],
        "description": ["登记的技术合同成交总额，1–当月累计", None, None, None, "R&D经费/GDP×100", None],
        "source": ["省技术市场登记系统", "科技部火炬中心", None, "统计局", "统计局", None],
        "allow_negative": False, "sort_order": [1, 2, 3, 4, 5, 6],
    })
    deps = pd.DataFrame({"code": ["K1", "K2"], "name": ["成果转化科", "高新技术科"]})
    leaders = pd.DataFrame({"code": ["L1", "L2"], "name": ["张局长", "李副局长"], "title": ["局长", "副局长"]})
    resp = pd.DataFrame({"indicator_code": ["TC", "HT", "RDI", "NEW"], "lead_department": ["K1", "K2", "K1", "K2"],
                         "leader": ["L1", "L2", "L1", "L2"], "support_departments": None, "note": None})
    targets = []
    for unit, tc, ht, rdi in (("C", 120.0, 900, 3.2), ("D1", 50.0, 400, 3.0), ("D2", 40.0, 300, 2.8), ("D3", 30.0, 200, 4.0)):
        targets += [("TC", unit, YEAR, tc), ("HT", unit, YEAR, ht), ("RDI", unit, YEAR, rdi), ("NEW", unit, YEAR, 5)]
    # D3 has no target for 高企 → status no_target
    targets = [t for t in targets if not (t[0] == "HT" and t[1] == "D3")]
    tgt = pd.DataFrame(targets, columns=["indicator_code", "org_unit", "year", "value"])
    tgt["milestones"], tgt["set_by"], tgt["reason"] = None, None, None
    return {"org_unit": units, "department": deps, "leader": leaders, "indicator": inds,
            "responsibility": resp, "target": tgt}


def fixture_values(upto: str = "2026-10") -> pd.DataFrame:
    rows = []
    pace = {"D1": 1.05, "D2": 0.8, "D3": 0.95}
    last_month = int(upto[-2:])
    for year in (YEAR - 1, YEAR):
        for m in range(1, 13):
            if year == YEAR and m > last_month:
                break
            p = f"{year}-{m:02d}"
            g = 1.0 if year == YEAR - 1 else 1.1
            for unit, share in (("D1", 0.42), ("D2", 0.33), ("D3", 0.25)):
                f = pace[unit] if year == YEAR else 1.0
                rows.append(("TC", unit, p, round(100 * share * g * m / 12 * f, 2)))
                rows.append(("HT", unit, p, round(700 * share * (1 + (g - 1 + 0.02) * m / 12 * f))))
                if m % 3 == 0:
                    rows.append(("RD", unit, p, 8 * share * g * m / 12 * f))
                    rows.append(("GDP", unit, p, 300 * share * m / 12))
            if year == YEAR - 1 and m == 12:
                rows += [("NEW", u, p, 3) for u in ("D1", "D2", "D3")]
    frame = pd.DataFrame(rows, columns=["indicator_code", "org_unit", "period", "value"])
    # 西城区 did not report 技术合同 for the last month → missing, city partial
    return frame[~((frame["indicator_code"] == "TC") & (frame["org_unit"] == "D2") & (frame["period"] == upto))]


def build_fixture_db(path: str | Path) -> Path:
    con = connection.connect(path, create=True)
    try:
        load_setup(con, fixture_frames(), actor=ADMIN, at=AT)
        batches.write_batch(con, fixture_values(), file_name="fixture.xlsx", actor=ADMIN, at=AT)
    finally:
        con.close()
    return Path(path)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_fixture_db(tmp_path_factory.mktemp("views") / "f.duckdb")
    c = connection.connect(path, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def table(con):
    return dispatch_table(con, "2026-10", Settings())


def test_headline_cards_cover_key_indicators_only(table):
    cards = views.headline_cards(table)
    # components of the derived ratio (R&D经费, GDP) have no target and no lead department
    assert cards["code"].tolist() == ["TC", "HT", "RDI", "NEW"]
    tc = cards.set_index("code").loc["TC"]
    assert tc["value_text"] == "62.20 亿元" and tc["target_text"] == "120.00 亿元"
    assert tc["badge"] == "▼ 严重滞后"
    # 西城区 is late: 同比 compares 东城区 + 高新区 in both years (62.20 / 55.83), not 62.20 with
    # last year's three districts
    assert tc["yoy_arrow"] == "↑" and tc["yoy_text"] == "+11.4%，按可比口径（缺西城区）"
    assert tc["partial_text"] == "部分汇总，缺：西城区"
    assert cards.set_index("code").loc["NEW", "note"] == "本期未到报送期"


def test_status_counts_list_every_status(table):
    counts = views.status_counts(table).set_index("status")["count"]
    assert list(counts.index) == ["done", "on_track", "lagging", "far_behind", "missing", "not_due", "no_target"]
    assert counts["far_behind"] == 3 and counts["not_due"] == 1 and counts.sum() == 4


def test_lagging_list_sorted_by_gap(table):
    lag = views.lagging_list(table)
    assert set(lag["status"]) <= {"lagging", "far_behind"}
    assert lag["gap_pp"].is_monotonic_increasing
    assert {"指标", "单位", "差距", "牵头科室", "分管领导"} <= set(lag.columns)
    assert lag.iloc[-1]["单位"] == "东城区" and lag.iloc[-1]["状态"] == "▲ 滞后"


def test_district_ranking(table):
    r = views.district_ranking(table)
    assert r["单位"].tolist() == ["东城区", "高新区", "西城区"]
    assert r["排名"].tolist() == [1, 2, 3]
    east = r.iloc[0]
    assert east["考核指标数"] == 3 and east["已完成"] == 1 and east["滞后"] == 1
    assert east["达序时率"] == pytest.approx(1 / 3)


def test_scorecard_and_unit_without_target(table):
    card = views.scorecard(table, "D3")
    row = card.set_index("指标").loc["高新技术企业数"]
    assert row["状态"] == "– 无目标" and row["目标"] == "—" and row["完成率"] == "—"


@pytest.mark.parametrize("column", ["lead_department", "leader"])
def test_by_owner(table, column):
    detail = views.by_owner(table, column)
    assert len(detail) == 4
    summary = views.owner_summary(table, column)
    assert summary["指标数"].sum() == 4


def test_by_owner_rejects_other_columns(table):
    with pytest.raises(ValueError):
        views.by_owner(table, "indicator_name")


def test_status_matrix_has_city_first(table):
    m = views.status_matrix(table)
    assert m.sort_values("unit_order")["unit"].iloc[0] == "示例市"
    assert len(m) == 4 * 4
    assert m.loc[(m["unit"] == "西城区") & (m["indicator"] == "技术合同成交额"), "status"].item() == "missing"


def test_indicator_units_and_provenance(table):
    units = views.indicator_units(table, "TC")
    assert units["unit"].tolist() == ["东城区", "高新区", "西城区"]  # by rank, missing last
    prov = views.provenance_table(table, "TC").set_index("单位")
    assert prov.loc["示例市", "来源"].startswith("部分汇总")
    assert prov.loc["东城区", "来源"] == "直报" and prov.loc["东城区", "批次"] == "#1"
    assert prov.loc["西城区", "来源"] == "无数据"


def test_indicator_trend_cumulative(con):
    t = views.indicator_trend(con, "TC", "D1", "2026-10")
    assert len(t) == 12 and t["due"].all()
    assert t["this_year"].iloc[:10].notna().all() and t["this_year"].iloc[10:].isna().all()
    assert t["last_year"].notna().all()
    assert t["target_path"].iloc[-1] == pytest.approx(50.0)  # the path ends at the annual target
    assert t["target_path"].is_monotonic_increasing


def test_indicator_trend_quarterly_ratio_rolls_up(con):
    t = views.indicator_trend(con, "RDI", "C", "2026-10")
    assert t.loc[t["due"], "month"].tolist() == [3, 6, 9, 12]
    sep = t.set_index("month").loc[9, "this_year"]
    assert sep == pytest.approx(100 * 8 * 1.1 * 9 / 12 * (0.42 * 1.05 + 0.33 * 0.8 + 0.25 * 0.95) / (300 * 9 / 12), rel=1e-6)


def test_indicator_trend_unknown_indicator(con):
    t = views.indicator_trend(con, "NOPE", "C", "2026-10")
    assert len(t) == 12 and t["this_year"].isna().all()


def test_overview_and_detail_bundle(con, table):
    ov = views.overview(con, table, "2026-10", None, Settings(), AT)
    assert not ov.cards.empty and not ov.ranking.empty and not ov.completeness.empty
    d = views.indicator_detail(con, table, "TC", "2026-10")
    assert d.decimals == 2 and d.kind == "cumulative" and "预计全年" in d.summary
    assert "省技术市场登记系统" in d.definition


def test_empty_table_is_harmless():
    from indicators.dispatch import COLUMNS
    empty = pd.DataFrame(columns=COLUMNS)
    assert views.headline_cards(empty).empty
    assert views.status_counts(empty)["count"].sum() == 0
    assert views.lagging_list(empty).empty and views.district_ranking(empty).empty


def test_headline_card_says_what_a_partial_roll_up_lacks(tiny_con):
    from indicators import views
    from indicators.dispatch import dispatch_table
    table = dispatch_table(tiny_con, "2026-10", Settings())
    cards = views.headline_cards(table, "C").set_index("code")
    assert cards.loc["TC", "partial_text"] == ""  # complete roll-up
    assert cards.loc["HT", "partial_text"] == "部分汇总，缺：乙县"  # 乙县 has not reported HT


def test_trend_flags_the_month_whose_total_lacks_a_unit(tiny_con):
    from indicators import views
    trend = views.indicator_trend(tiny_con, "HT", "C", "2026-10").set_index("month")
    assert trend.loc[10, "partial"]  # 乙县 reported HT before but not for 2026-10
    assert not trend.loc[9, "partial"]


def test_status_matrix_heads_each_district_with_its_ranking_and_move(tiny_con):
    from indicators.dispatch import dispatch_table
    from indicators.settings import Settings
    m = views.status_matrix(dispatch_table(tiny_con, "2026-10", Settings()))
    labels = dict(zip(m["unit"], m["unit_label"]))
    # 10月: 甲区 4 of 6 due on track or done, 乙县 none; 9月 the same places — the city is not ranked
    assert labels == {"测试市": "测试市", "甲区": "甲区<br>第1名 持平", "乙县": "乙县<br>第2名 持平"}


def test_top_unit_is_the_shallowest_unit_first_in_order():
    """The city (level 0) before any district; among the shallowest, the first in order — rows in any
    order, ties (one unit's many rows) alike; a missing level or order sorts last, as sorting does."""
    from indicators.views.scope import top_unit
    table = pd.DataFrame({"org_unit_code": ["D2", "C1", "C0", "D1", "C0"], "level": [1, 0, 0, 1, 0],
                          "unit_order": [2, 5, 3, 1, 3]})
    assert top_unit(table) == "C0"
    assert top_unit(table[table["level"] == 1]) == "D1"
    gaps = pd.DataFrame({"org_unit_code": ["X", "D1", "D2"], "level": [np.nan, 1, 1], "unit_order": [0, 4, 3]})
    assert top_unit(gaps) == "D2"
    assert top_unit(table.iloc[:0]) is None
