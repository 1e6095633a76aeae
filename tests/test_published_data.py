"""Published-statistics scenarios, through the documented CLI only (setup-template →
setup-import → import → status --json [--rank-by]); every expected figure is written out
by hand from the inputs below (README "How the numbers are computed").

A. 31 provinces × 5 years of R&D intensity (an annual % ratio) and technology-contract
   turnover, no targets: value, 同比 in points, ranks by value and by 同比 with ties.
B. A province's 16 cities, half-year (1—6月) turnover, one city late: ranks with ties, the
   late city unranked, the province partial with a like-for-like 同比.
C. A county assessment (综合得分, in 分): ranks with ties, 同比 in 分.
D. A city's targets against actuals: cumulative totals with milestones and last year's
   pacing, a stock with 年末达到 and 年内新增 targets and a late district (like for like), a
   derived ratio with a district that sent only its numerator, an annual limit
   (越低越好), a ratio reported at every level in 件.
"""

from __future__ import annotations

import pytest
from published import import_returns, long_return, rows_by, setup_city, status

A = pytest.approx

# ---------------------------------------------------------------- A. provinces, no targets

# name: (R&D intensity 2023, 2022, expected 同比 in points, rank by value, rank by 同比)
PROVINCES = {
    "北京": (6.73, 6.83, -0.10, 1, 30), "上海": (4.34, 4.44, -0.10, 2, 30), "天津": (3.58, 3.49, 0.09, 3, 16),
    "广东": (3.54, 3.42, 0.12, 4, 11), "江苏": (3.29, 3.12, 0.17, 5, 4), "浙江": (3.20, 3.11, 0.09, 6, 16),
    "安徽": (2.69, 2.56, 0.13, 7, 10), "山东": (2.59, 2.49, 0.10, 8, 13), "湖南": (2.57, 2.41, 0.16, 9, 6),
    "湖北": (2.52, 2.33, 0.19, 10, 3), "陕西": (2.50, 2.35, 0.15, 11, 8), "重庆": (2.46, 2.36, 0.10, 12, 13),
    "四川": (2.26, 2.14, 0.12, 13, 11), "辽宁": (2.21, 2.14, 0.07, 14, 19), "福建": (2.14, 1.98, 0.16, 15, 6),
    "河北": (2.08, 2.00, 0.08, 16, 18), "河南": (2.08, 1.86, 0.22, 16, 1), "江西": (1.88, 1.74, 0.14, 18, 9),
    "宁夏": (1.57, 1.57, 0.00, 19, 27), "黑龙江": (1.44, 1.37, 0.07, 20, 19), "吉林": (1.36, 1.43, -0.07, 21, 29),
    "甘肃": (1.32, 1.29, 0.03, 22, 24), "海南": (1.22, 1.00, 0.22, 23, 1), "山西": (1.17, 1.07, 0.10, 24, 13),
    "云南": (1.07, 1.08, -0.01, 25, 28), "内蒙古": (1.07, 0.90, 0.17, 25, 4), "贵州": (1.06, 0.99, 0.07, 27, 19),
    "广西": (0.90, 0.83, 0.07, 28, 19), "青海": (0.82, 0.80, 0.02, 29, 25), "新疆": (0.52, 0.51, 0.01, 30, 26),
    "西藏": (0.34, 0.29, 0.05, 31, 23),
}
# technology-contract turnover (亿元) for three provinces: 2023, 2022, expected 同比
TURNOVER = {"北京": (8536.90, 7947.50, 8536.90 / 7947.50 - 1), "广东": (4400.00, 4000.00, 0.10),
            "西藏": (12.00, 15.00, -0.20)}


@pytest.fixture(scope="module")
def provinces(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("provinces")
    db = setup_city(tmp, {
        "单位": [{"单位代码": f"P{i:02d}", "单位名称": n, "排序": i} for i, n in enumerate(PROVINCES)],
        "指标": [{"指标代码": "RDQD", "指标名称": "R&D经费投入强度", "计量单位": "%", "指标类型": "比率",
                  "频度": "年度", "小数位": 2, "别名": "研发投入强度"},
                 {"指标代码": "JSHT", "指标名称": "技术合同成交额", "计量单位": "亿元", "指标类型": "累计值",
                  "频度": "年度", "小数位": 2}],
    })
    files = []
    for year in (2019, 2020, 2021):  # earlier years: any published-looking values
        files.append(long_return(tmp / f"{year}.xlsx", [(f"{year}年度", n, "R&D经费投入强度", round(v22 - 0.02 * (2022 - year), 2))
                                                        for n, (_, v22, *_) in PROVINCES.items()]))
    files.append(long_return(tmp / "2022.xlsx", [("2022年度", n, "研发投入强度", v22) for n, (_, v22, *_) in PROVINCES.items()]
                             + [("2022年度", n, "技术合同成交额", v) for n, (_, v, _) in TURNOVER.items()]))
    files.append(long_return(tmp / "2023.xlsx", [("2023年度", n, "R&D经费投入强度", v23) for n, (v23, *_) in PROVINCES.items()]
                             + [("2023年度", n, "技术合同成交额", v) for n, (v, _, _) in TURNOVER.items()]))
    import_returns(db, *files)
    return db


def test_provinces_value_yoy_and_rank_by_value_with_ties(provinces):
    rd = rows_by(status(provinces, "2023-12"), "RDQD")
    assert set(rd) == set(PROVINCES)
    for name, (v23, _, yoy, rank, _) in PROVINCES.items():
        r = rd[name]
        assert r["value"] == A(v23) and r["status"] == "no_target", name
        assert (r["yoy"], r["yoy_type"], r["yoy_unit"], r["yoy_pp"]) == (A(yoy, abs=1e-9), "difference", "个百分点", True)
        assert (r["rank"], r["rank_of"], r["rank_by"]) == (rank, 31, "value"), name
        # no target is a normal state: nothing about progress is made up
        assert r["target"] is None and r["completion"] is None and r["progress"] is None and r["expected"] is None
        assert r["gap_pp"] is None and r["provenance"] == "reported" and r["value_period"] == "2023-12"


def test_provinces_rank_by_yoy(provinces):
    rd = rows_by(status(provinces, "2023-12", "--rank-by", "yoy"), "RDQD")
    assert {n: r["rank"] for n, r in rd.items()} == {n: p[4] for n, p in PROVINCES.items()}
    assert {r["rank_by"] for r in rd.values()} == {"yoy"}


def test_provinces_turnover_relative_yoy_and_ranks_among_reporters(provinces):
    tc = rows_by(status(provinces, "2023-12"), "JSHT")
    assert set(tc) == set(TURNOVER)  # provinces that publish nothing have no row at all
    for name, (v, _, yoy) in TURNOVER.items():
        assert tc[name]["value"] == A(v) and tc[name]["yoy"] == A(yoy) and tc[name]["yoy_type"] == "change"
    assert {n: (r["rank"], r["rank_of"]) for n, r in tc.items()} == {"北京": (1, 3), "广东": (2, 3), "西藏": (3, 3)}


def test_provinces_first_year_has_no_yoy_and_a_year_not_yet_published_is_not_due(provinces):
    first = rows_by(status(provinces, "2019-12"), "RDQD")
    assert all(r["yoy"] is None for r in first.values())
    assert first["北京"]["value"] == A(6.77)
    mid_year = rows_by(status(provinces, "2024-06"), "RDQD")
    assert {r["status"] for r in mid_year.values()} == {"not_due"}
    assert all(r["rank"] is None and r["value"] is None for r in mid_year.values())  # nothing due: no rank


# ---------------------------------------------------------------- B. 16 cities, half-year, one late

CITIES = {  # 1—6月 技术合同成交额 2024 (亿元), rank; every city had 100 in 2023
    "郑州市": (400, 1), "洛阳市": (180, 2), "新乡市": (120, 3), "南阳市": (120, 3), "许昌市": (110, 5),
    "焦作市": (100, 6), "平顶山市": (90, 7), "安阳市": (90, 7), "商丘市": (80, 9), "开封市": (75, 10),
    "周口市": (70, 11), "信阳市": (65, 12), "驻马店市": (60, 13), "漯河市": (55, 14), "三门峡市": (35, 15),
}
LATE = "济源市"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cities")
    names = [*CITIES, LATE]
    db = setup_city(tmp, {
        "单位": [{"单位代码": "HN", "单位名称": "河南省"}]
                + [{"单位代码": f"C{i:02d}", "单位名称": n, "上级单位代码": "HN", "排序": i} for i, n in enumerate(names)],
        "指标": [{"指标代码": "JSHT", "指标名称": "技术合同成交额", "计量单位": "亿元", "指标类型": "累计值",
                  "频度": "季度", "小数位": 2}],
    })
    last_year = long_return(tmp / "2023.xlsx", [("2023年6月", n, "技术合同成交额", 100) for n in names])
    this_year = long_return(tmp / "2024.xlsx", [("2024年6月", n, "技术合同成交额", v) for n, (v, _) in CITIES.items()])
    import_returns(db, last_year, this_year)
    return db


def test_cities_rank_by_value_with_ties_the_late_one_unranked(province):
    tc = rows_by(status(province, "2024-06"), "JSHT")
    for name, (v, rank) in CITIES.items():
        assert (tc[name]["value"], tc[name]["rank"], tc[name]["rank_of"]) == (A(v), rank, 15), name
        assert tc[name]["yoy"] == A(v / 100 - 1)
    late = tc[LATE]
    assert late["value"] is None and late["rank"] is None and late["status"] == "missing"


def test_province_is_partial_and_compares_like_for_like(province):
    hn = rows_by(status(province, "2024-06"), "JSHT")["河南省"]
    assert hn["value"] == A(1650) and hn["provenance"] == "partial" and hn["missing_units"] == LATE
    # the same 15 cities on both sides: 1650 / 1500, not 1650 / 1600
    assert hn["value_ly"] == A(1500) and hn["yoy"] == A(0.10)
    assert hn["yoy_basis"] == "like_for_like" and hn["yoy_note"] == "按可比口径（缺济源市）"
    assert hn["rank"] is None  # no siblings


def test_the_province_pack_without_targets_ranks_cities_by_value_and_names_the_late_one(province, tmp_path):
    """No targets: no district ranking (and says why), each indicator's cities by value
    in the notice, values (not "无目标") in the slides' district table."""
    from published import cli
    md, pptx = tmp_path / "pack.md", tmp_path / "pack.pptx"
    said = cli("report", "--db", province, "--period", "2024-06", "--format", "md", "--out", md).stdout
    assert "1项指标均未设定年度目标" in said and "0项重点指标" not in said
    text = md.read_text(encoding="utf-8")
    assert "报送情况：本月应报送的16个单位中，15个已全部报送" in text and "1个未报齐：济源市（缺技术合同成交额）" in text
    assert "部分汇总（缺济源市），1—6月累计1,650.00亿元，同比增长10.0%（按可比口径）" in text
    assert "截至2024年6月，河南省1项指标均未设定年度目标，以下列出数值、同比和排名，不评价进度。" in text
    assert "各区县均未设定本年目标，本月不做综合排名" in text
    assert ("技术合同成交额（按数值排名）：第1名郑州市（400.00 亿元）、第2名洛阳市（180.00 亿元）、"
            "第3名新乡市（120.00 亿元）、第3名南阳市（120.00 亿元）、第5名许昌市（110.00 亿元）") in text
    assert "第15名三门峡市（35.00 亿元）；济源市未报送。" in text
    cli("report", "--db", province, "--period", "2024-06", "--format", "pptx", "--out", pptx)
    from pptx import Presentation
    shapes = [sh for slide in Presentation(pptx).slides for sh in slide.shapes]
    texts = " ".join(sh.text_frame.text for sh in shapes if sh.has_text_frame)
    assert "总体情况：1项指标均未设定年度目标" in texts and "各区县均未设定本年目标" in texts
    grid = {}  # the district tables: city → the cell of 技术合同成交额
    for sh in shapes:
        if sh.has_table:
            rows = [[c.text_frame.text for c in row.cells] for row in sh.table.rows]
            if rows[0][0] == "指标" and set(rows[0][1:]) <= {*CITIES, LATE}:
                grid |= dict(zip(rows[0][1:], rows[1][1:]))
    assert (grid["郑州市"], grid["新乡市"], grid["三门峡市"], grid["济源市"]) == ("400.00 亿元", "120.00 亿元",
                                                                            "35.00 亿元", "未报送")


def test_cities_rank_by_yoy_equals_rank_by_value_here(province):
    tc = rows_by(status(province, "2024-06", "--rank-by", "yoy"), "JSHT")
    assert {n: r["rank"] for n, r in tc.items() if n in CITIES} == {n: rank for n, (_, rank) in CITIES.items()}


# ---------------------------------------------------------------- C. a county assessment

COUNTIES = {  # 综合得分 2023, 2022, expected rank 2023
    "长兴县": (92.5, 90.0, 1), "安吉县": (91.0, 91.5, 2), "德清县": (91.0, 88.0, 2), "桐乡市": (88.25, 85.0, 4),
    "海宁市": (86.0, 86.0, 5), "嘉善县": (79.5, 81.0, 6),
}


@pytest.fixture(scope="module")
def counties(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("counties")
    db = setup_city(tmp, {
        "单位": [{"单位代码": "ZJ", "单位名称": "考核组"}]
                + [{"单位代码": f"K{i}", "单位名称": n, "上级单位代码": "ZJ", "排序": i} for i, n in enumerate(COUNTIES)],
        "指标": [{"指标代码": "ZHDF", "指标名称": "综合得分", "计量单位": "分", "指标类型": "比率", "频度": "年度",
                  "小数位": 2}],
    })
    rows = [(f"{y}年度", n, "综合得分", v) for n, vals in COUNTIES.items() for y, v in ((2023, vals[0]), (2022, vals[1]))]
    import_returns(db, long_return(tmp / "考核.xlsx", rows, title="2022—2023年度各县（市）科技创新考核综合得分"))
    return db


def test_county_assessment_ranks_and_yoy_in_points_of_score(counties):
    k = rows_by(status(counties, "2023-12"), "ZHDF")
    for name, (v23, v22, rank) in COUNTIES.items():
        r = k[name]
        assert (r["value"], r["rank"], r["rank_of"], r["rank_by"]) == (A(v23), rank, 6, "value"), name
        assert (r["yoy"], r["yoy_type"], r["yoy_unit"], r["yoy_pp"]) == (A(v23 - v22), "difference", "分", False)
    assert "考核组" not in k  # a score is not summed up the tree


def test_an_annual_wide_return_titled_yyyy_nian_du_with_a_score_header(tmp_path):
    """«2023年度各县（市）……» over a wide sheet whose header says 综合得分（分）: the year's
    figure (2023-12) of an annual indicator in 分, through import and status --json."""
    import openpyxl
    db = setup_city(tmp_path, {
        "单位": [{"单位代码": "ZJ", "单位名称": "考核组"}]
                + [{"单位代码": f"K{i}", "单位名称": n, "上级单位代码": "ZJ", "排序": i} for i, n in enumerate(COUNTIES)],
        "指标": [{"指标代码": "ZHDF", "指标名称": "综合得分", "计量单位": "分", "指标类型": "比率", "频度": "年度",
                  "小数位": 2}],
    })
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2023年度各县（市）科技创新考核结果"])
    ws.append(["地区", "综合得分（分）"])
    for name, (v23, _, _) in COUNTIES.items():
        ws.append([name, v23])
    wb.save(tmp_path / "2023考核.xlsx")
    import_returns(db, tmp_path / "2023考核.xlsx")
    k = rows_by(status(db, "2023-12", "--rank-by", "value"), "ZHDF")
    assert {n: (r["value"], r["value_period"], r["rank"]) for n, r in k.items()} == {
        "长兴县": (92.5, "2023-12", 1), "安吉县": (91.0, "2023-12", 2), "德清县": (91.0, "2023-12", 2),
        "桐乡市": (88.25, "2023-12", 4), "海宁市": (86.0, "2023-12", 5), "嘉善县": (79.5, "2023-12", 6)}


# ---------------------------------------------------------------- D. a city's targets against actuals

UNITS = [{"单位代码": "SF", "单位名称": "示范市", "排序": 0},
         {"单位代码": "A", "单位名称": "东湖区", "上级单位代码": "SF", "排序": 1},
         {"单位代码": "B", "单位名称": "西山区", "上级单位代码": "SF", "排序": 2},
         {"单位代码": "C", "单位名称": "南岭县", "上级单位代码": "SF", "排序": 3},
         {"单位代码": "D", "单位名称": "北川县", "上级单位代码": "SF", "排序": 4}]


def _ind(code, name, unit, kind, freq="月度", dec=2, **more):
    return {"指标代码": code, "指标名称": name, "计量单位": unit, "指标类型": kind, "频度": freq, "小数位": dec, **more}


INDICATORS = [
    _ind("JSHT", "技术合同成交额", "亿元", "累计值"),
    _ind("GXQY", "高新技术企业数", "家", "期末值", dec=0),
    _ind("RDJF", "R&D经费支出", "亿元", "累计值", freq="季度"),
    _ind("GDP", "地区生产总值", "亿元", "累计值", freq="季度"),
    _ind("RDQD", "R&D经费投入强度", "%", "比率", freq="季度", **{"分子指标代码": "RDJF", "分母指标代码": "GDP", "系数": 100}),
    _ind("XMYQ", "科技项目验收逾期数", "项", "累计值", dec=0, **{"方向": "越低越好"}),
    _ind("WRFM", "每万人发明专利拥有量", "件", "比率"),
]


def _target(code, unit, value, basis=None, nodes=None):
    return {"指标代码": code, "单位代码": unit, "年度": 2024, "目标值": value, "目标口径": basis, "月度节点": nodes}


TARGETS = [
    _target("JSHT", "SF", 280), _target("JSHT", "A", 100, nodes="3:20;6:45;9:70;12:100"), _target("JSHT", "B", 80),
    _target("JSHT", "C", 50), _target("JSHT", "D", 40),
    _target("GXQY", "SF", 1630, "年末达到"), _target("GXQY", "A", 600, "年末达到"), _target("GXQY", "B", 50, "年内新增"),
    _target("GXQY", "C", 300), _target("GXQY", "D", 250, "年末达到"),
    _target("RDQD", "SF", 3.00), _target("RDQD", "A", 3.00), _target("RDQD", "B", 2.20), _target("RDQD", "C", 2.00),
    _target("RDQD", "D", 1.80),
    _target("XMYQ", "A", 12), _target("XMYQ", "B", 6),
    _target("WRFM", "SF", 30.00),
]

RETURNS = {
    # 技术合同成交额: last year 1—9月 and 1—12月 (last year's pace), this year 1—9月; 北川县 late
    "JSHT": [("2023-09", {"A": 60, "B": 45, "C": 25, "D": 18}), ("2023-12", {"A": 90, "B": 75, "C": 40, "D": 30}),
             ("2024-09", {"A": 75, "B": 50, "C": 30})],
    # 高新技术企业数: two year-ends, last September, this September; 北川县 late
    "GXQY": [("2022-12", {"A": 500, "B": 400, "C": 260, "D": 140}), ("2023-09", {"A": 530, "B": 420, "C": 275, "D": 150}),
             ("2023-12", {"A": 540, "B": 430, "C": 280, "D": 153}), ("2024-09", {"A": 585, "B": 460, "C": 290})],
    # R&D: last year-end for everyone; this September 南岭县 only the numerator, 北川县 nothing
    "RDJF": [("2023-12", {"A": 35.1, "B": 13, "C": 7.6, "D": 4.8}), ("2024-09", {"A": 30, "B": 10.7, "C": 6})],
    "GDP": [("2023-12", {"A": 1300, "B": 650, "C": 400, "D": 300}), ("2024-09", {"A": 1000, "B": 500})],
    "XMYQ": [("2024-09", {"A": 6, "B": 7}), ("2024-12", {"A": 11, "B": 9})],
    "WRFM": [("2023-09", {"SF": 24.30, "A": 35.90, "B": 28.00, "C": 15.00, "D": 18.70}),
             ("2023-12", {"SF": 25.00}),
             ("2024-09", {"SF": 28.50, "A": 40.10, "B": 31.20, "C": 18.70, "D": 18.70})],
}
NAMES = {u["单位代码"]: u["单位名称"] for u in UNITS}
IND_NAMES = {i["指标代码"]: i["指标名称"] for i in INDICATORS}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("city")
    db = setup_city(tmp, {"单位": UNITS, "指标": INDICATORS, "目标": TARGETS})
    rows = [(p, NAMES[u], IND_NAMES[code], v) for code, months in RETURNS.items() for p, vals in months for u, v in vals.items()]
    import_returns(db, long_return(tmp / "报送.xlsx", rows))
    return db


@pytest.fixture(scope="module")
def sept(city):
    return status(city, "2024-09")


def test_cumulative_with_milestones_and_last_years_pace(sept):
    tc = rows_by(sept, "JSHT")
    a, b, c, d = (tc[n] for n in ("东湖区", "西山区", "南岭县", "北川县"))
    # 东湖区: 75 of 100 against its 月度节点 70% at September
    assert (a["completion"], a["expected"], a["expected_basis"]) == (A(0.75), A(0.70), "milestone")
    assert (a["gap_pp"], a["expected_value"], a["gap_value"], a["status"]) == (A(5), A(70), A(5), "on_track")
    assert a["yoy"] == A(75 / 60 - 1)
    # 西山区: 50 of 80, last year 45 of 75 by September → 60%
    assert (b["completion"], b["expected"], b["expected_basis"], b["gap_pp"]) == (A(0.625), A(0.6), "last_year", A(2.5))
    assert (b["expected_value"], b["status"]) == (A(48), "on_track")
    # 南岭县: 30 of 50 against 25/40 = 62.5% → −2.5 points
    assert (c["completion"], c["expected"], c["gap_pp"], c["status"]) == (A(0.6), A(0.625), A(-2.5), "lagging")
    assert d["status"] == "missing" and d["value"] is None
    # ranks by completion (all four have targets); the late one has none
    assert [r["rank"] for r in (a, b, c, d)] == [1, 2, 3, None] and a["rank_of"] == 3 and a["rank_by"] == "completion"


def test_partial_cumulative_city_judged_as_it_stands_and_compared_like_for_like(sept):
    sf = rows_by(sept, "JSHT")["示范市"]
    assert sf["value"] == A(155) and sf["provenance"] == "partial" and sf["missing_units"] == "北川县"
    assert sf["target"] == A(280) and sf["completion"] == A(155 / 280)
    # pacing from the city's own complete history: 148 of 235 by last September
    assert sf["expected"] == A(148 / 235) and sf["gap_pp"] == A((155 / 280 - 148 / 235) * 100)
    assert sf["status"] == "lagging" and sf["completion_basis"] == "as_reported"
    # 同比 over 东湖区, 西山区, 南岭县 on both sides: 155 / 130
    assert (sf["yoy"], sf["value_ly"], sf["yoy_basis"]) == (A(155 / 130 - 1), A(130), "like_for_like")
    assert sf["yoy_note"] == "按可比口径（缺北川县）"


def test_rank_by_gap_and_value(city):
    by_gap = rows_by(status(city, "2024-09", "--rank-by", "gap"), "JSHT")
    assert [by_gap[n]["rank"] for n in ("东湖区", "西山区", "南岭县", "北川县")] == [1, 2, 3, None]
    by_value = rows_by(status(city, "2024-09", "--rank-by", "value"), "GXQY")
    assert [by_value[n]["rank"] for n in ("东湖区", "西山区", "南岭县", "北川县")] == [1, 2, 3, None]


def test_stock_level_and_increase_targets(sept):
    ht = rows_by(sept, "GXQY")
    a, b, c = ht["东湖区"], ht["西山区"], ht["南岭县"]
    # 年末达到 600 from 540: 达到 585 / 目标 600 / 完成 97.5%; the status reads 45 of the 60 needed (75%)
    assert (a["target"], a["target_basis"], a["baseline"], a["target_increase"]) == (A(600), "level", A(540), A(60))
    assert (a["completion"], a["progress"], a["vs_baseline"]) == (A(0.975), A(0.75), A(45))
    # last year's pace: (530 − 500) / (540 − 500) = 75%
    assert (a["expected"], a["expected_value"], a["gap_value"], a["gap_pp"]) == (A(0.75), A(585), A(0), A(0))
    assert a["status"] == "on_track" and a["status_rule"] == "change"
    # 年内新增 50 on 430: the level is 480; 较上年末新增 30 / 目标新增 50 / 完成 60%; pace (420−400)/(430−400)
    assert (b["target"], b["target_basis"], b["target_increase"], b["vs_baseline"]) == (A(480), "increase", A(50), A(30))
    assert (b["completion"], b["expected"]) == (A(0.6), A(2 / 3))
    assert (b["gap_pp"], b["expected_value"], b["status"]) == (A((0.6 - 2 / 3) * 100), A(430 + 50 * 2 / 3), "lagging")
    # 年末达到 300 from 280: 290 is 96.7% of the target but only half the increase, pace 75%
    assert (c["completion"], c["progress"], c["gap_pp"], c["status"]) == (A(290 / 300), A(0.5), A(-25), "far_behind")
    assert (c["expected_value"], c["gap_value"]) == (A(295), A(-5))


def test_partial_stock_city_judged_like_for_like_with_its_basis_shown(sept):
    sf = rows_by(sept, "GXQY")["示范市"]
    assert (sf["value"], sf["provenance"], sf["missing_units"]) == (A(1335), "partial", "北川县")
    assert (sf["target"], sf["baseline"]) == (A(1630), A(1403))  # the official ones
    # without 北川县 on both sides: base 540 + 430 + 280 = 1250, target 1630 − 250 = 1380
    assert sf["completion_basis"] == "like_for_like" and sf["comparable_note"] == "按可比口径（缺北川县）"
    assert (sf["comparable_value"], sf["comparable_baseline"], sf["comparable_target"]) == (A(1335), A(1250), A(1380))
    assert (sf["completion"], sf["progress"], sf["vs_baseline"]) == (A(1335 / 1380), A(85 / 130), A(85))
    # the city's own complete history paces it: (1375 − 1300) / (1403 − 1300)
    e = 75 / 103
    assert sf["expected"] == A(e) and sf["gap_pp"] == A((85 / 130 - e) * 100) and sf["status"] == "lagging"
    assert sf["expected_value"] == A(1250 + e * 130) and sf["gap_value"] == A(1335 - 1250 - e * 130)
    assert sf["yoy"] == A(1335 / 1225 - 1) and sf["yoy_note"] == "按可比口径（缺北川县）"


def test_derived_ratio_over_districts_that_sent_both_components(sept):
    rd = rows_by(sept, "RDQD")
    a, b, c, d, sf = (rd[n] for n in ("东湖区", "西山区", "南岭县", "北川县", "示范市"))
    # 东湖区 30 / 1000 = 3.00% against a target of 3.00 from 2.70: done; no 完成率 for a ratio
    assert (a["value"], a["baseline"], a["status"], a["completion"]) == (A(3.0), A(2.7), "done", None)
    assert (a["progress"], a["expected"], a["expected_value"], a["gap_value"]) == (A(1), A(0.75), A(2.925), A(0.075))
    # 西山区 10.7 / 500 = 2.14% on the way from 2.00 to 2.20: 70% of it, pace 75%
    assert (b["value"], b["progress"], b["gap_pp"], b["status"]) == (A(2.14), A(0.7), A(-5), "lagging")
    assert (b["expected_value"], b["gap_value"]) == (A(2.15), A(-0.01))
    # 南岭县 sent only the numerator, 北川县 nothing: no value, not counted in the city
    assert c["value"] is None and c["status"] == "missing" and d["value"] is None
    # city: (30 + 10.7) / (1000 + 500); partial, both named; judged on the same two districts' base
    assert sf["value"] == A(40.7 / 1500 * 100) and sf["provenance"] == "partial"
    assert sf["missing_units"] == "南岭县、北川县"
    assert sf["baseline"] == A(60.5 / 2650 * 100)  # the official one, all four districts
    base = 48.1 / 1950 * 100
    assert (sf["completion_basis"], sf["comparable_baseline"], sf["comparable_target"]) == ("like_for_like", A(base), A(3.0))
    progress = (40.7 / 15 - base) / (3.0 - base)
    assert sf["progress"] == A(progress) and sf["gap_pp"] == A((progress - 0.75) * 100)
    assert sf["status"] == "far_behind" and sf["completion"] is None
    assert sf["expected_value"] == A(base + 0.75 * (3.0 - base))


def test_annual_limit_lower_is_better(city, sept):
    xm = rows_by(sept, "XMYQ")
    a, b = xm["东湖区"], xm["西山区"]
    # 6 of a limit of 12 by September (序时控制数 9): on track, not 已完成
    assert (a["completion"], a["expected_value"], a["gap_value"], a["gap_pp"]) == (A(0.5), A(9), A(-3), A(25))
    assert (a["status"], a["status_rule"]) == ("on_track", "cumulative_limit")
    # 7 of a limit of 6: past the year's limit already
    assert (b["status"], b["completion"]) == ("far_behind", A(7 / 6))
    assert [a["rank"], b["rank"]] == [1, 2]  # the smaller share of the limit first
    dec = rows_by(status(city, "2024-12"), "XMYQ")
    assert dec["东湖区"]["status"] == "done" and dec["西山区"]["status"] == "far_behind"  # 11 ≤ 12; 9 > 6


def test_ratio_in_its_own_unit_reported_at_every_level(sept):
    pat = rows_by(sept, "WRFM")
    sf = pat["示范市"]
    assert (sf["value"], sf["provenance"], sf["target"], sf["baseline"]) == (A(28.5), "reported", A(30), A(25))
    # 同比 +4.20 件, never 个百分点
    assert (sf["yoy"], sf["yoy_type"], sf["yoy_unit"], sf["yoy_pp"]) == (A(4.2), "difference", "件", False)
    assert (sf["progress"], sf["expected"], sf["expected_value"], sf["gap_value"]) == (A(0.7), A(0.75), A(28.75), A(-0.25))
    assert sf["status"] == "lagging" and sf["completion"] is None
    # districts without targets: value, 同比 in 件 and rank by value (南岭县 and 北川县 tie)
    assert {n: pat[n]["rank"] for n in ("东湖区", "西山区", "南岭县", "北川县")} == {"东湖区": 1, "西山区": 2, "南岭县": 3,
                                                                               "北川县": 3}
    assert pat["东湖区"]["yoy"] == A(4.2) and pat["北川县"]["yoy"] == A(0) and pat["东湖区"]["status"] == "no_target"


@pytest.mark.parametrize("fmt", ["md", "xlsx", "pptx"])
def test_the_briefing_pack_works_without_targets(provinces, tmp_path, fmt):
    from published import cli
    out = tmp_path / f"pack.{fmt}"
    cli("report", "--db", provinces, "--period", "2023-12", "--format", fmt, "--out", out)
    assert out.stat().st_size > 0
    if fmt == "md":
        text = out.read_text(encoding="utf-8")
        assert "均未设定年度目标" in text
        assert "6.73%" in text and "同比下降0.10个百分点" in text  # 北京, in points
