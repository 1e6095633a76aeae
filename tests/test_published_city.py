"""A city's returns as its statistics office publishes them, through the documented CLI
only: last year's figures in files that name their month in a 报送期 column or only in
the file's name, this year's in a titled table in 万元 with a 全市 row and a note. Every
expected figure is written out by hand from the inputs (README "How the numbers are
computed"): m = 10, no 月度节点, no 2024 history (so a stock paces at 10/12).

                 高新技术企业数 (家, 期末值, 年末达到)      技术合同成交额 (亿元, 累计值)
                 2025-10  2025-12  2026-10  目标         2025-10  2025-12  2026-10 (万元)  目标
    吴兴区        410      420      468     500          35.0     45.6     387,654.3      50
    南浔区        240      250      271     300          20.0     26.1     215,000        30
    德清县        320      330      362     400          28.0     35.2     301,230        40
    青山市(全市)   —        —        1,101   1,200        —        —        904,884.3      120
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from published import cli, rows_by, setup_city

ENV = {"INDICATORS_TODAY": "2026-12-01"}
A = pytest.approx


def _book(path, rows, title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.merge_cells("A1:C1")
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qingshan")
    db = setup_city(tmp, {
        "单位": [{"单位代码": "330500", "单位名称": "青山市", "别名": "全市", "排序": 1},
                 {"单位代码": "330502", "单位名称": "吴兴区", "上级单位代码": "330500", "排序": 2},
                 {"单位代码": "330503", "单位名称": "南浔区", "上级单位代码": "330500", "排序": 3},
                 {"单位代码": "330521", "单位名称": "德清县", "上级单位代码": "330500", "排序": 4}],
        "指标": [{"指标代码": "GXQY", "指标名称": "高新技术企业数", "计量单位": "家", "指标类型": "期末值",
                  "频度": "月度", "小数位": 0},
                 {"指标代码": "JSHT", "指标名称": "技术合同成交额", "计量单位": "亿元", "指标类型": "累计值",
                  "频度": "月度", "小数位": 2}],
        "目标": [{"指标代码": "GXQY", "单位代码": u, "年度": 2026, "目标值": t, "目标口径": "年末达到"}
                 for u, t in (("330500", 1200), ("330502", 500), ("330503", 300), ("330521", 400))]
        + [{"指标代码": "JSHT", "单位代码": u, "年度": 2026, "目标值": t}
           for u, t in (("330500", 120), ("330502", 50), ("330503", 30), ("330521", 40))],
    })
    header = ["单位", "报送期", "高新技术企业数（家）", "技术合同成交额（亿元）"]
    last_oct = _book(tmp / "上年10月.xlsx", [header, ["吴兴区", "2025年10月", 410, 35.0],
                                              ["南浔区", "2025年10月", 240, 20.0], ["德清县", "2025年10月", 320, 28.0]])
    # the month only in the file's name
    last_dec = _book(tmp / "青山市2025年12月科技指标.xlsx", [
        ["单位", "高新技术企业数（家）", "技术合同成交额（亿元）"],
        ["吴兴区", 420, 45.6], ["南浔区", 250, 26.1], ["德清县", 330, 35.2]])
    this_oct = _book(tmp / "1-10月.xlsx", [
        ["地区", "高新技术企业数（家）", "技术合同成交额（万元）"], ["全市", 1101, "904,884.3"],
        ["吴兴区", 468, 387654.3], ["南浔区", "271", 215000], ["德清县", 362, 301230],
        ["注：高新技术企业数为期末有效数，技术合同成交额为1-10月累计。"]],
        title="青山市2026年1-10月科技主要指标完成情况")
    for f in (last_oct, last_dec, this_oct):
        cli("import", f, "--db", db, "--yes", env=ENV)
    return db


def _status(db):
    return json.loads(cli("status", "--db", db, "--period", "2026-10", "--json", env=ENV).stdout)


def test_a_cumulative_in_wan_yuan_against_last_years_pace(city):
    rows = rows_by(_status(city), "JSHT")
    wx, nx, dq, qs = rows["吴兴区"], rows["南浔区"], rows["德清县"], rows["青山市"]
    assert wx["value"] == A(38.76543) and qs["value"] == A(90.48843)  # 万元 × 0.0001
    # 序时 = YTD(10) / YTD(12) last year: 35.0 / 45.6; the city's is its districts' 83.0 / 106.9
    assert wx["expected"] == A(35.0 / 45.6) and wx["expected_basis"] == "last_year"
    assert qs["expected"] == A(83.0 / 106.9)
    assert wx["completion"] == A(0.7753086) and wx["gap_pp"] == A(0.7765, abs=1e-4)
    assert wx["status"] == "on_track"
    assert nx["completion"] == A(21.5 / 30) and nx["gap_pp"] == A(-4.9617, abs=1e-4) and nx["status"] == "lagging"
    assert dq["gap_pp"] == A(-4.2380, abs=1e-4) and dq["status"] == "lagging"
    assert qs["completion"] == A(0.75407025) and qs["gap_pp"] == A(-2.2356, abs=1e-4)
    assert qs["provenance"] == "reported"  # the 全市 row the office sent wins over the sum
    assert wx["yoy"] == A(38.76543 / 35.0 - 1)


def test_a_stock_is_judged_on_its_change_since_last_year_end(city):
    rows = rows_by(_status(city), "GXQY")
    wx, qs = rows["吴兴区"], rows["青山市"]
    assert (wx["value"], wx["baseline"], wx["target"]) == (468, 420, 500)
    assert wx["progress"] == A(0.6) and wx["completion"] == A(0.936)  # (468−420)/(500−420); 468/500
    assert wx["expected"] == A(10 / 12) and wx["expected_value"] == A(420 + 80 * 10 / 12)
    assert wx["gap_pp"] == A(-23.3333, abs=1e-4) and wx["status"] == "far_behind"
    assert qs["baseline"] == 1000 and qs["progress"] == A(0.505) and qs["gap_pp"] == A(-32.8333, abs=1e-4)
    assert rows["南浔区"]["gap_pp"] == A(-41.3333, abs=1e-4) and rows["德清县"]["gap_pp"] == A(-37.6190, abs=1e-4)


def test_the_text_table_shows_the_progress_its_gap_is_taken_from(city):
    """完成 91.8% beside 序时 83.3% and a gap of −32.8 points reads as a mistake: a stock's
    line shows the 增量进度 (50.5%) the gap is measured on."""
    lines = cli("status", "--db", city, "--period", "2026-10", env=ENV).stdout.splitlines()
    stock = next(ln for ln in lines if ln.startswith("高新技术企业数") and "青山市" in ln)
    assert "完成   91.8%" in stock and "增量进度   50.5%" in stock and "序时   83.3%" in stock
    assert "-32.8个百分点" in stock
    flow = next(ln for ln in lines if ln.startswith("技术合同成交额") and "青山市" in ln)
    assert "增量进度" not in flow and "完成   75.4%" in flow and "序时   77.6%" in flow


def test_a_file_without_a_month_takes_the_declared_one(city, tmp_path):
    bare = _book(tmp_path / "data.xlsx", [["单位", "高新技术企业数（家）"], ["吴兴区", 470]])
    refused = cli("import", bare, "--db", city, "--dry-run", env=ENV, check=False)
    assert refused.returncode == 1 and "文件名中写明年月" in refused.stderr
    out = json.loads(cli("import", bare, "--db", city, "--dry-run", "--json", "--period", "2026-10", env=ENV).stdout)
    assert out["ok"] and out["files"][0]["periods"] == ["2026-10"] and out["files"][0]["changes"]["修改"] == 1


def test_two_files_giving_one_figure_two_values_are_refused(city, tmp_path):
    """Imported together, the later of two files disagreeing on 吴兴区's count won, silently."""
    a, b, same = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    a.write_text("期间,单位,指标,数值\n2026-10,吴兴区,高新技术企业数,470\n2026-10,南浔区,高新技术企业数,272\n", encoding="utf-8")
    b.write_text("期间,单位,指标,数值\n2026-10,吴兴区,高新技术企业数,471\n", encoding="utf-8")
    same.write_text("期间,单位,指标,数值\n2026-10,吴兴区,高新技术企业数,470\n", encoding="utf-8")
    out = cli("import", a, b, "--db", city, "--yes", env=ENV, check=False)
    assert out.returncode == 1
    assert "同一数值在不同文件中不一致（330502·GXQY·2026-10：「a.csv」a D2 为 470，「b.csv」b D2 为 471；共 1 处）" in out.stderr
    assert rows_by(_status(city), "GXQY")["吴兴区"]["value"] == 468  # nothing written
    agreed = json.loads(cli("import", a, same, "--db", city, "--dry-run", "--json", env=ENV).stdout)
    assert agreed["ok"] and agreed["refused"] is None


def test_a_stocks_month_on_month_in_january_is_against_december(city, tmp_path):
    """January's 环比 of a level compares with last December (it was null: the previous
    month was looked for in the same year); a cumulative indicator has none in January."""
    header = ["单位", "报送期", "高新技术企业数（家）"]
    dec = _book(tmp_path / "dec.xlsx", [header, ["吴兴区", "2026年12月", 480], ["南浔区", "2026年12月", 290],
                                        ["德清县", "2026年12月", 395]])
    jan = _book(tmp_path / "jan.xlsx", [header, ["吴兴区", "2027年1月", 482], ["南浔区", "2027年1月", 289],
                                        ["德清县", "2027年1月", 395]])
    env = {"INDICATORS_TODAY": "2027-02-10"}
    cli("import", dec, jan, "--db", city, "--yes", env=env)
    rows = rows_by(json.loads(cli("status", "--db", city, "--period", "2027-01", "--json", env=env).stdout), "GXQY")
    assert rows["吴兴区"]["mom"] == A(482 / 480 - 1) and rows["南浔区"]["mom"] == A(289 / 290 - 1)
    assert rows["德清县"]["mom"] == 0 and rows["青山市"]["mom"] == A(1166 / 1165 - 1)
    assert rows["青山市"]["mom_type"] == "change"


@pytest.fixture(scope="module")
def late_december(tmp_path_factory):
    """Three districts with 年末达到 targets (德清县 none for 科技型中小企业数); last December
    only 吴兴区 and 南浔区 reported."""
    tmp = tmp_path_factory.mktemp("late_december")
    db = setup_city(tmp, {
        "单位": [{"单位代码": "C", "单位名称": "青山市", "排序": 1},
                 {"单位代码": "W", "单位名称": "吴兴区", "上级单位代码": "C", "排序": 2},
                 {"单位代码": "N", "单位名称": "南浔区", "上级单位代码": "C", "排序": 3},
                 {"单位代码": "D", "单位名称": "德清县", "上级单位代码": "C", "排序": 4}],
        "指标": [{"指标代码": "GXQY", "指标名称": "高新技术企业数", "计量单位": "家", "指标类型": "期末值", "频度": "月度"},
                 {"指标代码": "KJQY", "指标名称": "科技型中小企业数", "计量单位": "家", "指标类型": "期末值", "频度": "月度"}],
        "目标": [{"指标代码": "GXQY", "单位代码": u, "年度": 2026, "目标值": t, "目标口径": "年末达到"}
                 for u, t in (("C", 1200), ("W", 500), ("N", 300), ("D", 400))]
        + [{"指标代码": "KJQY", "单位代码": u, "年度": 2026, "目标值": t, "目标口径": "年末达到"}
           for u, t in (("C", 900), ("W", 300), ("N", 200))],
    })
    header = ["单位", "报送期", "高新技术企业数（家）", "科技型中小企业数（家）"]
    dec = _book(tmp / "dec.xlsx", [header, ["吴兴区", "2025年12月", 420, 250], ["南浔区", "2025年12月", 250, 150]])
    oct_ = _book(tmp / "oct.xlsx", [header, ["吴兴区", "2026年10月", 468, 280], ["南浔区", "2026年10月", 271, 170],
                                    ["德清县", "2026年10月", 362, 300]])
    cli("import", dec, oct_, "--db", db, "--yes", env=ENV)
    return db


def test_a_complete_month_is_not_set_against_a_partial_year_end(late_december):
    """October is complete (1,101), last December only two districts' (670): 较上年末 431,
    the increase to the target (530) and 预计全年 from them mixed three districts with two.
    Judged like for like over 吴兴区 and 南浔区 (德清县's 400 out of the target) — or, where a
    district left out has no target, not judged, saying why."""
    rows = _status(late_december)
    city = rows_by(rows, "GXQY")["青山市"]
    assert (city["value"], city["baseline"], city["provenance"]) == (1101, 670, "rolled_up")
    assert city["completion_basis"] == "like_for_like" and city["comparable_note"] == "按可比口径（不含德清县：其上年末无数据）"  # 德清县 sent October: not 缺
    assert (city["comparable_value"], city["comparable_baseline"], city["comparable_target"]) == (739, 670, 800)
    assert city["vs_baseline"] == 69  # 468 + 271 − 670, not 1,101 − 670
    assert city["progress"] == A(69 / 130) and city["gap_pp"] == A((69 / 130 - 10 / 12) * 100)
    assert city["target_increase"] is None and city["projection"] is None
    assert city["projection_none"] == "baseline_partial"
    assert rows_by(rows, "GXQY")["吴兴区"]["vs_baseline"] == 48  # a district's own: as before
    kj = rows_by(rows, "KJQY")["青山市"]
    assert kj["completion_basis"] == "withheld" and kj["vs_baseline"] is None and kj["projection"] is None
    assert kj["comparable_note"] == "上年末为部分汇总（缺德清县），缺报单位无目标或上年末数，不能按可比口径评价"


def test_an_annual_figure_one_district_sent_is_due_from_the_others(tmp_path):
    """A year's figure is published late (未到期 until it is), but once a sibling has sent
    it the others are 未报送 — the city's total already named them as missing, and the
    notice said both 「全部报送」 and 「因上述单位未报送」."""
    db = setup_city(tmp_path, {
        "单位": [{"单位代码": "C", "单位名称": "青山市", "排序": 1},
                 {"单位代码": "W", "单位名称": "吴兴区", "上级单位代码": "C", "排序": 2},
                 {"单位代码": "N", "单位名称": "南浔区", "上级单位代码": "C", "排序": 3}],
        "指标": [{"指标代码": "GDP", "指标名称": "地区生产总值", "计量单位": "亿元", "指标类型": "累计值", "频度": "年度"},
                 {"指标代码": "ZL", "指标名称": "专利授权量", "计量单位": "件", "指标类型": "累计值", "频度": "年度"}],
        "目标": [{"指标代码": "GDP", "单位代码": u, "年度": 2025, "目标值": t} for u, t in (("C", 900), ("W", 500), ("N", 400))],
    })
    sent = _book(tmp_path / "2025年度.xlsx", [["单位", "报送期", "地区生产总值（亿元）"], ["吴兴区", "2025年度", 510]])
    cli("import", sent, "--db", db, "--yes", env=ENV)
    rows = json.loads(cli("status", "--db", db, "--period", "2025-12", "--json", env=ENV).stdout)
    gdp, zl = rows_by(rows, "GDP"), rows_by(rows, "ZL")
    assert gdp["吴兴区"]["status"] == "done" and gdp["南浔区"]["status"] == "missing"
    assert gdp["青山市"]["provenance"] == "partial" and gdp["青山市"]["missing_units"] == "南浔区"
    assert all(r["status"] == "not_due" for r in zl.values())  # nobody has it yet: still waiting
    md = tmp_path / "n.md"
    cli("report", "--db", db, "--period", "2025-12", "--format", "md", "--out", md, env=ENV)
    assert "南浔区（缺地区生产总值）" in md.read_text(encoding="utf-8")


def test_status_without_a_period_says_when_the_due_month_has_no_data(city):
    """On 3 January the latest due month is November, which nobody has sent yet: the
    command shows it (as documented) and says on stderr which month has data."""
    out = cli("status", "--db", city, "--json", env={"INDICATORS_TODAY": "2027-01-03"})
    assert {r["period"] for r in json.loads(out.stdout)} == {"2026-11"}
    assert out.stderr.strip() == "2026年11月的报送截止日已过，但还没有任何报送数据；最近有数据的是 2026年10月（--period 2026-10）。"
    assert cli("status", "--db", city, "--period", "2026-11", "--json", env={"INDICATORS_TODAY": "2027-01-03"}).stderr == ""


def test_the_words_for_an_annual_limit():
    """已用 55.0% against 序时进度 83.3%: the gap is in points of the limit, and the words say
    so (they ended in a stray 「（控制数的）」)."""
    from indicators import sentences
    row = {"status": "on_track", "status_rule": "cumulative_limit", "gap_pp": 28.3333, "value": 22.0, "target": 40.0}
    assert sentences.status_phrase(row) == "已用比例低于序时进度28.3个百分点"
    assert sentences.status_phrase({**row, "status": "lagging", "gap_pp": -4.25}) == "已用比例高于序时进度4.3个百分点"
    assert sentences.status_phrase({**row, "status": "far_behind", "value": 41.0}) == "已超全年控制数"
