"""重点任务, 滞后说明 and the 督办 list of 责任分解 in a real browser against the demo city:
they paint without error, the board filters through the URL, an explanation typed into
the form is saved and shows in the list. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import pytest
from test_pages_browser import assert_no_error, full_shot
from playwright.sync_api import expect
from waiting import PATIENCE, sign_in, wait_idle

pytestmark = pytest.mark.browser


def wait_app(page) -> None:
    """The page's script run has finished and it has its title (waits on state, never on
    the clock: a loaded machine runs these later, not differently)."""
    page.wait_for_selector("h1", timeout=PATIENCE)  # the run has begun (a fresh page has none yet) …
    wait_idle(page)  # … and has finished


def test_task_board(page, app_url, artifacts):
    page.goto(f"{app_url}/tasks")
    wait_app(page)
    assert_no_error(page)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=PATIENCE)
    body = page.locator("body").inner_text()
    assert "重点任务" in body and "任务数" in body and "逾期" in body
    full_shot(page, artifacts / "tasks_board.png")
    page.goto(f"{app_url}/tasks?leader=陈志强")
    wait_app(page)
    assert "陈志强" in page.locator("body").inner_text()
    full_shot(page, artifacts / "tasks_board_leader.png")


def test_task_board_briefing(browser, app_url, artifacts):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, f"{app_url}/tasks?briefing=1", "leader")  # the deep link opens after signing in
        wait_app(page)
        assert_no_error(page)
        page.screenshot(path=str(artifacts / "tasks_briefing.png"))
    finally:
        context.close()


def test_explanation_saved_in_the_browser(page, app_url, artifacts):
    page.goto(f"{app_url}/explain?state=待补充")
    wait_app(page)
    assert_no_error(page)
    before = page.locator('[data-testid="stMetricValue"]').nth(1).inner_text()
    area = page.get_by_label("整改措施")
    area.fill("浏览器中填写的整改措施")
    reason = page.get_by_label("滞后原因")
    if not reason.input_value():
        reason.fill("浏览器中填写的原因")
    full_shot(page, artifacts / "explain_form.png")
    page.get_by_role("button", name="保存说明").click()
    page.wait_for_selector("text=已保存", timeout=PATIENCE)
    wait_app(page)
    after = page.locator('[data-testid="stMetricValue"]').nth(1).inner_text()
    assert int(after) == int(before) + 1


def test_supervision_list_on_responsibility(page, app_url, artifacts):
    page.goto(f"{app_url}/responsibility")
    wait_app(page)
    page.wait_for_selector(".js-plotly-plot", timeout=PATIENCE)
    assert_no_error(page)
    page.get_by_role("tab", name="按分管领导").click()
    panel = page.locator('[role="tabpanel"]:visible')
    # the summary per leader is a grid; each leader's indicators and tasks plain tables with every text
    owner_tables = panel.locator(".tbl-wrap:not(.print-only) > table.tbl")
    expect(owner_tables.nth(1)).to_be_visible(timeout=PATIENCE)
    wait_app(page)
    assert panel.locator('[data-testid="stDataFrame"]').count() == 1
    body = panel.inner_text()
    assert "· 指标" in body and "· 任务" in body
    heads = [owner_tables.nth(i).locator("th").all_inner_texts() for i in range(owner_tables.count())]
    assert any("滞后说明" in h and "区县说明" in h for h in heads), heads  # an owner's indicators
    assert owner_tables.count() >= 2
    full_shot(page, artifacts / "responsibility_supervision.png")
