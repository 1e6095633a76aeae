import pandas as pd
import pytest

from indicators.rules.explanation import check, required, responsible


@pytest.mark.parametrize("status, needed", [
    ("lagging", True), ("far_behind", True), ("on_track", False), ("done", False),
    ("missing", False), ("not_due", False), ("no_target", False),
])
def test_required(status, needed):
    assert bool(required(pd.Series([status]))[0]) is needed


def test_responsible_city_is_lead_department_district_itself():
    got = responsible(pd.Series([None, "SLS", None]), pd.Series(["示例市", "东城区", "示例市"]),
                      pd.Series(["高新技术科", "高新技术科", None]))
    assert list(got) == ["高新技术科", "东城区", "示例市"]


@pytest.mark.parametrize("period, reason, measures, catch_up, problems", [
    ("2026-10", "原因", "措施", "2026-12", []),
    ("2026-10", "原因", "措施", None, []),
    ("2026-12", "原因", "措施", "2027-01", []),  # December catches up in January
    ("2026-10", "", "措施", "2026-12", ["滞后原因不能为空"]),
    ("2026-10", "原因", " ", "2026-12", ["整改措施不能为空"]),
    ("2026-10", "原因", "措施", "2026-10", ["预计赶上月份应晚于2026年10月，收到「2026-10」"]),
    ("2027-01", "原因", "措施", "2026-12", ["预计赶上月份应晚于2027年1月，收到「2026-12」"]),
    ("2026-10", "原因", "措施", "2026-13", ["预计赶上月份应为 YYYY-MM，收到「2026-13」"]),
])
def test_check(period, reason, measures, catch_up, problems):
    assert check(period, reason, measures, catch_up) == problems
