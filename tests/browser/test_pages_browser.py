"""The dispatch pages in a real browser against the demo city: every page paints its
charts with no error element, filters change and follow the user across pages and into
the URL, briefing mode gives clean 16:9 charts. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from testdate import AS_OF
from waiting import PATIENCE, full_shot, wait_idle

from indicators.rules import periods

pytestmark = pytest.mark.browser
PREV = periods.shift(AS_OF, -1)

PAGES = [("", "调度总览"), ("indicator", "指标详情"), ("responsibility", "责任分解")]
CHART = ".js-plotly-plot .main-svg"


def wait_ready(page, charts: int = 1) -> None:
    """The script run has finished and the charts are drawn."""
    wait_idle(page)
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
                           timeout=PATIENCE)


def assert_no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error" not in body.split("调度")[0]


@pytest.mark.parametrize("path,title", PAGES)
def test_every_page_paints_without_error(page, app_url, artifacts, path, title):
    page.goto(f"{app_url}/{path}")
    wait_ready(page)
    assert_no_error(page)
    h1 = page.locator("h1").first.inner_text().strip()
    if path == "indicator":  # the title is the indicator chosen in the sidebar
        assert h1 and h1 == page.get_by_role("combobox", name="指标").input_value()
    else:
        assert h1 == title
    assert page.get_by_role("link", name=title).count() >= 1  # the router's menu, not file names
    assert f"数据截至 {periods.label(AS_OF)}" in page.locator("body").inner_text()  # the latest due month
    # Chinese text is drawn with the Simplified Chinese font first
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert family.startswith('"Noto Sans CJK SC"'), family
    svg_font = page.evaluate("document.querySelector('.js-plotly-plot .gtitle').style.fontFamily")
    assert "Noto Sans CJK SC" in svg_font
    full_shot(page, artifacts / f"page_{path or 'overview'}.png")


def pick(page, label: str, option: str) -> None:
    """Choose in a sidebar list as a user does with a long one: open it, type, click. Below
    the full page menu the filters sit low in the sidebar, where the opened list shows only
    a few of its options (it draws only what is in view)."""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text=label).click()
    page.keyboard.type(option.strip())
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_role("combobox", name=label)).to_have_value(option)  # chosen; then its run ends
    wait_ready(page)


def test_filters_persist_across_pages_and_in_url(page, app_url, artifacts):
    page.goto(app_url)
    wait_ready(page)
    pick(page, "数据截至月份", periods.label(PREV))
    pick(page, "单位", "　东城区")
    page.wait_for_url(re.compile(rf"month={PREV}"))
    page.wait_for_url(re.compile(r"unit=DC"))
    expect(page.locator("body")).to_contain_text(f"数据截至 {periods.label(PREV)}")
    assert_no_error(page)
    page.get_by_role("link", name="指标详情").click()
    page.wait_for_url(re.compile(r"/indicator"))
    wait_ready(page)
    assert f"month={PREV}" in page.url and "unit=DC" in page.url
    assert f"数据截至 {periods.label(PREV)}" in page.locator("body").inner_text()
    pick(page, "指标", "技术合同成交额")
    page.wait_for_url(re.compile(r"ind=JSHT"))
    assert_no_error(page)
    full_shot(page, artifacts / "filters_indicator_dc_previous_month.png")
    page.set_viewport_size({"width": 1600, "height": 1000})
    # the URL is the bookmark: a fresh tab opens the same view
    other = page.context.new_page()
    other.goto(page.url)
    wait_ready(other)
    assert f"数据截至 {periods.label(PREV)}" in other.locator("body").inner_text()
    assert other.locator("h1").first.inner_text().strip() == "技术合同成交额"
    page.get_by_role("link", name="责任分解").click()
    page.wait_for_url(re.compile(r"/responsibility"))
    wait_ready(page)
    assert f"month={PREV}" in page.url
    assert_no_error(page)


@pytest.mark.parametrize("path,name", [("", "overview"), ("indicator", "indicator"), ("responsibility", "responsibility")])
def test_briefing_mode_gives_16_9_charts(page, app_url, artifacts, path, name):
    page.goto(f"{app_url}/{path}?briefing=1")
    wait_ready(page)
    assert_no_error(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('header[data-testid="stHeader"]').is_visible()
    charts = page.locator(".js-plotly-plot")
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box["width"] / box["height"] == pytest.approx(16 / 9, rel=0.01)
        text = chart.inner_text()
        assert "数据截至" in text and "来源" in text
        chart.screenshot(path=str(artifacts / f"briefing_{name}_{i + 1}.png"))
    full_shot(page, artifacts / f"briefing_{name}_page.png")


def test_briefing_toggle_sets_url(page, app_url):
    """Waits on what each click changes (the URL, the sidebar, the expander) — a loaded
    machine runs the script later, never differently."""
    page.goto(app_url)
    wait_ready(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("汇报模式").click()
    page.wait_for_url(re.compile(r"briefing=1"))
    expect(sidebar).to_be_hidden(timeout=PATIENCE)
    wait_ready(page)
    # and back out through the settings expander
    page.get_by_text("汇报设置").click()
    toggle = page.get_by_text("汇报模式（16:9 截图）")
    expect(toggle).to_be_visible(timeout=PATIENCE)
    wait_idle(page)  # no run under way that could redraw the expander as the toggle is clicked
    switch = page.get_by_role("switch", name="汇报模式（16:9 截图）")
    for _ in range(3):  # a click that lands while the frontend redraws the expander is dropped by the
        toggle.click()  # browser (the switch stays on): clicked again, never when it did turn off
        try:
            page.wait_for_function("!location.search.includes('briefing=1')", timeout=20_000)
            break
        except PlaywrightTimeout:
            wait_idle(page)
            if not switch.is_checked():
                break  # it turned off: the URL below must follow, and the wait says if it does not
    page.wait_for_function("!location.search.includes('briefing=1')", timeout=PATIENCE)
    expect(sidebar).to_be_visible(timeout=PATIENCE)
    wait_ready(page)


def test_png_export_options(page, app_url):
    page.goto(app_url)
    wait_ready(page)
    opts = page.evaluate("document.querySelector('.js-plotly-plot')._context.toImageButtonOptions")
    assert opts["scale"] == 2 and opts["format"] == "png"
    assert re.search(r"[\u4e00-\u9fff]", opts["filename"]) and periods.label(AS_OF) in opts["filename"]
