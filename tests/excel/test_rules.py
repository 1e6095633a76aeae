"""One fixture workbook per validation rule: the problem is found, located and worded."""

import pytest
from bookmaker import TODAY, make_db, seed, xlsx

from indicators.returns.pipeline import read_return

HEAD = ["期间", "单位", "指标", "数值"]
OK = ["2026-10", "东城区", "技术合同成交额", 1]

# name: (rows below the header, expected rule, severity, (column, row) of the problem, words in the message)
RULES = {
    "unknown unit": ([["2026-10", "东城", "技术合同成交额", 5]], "unknown_unit", "error", ("B", 2), "东城区"),
    "unknown indicator": ([["2026-10", "高新区", "技术合同额度", 5]], "unknown_indicator", "error", ("C", 2),
                          "技术合同成交额"),
    "non-numeric": ([["2026-10", "高新区", "高企数", "十二"]], "not_number", "error", ("D", 2), "十二"),
    "negative": ([["2026-10", "高新区", "高企数", -3]], "negative", "error", ("D", 2), "不允许负数"),
    "duplicate rows": ([["2026-10", "高新区", "高企数", 3], ["2026年10月", "高新技术产业开发区", "高新技术企业数", 4]],
                       "duplicate", "error", ("D", 3), "D2"),
    "future period": ([["2026-12", "高新区", "高企数", 3]], "future_period", "error", ("A", 2), "2026-12"),
    "unreadable period": ([["上月", "高新区", "高企数", 3]], "bad_period", "error", ("A", 2), "上月"),
    "unit that cannot convert": ([["2026-10", "高新区", "技术合同成交额（家）", 3]], "unit_mismatch", "error",
                                 ("D", 2), "亿元"),
    "percent for a money indicator": ([["2026-10", "高新区", "技术合同成交额", "5%"]], "unit_mismatch", "error",
                                      ("D", 2), "百分数"),
    "total does not add up": ([["2026-10", "高新区", "高企数", 3], ["2026-10", "东城区", "高企数", 4],
                               ["2026-10", "合计", "高企数", 9]], "total_mismatch", "warning", ("D", 4), "7"),
    "cumulative fell": ([["2026-10", "高新区", "技术合同成交额", 5]], "cumulative_fell", "warning", ("D", 2), "8"),
    "far outside history": ([["2026-10", "西湖县", "高企数", 5000]], "outlier", "warning", ("D", 2), "5000"),
}


@pytest.fixture
def con():
    c = make_db()
    seed(c, [("JS", "D1", "2026-09", 8.0)] + [("GQ", "D3", f"2026-0{m}", 40.0 + m) for m in range(1, 10)])
    yield c
    c.close()


@pytest.mark.parametrize("name", list(RULES))
def test_rule(tmp_path, con, name):
    rows, rule, severity, (col, row), words = RULES[name]
    path = xlsx(tmp_path / "r.xlsx", [HEAD] + rows + [OK])
    r = read_return(path, con=con, today=TODAY)
    hits = r.problems[r.problems["rule"] == rule]
    assert len(hits) >= 1, r.problems[["rule", "message"]].to_string()
    p = hits.iloc[0]
    assert (p["severity"], p["column"], p["row"], p["sheet"], p["file"]) == (severity, col, row, "报表", "r.xlsx")
    assert words in p["message"]
    assert p["fix"] and p["rule_name"]
    assert r.ok == (severity == "warning")
    # the clean row is read whatever else is wrong with the file
    assert ("JS", "D2") in set(zip(r.values["indicator_code"], r.values["org_unit"]))


def test_period_must_match_template(tmp_path, con):
    path = xlsx(tmp_path / "r.xlsx", [HEAD, ["2026-09", "高新区", "高企数", 3]])
    r = read_return(path, con=con, today=TODAY, expected_period="2026-10")
    assert list(r.errors["rule"]) == ["period_mismatch"]
    assert "2026-10" in r.errors["message"].iloc[0]


def test_no_table(tmp_path, con):
    r = read_return(xlsx(tmp_path / "r.xlsx", [["随便写点什么"], ["没有表头"]]), con=con, today=TODAY)
    assert list(r.errors["rule"]) == ["no_table"]


def test_unrecognised_column_is_a_warning_and_near_miss_an_error(tmp_path, con):
    rows = [["单位", "技术合同成交额", "高企数", "同比增长", "奇怪的列", "技术合同成交量"], ["高新区", 1, 2, 3, 4, 5]]
    r = read_return(xlsx(tmp_path / "r.xlsx", [["2026年10月"]] + rows), con=con, today=TODAY)
    header = r.problems[r.problems["row"] == 2]
    assert dict(zip(header["rule"], header["column"])) == {"unknown_indicator": "F", "ignored_column": "E"}
    assert "技术合同成交额" in header.loc[header["rule"] == "unknown_indicator", "message"].iloc[0]
    # 同比增长 is skipped silently


def test_percent_written_as_fraction(tmp_path, con):
    seed(con, [("RD", "D1", f"2026-0{m}", 2.0 + m / 10) for m in range(1, 10)])
    path = xlsx(tmp_path / "r.xlsx", [HEAD, ["2026-10", "高新区", "研发强度", 0.025]])
    r = read_return(path, con=con, today=TODAY)
    assert r.values["value"].tolist() == [pytest.approx(2.5)]
    assert r.conversions[["indicator_code", "factor"]].values.tolist() == [["RD", 100.0]]


def test_unit_conversion_reported(tmp_path, con):
    path = xlsx(tmp_path / "r.xlsx", [["期间", "单位", "技术合同成交额（万元）"], ["2026-10", "东城区", "25,000"]])
    r = read_return(path, con=con, today=TODAY)
    assert r.values["value"].tolist() == [pytest.approx(2.5)]
    assert r.conversions.to_dict(orient="records") == [
        {"indicator_code": "JS", "from_unit": "万元", "to_unit": "亿元", "factor": pytest.approx(1e-4), "rows": 1}]
