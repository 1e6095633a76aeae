"""数据报送 → 报送记录 in a real browser against the demo city (the shared app of
tests/browser/conftest.py): upload a return built in code, see the check and the
preview, confirm, find the batch in 报送记录, roll it back (the demo values count
again, so the shared database ends as it began); then a file with errors: the located
message, and nothing written. Screenshots land in tests/artifacts/upload_*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_uploads import BAD_ROWS, HEADER, QX_ROWS, long_return
from testdate import AS_OF
from waiting import PATIENCE, full_shot, wait_idle

from indicators.rules import periods

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE = f"青溪县{periods.label(AS_OF)}报送.xlsx"  # the return the demo's 青溪县 has not sent


def assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def shot(page, path) -> None:
    full_shot(page, path)
    page.set_viewport_size({"width": 1600, "height": 1000})


def open_upload(page, app_url) -> None:
    page.goto(f"{app_url}/upload")
    page.get_by_role("heading", name="数据报送").wait_for(timeout=PATIENCE)
    wait_idle(page)
    assert_no_exception(page)


def upload(page, name: str, data: bytes) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_text(f"「{name}」已读取并校验").wait_for(timeout=PATIENCE)
    wait_idle(page)


def chosen_batch(page) -> str:
    """The batch shown in 报送记录's rollback chooser (the newest active one by default)."""
    return page.get_by_role("combobox", name="选择要撤回的批次").input_value()


def test_upload_preview_confirm_then_roll_back(page, app_url, artifacts):
    open_upload(page, app_url)
    expect(page.locator('[data-testid="stDownloadButton"]').get_by_text("下载 Excel 模板")).to_be_visible()
    expect(page.get_by_text("报送人：系统管理员（管理员）")).to_be_visible()  # the signed-in user, not a typed name
    upload(page, FILE, long_return(QX_ROWS))
    assert_no_exception(page)
    card = page.locator('[class*="st-key-return_"]').filter(has_text=FILE).last
    body = card.inner_text()
    assert "识别格式：长表（每行一个数值）" in body and f"期间：{periods.label(AS_OF)}" in body
    metrics = page.locator('[data-testid="stMetric"]')
    assert [metrics.nth(i).locator('[data-testid="stMetricValue"]').inner_text() for i in range(3)] == ["2", "0", "0"]
    card.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=PATIENCE)  # the diff
    shot(page, artifacts / "upload_1_preview.png")

    page.get_by_role("button", name="确认导入").click()
    done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="已导入")
    done.wait_for(timeout=PATIENCE)
    batch = re.search(r"批次\s*(\d+)", done.inner_text()).group(1)
    shot(page, artifacts / "upload_2_committed.png")

    page.get_by_role("link", name="查看报送记录（可撤回）").click()
    page.wait_for_url(re.compile(r"/batches"))
    page.get_by_role("heading", name="报送记录").wait_for(timeout=PATIENCE)
    wait_idle(page)
    assert_no_exception(page)
    assert chosen_batch(page).startswith(f"批次 {batch} · {FILE} · 系统管理员（管理员） · ")
    shot(page, artifacts / "upload_3_batches.png")

    page.get_by_text(f"确认撤回批次 {batch}").click()
    go = page.get_by_role("button", name="撤回该批次")
    expect(go).to_be_enabled(timeout=PATIENCE)  # the tick has reached the app
    go.click()
    undone = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text=f"已撤回批次 {batch}")
    undone.wait_for(timeout=PATIENCE)
    assert "2 条数值不再计入" in undone.inner_text()
    # no longer offered (the success message renders before the chooser below it: wait)
    expect(page.get_by_role("combobox", name="选择要撤回的批次")).not_to_have_value(
        re.compile(rf"^批次 {batch} ·"), timeout=PATIENCE)
    assert_no_exception(page)
    shot(page, artifacts / "upload_4_rolled_back.png")

    page.get_by_role("tab", name="报送完整性与催报").click()
    # 催报 opens on the latest due month, the one worth chasing
    expect(page.locator('[data-testid="stCode"]')).to_contain_text(f"关于报送{periods.label(AS_OF)}", timeout=PATIENCE)
    wait_idle(page)
    shot(page, artifacts / "upload_5_completeness.png")


def test_errors_are_located_and_nothing_is_written(page, app_url, artifacts):
    open_upload(page, app_url)
    upload(page, "bad.xlsx", long_return(BAD_ROWS))
    error = page.locator('[data-testid="stAlertContentError"]').first
    text = error.inner_text()
    assert "发现 2 处错误" in text and "没有任何改动" in text
    assert "bad.xlsx › 报送 F3" in text and "「十二」不是数字" in text
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert_no_exception(page)
    shot(page, artifacts / "upload_6_errors.png")

    page.goto(f"{app_url}/batches")
    page.get_by_role("heading", name="报送记录").wait_for(timeout=PATIENCE)
    wait_idle(page)
    assert "bad.xlsx" not in chosen_batch(page)  # the newest active batch is still the demo's
    page.get_by_role("tab", name="操作日志").click()
    expect(page.locator('[data-testid="stTabPanel"]:visible').get_by_text("导入报送").first).to_be_visible(timeout=PATIENCE)
    shot(page, artifacts / "upload_7_audit.png")


def test_one_bad_file_holds_the_whole_upload(page, app_url, artifacts):
    """Two files in one upload are one unit: the bad one holds the good one, nothing is written."""
    open_upload(page, app_url)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(files=[
        {"name": "good.xlsx", "mimeType": XLSX, "buffer": long_return(QX_ROWS)},
        {"name": "bad.xlsx", "mimeType": XLSX, "buffer": long_return(BAD_ROWS)}])
    for name in ("good.xlsx", "bad.xlsx"):
        page.get_by_text(f"「{name}」已读取并校验").wait_for(timeout=PATIENCE)
    wait_idle(page)
    held = page.locator('[data-testid="stAlertContentError"]').filter(has_text="「bad.xlsx」不能导入")
    held.wait_for(timeout=PATIENCE)
    assert "要么全部导入，要么都不导入" in held.inner_text()
    assert page.get_by_role("button", name=re.compile("确认导入")).count() == 0
    assert_no_exception(page)
    shot(page, artifacts / "upload_8_one_unit.png")


def test_a_web_page_saved_as_xls_is_read(page, app_url, artifacts):
    """A statistics system's 导出 Excel: an HTML table named .xls, checked like a workbook
    (not committed: the shared database stays as it was)."""
    cells = "".join(f"<th>{h}</th>" for h in HEADER)
    rows = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in QX_ROWS)
    html = (f"<html><head><meta charset='utf-8'><title>报送</title></head><body><table border=1>"
            f"<tr><td colspan={len(HEADER)}>示例市 {periods.label(AS_OF)} 科技重点指标报送表</td></tr>"
            f"<tr>{cells}</tr>{rows}</table></body></html>")
    open_upload(page, app_url)
    upload(page, "导出.xls", html.encode("utf-8"))
    assert_no_exception(page)
    card = page.locator('[class*="st-key-return_"]').filter(has_text="导出.xls").last
    body = card.inner_text()
    assert "识别格式：长表（每行一个数值）" in body and f"期间：{periods.label(AS_OF)}" in body
    expect(page.get_by_role("button", name="确认导入")).to_be_visible()
    shot(page, artifacts / "upload_9_web_page_xls.png")
