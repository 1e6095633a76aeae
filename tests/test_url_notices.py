"""URL values that do not exist (``?month=2030-01``, ``month=2026-13``, ``?unit=NOPE``,
``?ind=xxx``): the page says so in Chinese, shows the nearest or default value and
corrects the URL — never silently the default."""

from __future__ import annotations

import pytest
from pagetest import fresh_caches, open_page  # noqa: F401 (fixture)
from testdate import AS_OF

from indicators.rules import periods
from indicators.views.scope import month_from_url, unknown_in_url

MONTHS = ["2026-12", "2026-11", "2026-10", "2026-09", "2026-08", "2026-02", "2026-01"]
HAVE = ["2026-10", "2026-09", "2026-08", "2026-02", "2026-01"]  # 2026-11/12: in the menu, no data


@pytest.mark.parametrize("asked,shown,notice", [
    ("2030-01", "2026-10", "2030年1月暂无数据，已显示最近的2026年10月。"),
    ("2019-05", "2026-01", "2019年5月暂无数据，已显示最近的2026年1月。"),
    ("2026-05", "2026-02", "2026年5月暂无数据，已显示最近的2026年2月。"),  # Feb is 3 away, Aug 3: the earlier
    ("2026-06", "2026-08", "2026年6月暂无数据，已显示最近的2026年8月。"),
    ("2026-13", "2026-10", "网址中的月份「2026-13」不是有效的月份（应写作 2026-10），已显示2026年10月。"),
    ("十月", "2026-10", "网址中的月份「十月」不是有效的月份（应写作 2026-10），已显示2026年10月。"),
])
def test_month_from_url(asked, shown, notice):
    assert month_from_url(asked, MONTHS, HAVE, "2026-10") == (shown, notice)


def test_unknown_unit_and_indicator_notices():
    assert unknown_in_url("unit", "NOPE", "示例市") == "网址中的单位「NOPE」不存在，已显示示例市。"
    assert unknown_in_url("ind", "xxx", "高新技术企业数") == "网址中的指标「xxx」不存在，已显示高新技术企业数。"


def _notices(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if 'class="url-notice"' in h.proto.body]


def test_overview_with_a_month_without_data_says_so_and_corrects_the_url(demo_db, monkeypatch):
    at = open_page("pages/overview.py", demo_db, monkeypatch, month="2030-01")
    assert not at.exception
    [notice] = _notices(at)
    assert f"2030年1月暂无数据，已显示最近的{periods.label(AS_OF)}。" in notice
    assert "month" not in at.query_params  # the latest due month is the default: no parameter
    assert f"数据截至 {periods.label(AS_OF)}" in "".join(h.proto.body for h in at.get("html"))


def test_bad_month_and_unknown_unit_both_noticed(demo_db, monkeypatch):
    at = open_page("pages/overview.py", demo_db, monkeypatch, month="2026-13", unit="NOPE")
    assert not at.exception
    notices = _notices(at)
    assert len(notices) == 2
    assert "网址中的月份「2026-13」不是有效的月份" in notices[0]
    assert "网址中的单位「NOPE」不存在，已显示示例市。" in notices[1]
    assert "month" not in at.query_params and "unit" not in at.query_params


def test_unknown_indicator_noticed_on_the_indicator_page(demo_db, monkeypatch):
    at = open_page("pages/indicator.py", demo_db, monkeypatch, ind="xxx")
    assert not at.exception
    [notice] = _notices(at)
    assert "网址中的指标「xxx」不存在，已显示" in notice
    shown = at.selectbox(key="w_ind").value
    assert at.title[0].value == at.selectbox(key="w_ind").format_func(shown)
    assert "ind" not in at.query_params


def test_a_notice_escapes_what_the_url_said(demo_db, monkeypatch):
    at = open_page("pages/overview.py", demo_db, monkeypatch, unit="<b>x</b>")
    [notice] = _notices(at)
    assert "&lt;b&gt;x&lt;/b&gt;" in notice and "<b>" not in notice


def test_a_valid_url_gives_no_notice(demo_db, monkeypatch):
    at = open_page("pages/overview.py", demo_db, monkeypatch, month=periods.shift(AS_OF, -1))
    assert not at.exception and _notices(at) == []
    assert at.query_params["month"] == periods.shift(AS_OF, -1)


def test_no_targets_draws_no_empty_units_chart(demo_db, monkeypatch):
    from pagetest import with_db
    with_db(demo_db, lambda con: con.execute("DELETE FROM target"))
    at = open_page("pages/indicator.py", demo_db, monkeypatch)
    assert not at.exception
    assert any("不画完成进度图" in i.value for i in at.info)
