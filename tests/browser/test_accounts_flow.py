"""Accounts in a real browser, on a copy of the demo city served with its own app (the
month locks at its deadline here, INDICATORS_LOCK_AFTER_DAYS=0, so the lock shows on any
day of the suite):

- a bookmarked deep link shows only the sign-in form, and opens after signing in;
- 青溪县's 区县填报员 (made with ``indicators user add … --password-stdin``) is refused a
  return holding 东城区's rows, uploads their own (待审核), and signs out;
- 综合科 approves it on 审核与锁定; the 待审核 mark is gone from 报送记录;
- the district is then refused a changed figure of the locked month;
- a 领导 reaches no write page even by typing its address.

Screenshots land in tests/artifacts/accounts_*.png."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from apps import BIN, ROOT, free_port, start_app, stop_app, wait_healthy
from playwright.sync_api import expect
from test_uploads import long_return
from testdate import AS_OF
from waiting import PATIENCE, full_shot, sign_in, sign_out, wait_idle

from indicators.rules import periods

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PASSWORD = "Qingxi-district-77"
OWN = [(AS_OF, "QX", "青溪县", "JSHT", "技术合同成交额", 12.5), (AS_OF, "QX", "青溪县", "GXQY", "高新技术企业数", 88)]
OTHER = [(AS_OF, "QX", "青溪县", "JSHT", "技术合同成交额", 12.5), (AS_OF, "DC", "东城区", "JSHT", "技术合同成交额", 30)]
CHANGED = [(AS_OF, "QX", "青溪县", "JSHT", "技术合同成交额", 13.5)]


@pytest.fixture(scope="module")
def flow_url(demo_db_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("accounts_flow") / "demo.duckdb"
    shutil.copy(demo_db_file, path)
    made = subprocess.run([str(BIN / "indicators"), "user", "add", "qx", "--role", "district", "--unit", "QX",
                           "--name", "青溪县 张三", "--password-stdin", "--db", str(path)],
                          input=PASSWORD + "\n", capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    port = free_port()
    env = {**os.environ, "INDICATORS_DB": str(path), "INDICATORS_LOCK_AFTER_DAYS": "0"}
    proc = start_app(ROOT / "serve.py", env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, url)
        yield url
    finally:
        stop_app(proc)


def no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def upload(page, name: str, data: bytes) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_text(f"「{name}」已读取并校验").wait_for(timeout=PATIENCE)
    wait_idle(page)


def test_district_uploads_office_approves_and_the_month_locks(signed_out, flow_url, artifacts):
    page = signed_out
    # a bookmarked deep link: only the sign-in form, then that page with its query string
    page.goto(f"{flow_url}/upload?month={AS_OF}")
    page.get_by_role("button", name="登录", exact=True).wait_for(timeout=PATIENCE)
    wait_idle(page)
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    full_shot(page, artifacts / "accounts_1_signin.png")
    page.get_by_role("textbox", name="登录名").fill("qx")
    page.get_by_role("textbox", name="密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("heading", name="数据报送").wait_for(timeout=PATIENCE)
    wait_idle(page)
    assert re.search(rf"/upload\?month={AS_OF}$", page.url), page.url
    expect(page.get_by_text("报送人：青溪县 张三（区县填报员·青溪县）")).to_be_visible()
    no_exception(page)

    # another unit's rows: refused whole, naming the rows; nothing to confirm
    upload(page, "含东城区.xlsx", long_return(OTHER))
    refusal = page.locator('[data-testid="stAlertContentError"]').filter(has_text="只能报送青溪县的数据")
    expect(refusal).to_be_visible()
    assert "东城区" in refusal.inner_text() and "整份未导入" in refusal.inner_text()
    assert page.get_by_role("button", name="确认导入").count() == 0
    full_shot(page, artifacts / "accounts_2_refused.png")
    page.set_viewport_size({"width": 1600, "height": 1000})

    # their own return: stored 待审核
    page.goto(f"{flow_url}/upload")
    page.get_by_role("heading", name="数据报送").wait_for(timeout=PATIENCE)  # still signed in (the cookie)
    wait_idle(page)
    own = f"青溪县{periods.label(AS_OF)}.xlsx"
    upload(page, own, long_return(OWN))
    page.get_by_role("button", name="确认导入").click()
    done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="已导入")
    done.wait_for(timeout=PATIENCE)
    assert "待审核" in done.inner_text()
    batch = re.search(r"批次\s*(\d+)", done.inner_text()).group(1)
    full_shot(page, artifacts / "accounts_3_uploaded.png")
    page.set_viewport_size({"width": 1600, "height": 1000})
    sign_out(page)

    # 综合科 approves it
    sign_in(page, f"{flow_url}/review", "zhk")
    page.get_by_role("heading", name="审核与锁定").wait_for(timeout=PATIENCE)
    box = page.get_by_role("combobox", name="审核批次")
    box.click()
    page.get_by_role("option", name=re.compile(rf"^批次 {batch} · ")).click()
    expect(box).to_have_value(re.compile(rf"^批次 {batch} · "))
    wait_idle(page)
    full_shot(page, artifacts / "accounts_4_review.png")
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.get_by_role("button", name="审核通过").click()
    approved = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text=f"批次 {batch}：审核通过")
    approved.wait_for(timeout=PATIENCE)
    assert "整批已通过" in approved.inner_text()
    no_exception(page)
    sign_out(page)

    # the month is locked: the district's changed figure is refused
    sign_in(page, f"{flow_url}/upload", "qx", PASSWORD)
    upload(page, "更正.xlsx", long_return(CHANGED))
    locked = page.locator('[data-testid="stAlertContentError"]').filter(has_text="已锁定")
    expect(locked).to_be_visible()
    assert f"{periods.label(AS_OF)}（青溪县）已锁定" in locked.inner_text()
    assert page.get_by_role("button", name="确认导入").count() == 0
    full_shot(page, artifacts / "accounts_5_locked.png")


WRITE_PAGES = {"upload": "数据报送", "review": "审核与锁定", "setup": "设置管理", "users": "用户管理",
               "task_plan": "工作安排导入"}


def test_a_leader_reaches_no_write_page_even_by_address(signed_out, flow_url, artifacts):
    page = signed_out
    sign_in(page, flow_url, "leader")
    menu = page.locator('[data-testid="stSidebarNav"]').inner_text()
    for title in WRITE_PAGES.values():
        assert title not in menu
    for path, title in WRITE_PAGES.items():
        page.goto(f"{flow_url}/{path}")
        page.locator("h1").first.wait_for(timeout=PATIENCE)
        wait_idle(page)
        assert page.get_by_role("heading", name=title).count() == 0, path
        assert page.locator('[data-testid="stFileUploader"]').count() == 0, path
        # the address is refused in Chinese, naming the page, not with Streamlit's English dialog
        page.get_by_text("不能打开").first.wait_for(timeout=PATIENCE)
        body = page.locator("body").inner_text()
        assert f"「{title}」只对有相应权限的账户开放" in body, path
        assert "Page not found" not in body and "main page" not in body, path
        assert page.url.rstrip("/").endswith(f"/{path}"), page.url
        no_exception(page)
    full_shot(page, artifacts / "accounts_6_leader.png")
