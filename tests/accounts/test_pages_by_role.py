"""Every page as each role sees it (AppTest on the demo city, signed in through a real
session): a 领导 gets no write page and no write control even when the page is opened
directly (the address of a page the menu does not offer), a 区县填报员 only their own
unit, and a signed-out browser no page at all. The domain refuses the writes anyway
(test_permission_matrix); this is what the pages *show*."""

from __future__ import annotations

import pytest
from pagetest import fresh_caches, open_page, with_db  # noqa: F401 (fixture)

from indicators import clock
from indicators.accounts import users
from indicators.demo.accounts import DEMO_PASSWORD
from indicators.errors import SignInFailed
from indicators.settings import load

WRITE_PAGES = ["pages/upload.py", "pages/review.py", "pages/setup.py", "pages/users.py", "pages/task_plan.py"]


def _texts(at) -> str:
    parts = [e.value for e in (*at.info, *at.warning, *at.success, *at.markdown, *at.caption, *at.error)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_a_leader_opening_a_write_page_gets_a_refusal_and_no_controls(page, demo_db, monkeypatch):
    at = open_page(page, demo_db, monkeypatch, as_login="leader")
    assert not at.exception, at.exception
    assert [e.value for e in at.error if "无权使用本页" in e.value], _texts(at)
    assert at.error[0].value.startswith("王建国（领导）无权使用本页") and at.error[0].value.endswith("您的角色可做：只读查看。")
    assert not at.button and not at.get("file_uploader") and not at.text_input


@pytest.mark.parametrize("page,refusal", [
    ("pages/batches.py", "领导只能查看报送记录"),
    ("pages/tasks.py", "领导只能查看重点任务"),
    ("pages/explain.py", "领导只能查看滞后说明"),
])
def test_a_leader_reads_the_mixed_pages_without_their_forms(page, refusal, demo_db, monkeypatch):
    at = open_page(page, demo_db, monkeypatch, as_login="leader")
    assert not at.exception, at.exception
    assert refusal in _texts(at)
    assert not [b for b in at.button if b.label in ("撤回该批次", "保存进展", "保存说明")]
    assert not at.get("form")


def test_a_district_user_gets_only_their_units_template(demo_db, monkeypatch):
    at = open_page("pages/upload.py", demo_db, monkeypatch, as_login="dc")
    assert not at.exception, at.exception
    assert [o.strip("\u3000") for o in at.selectbox(key="tpl_unit").options] == ["东城区"]  # indented as a district
    assert "报送人：东城区科技局 赵磊（区县填报员·东城区）（记入报送记录与操作日志）" in _texts(at)


def test_a_district_user_explains_only_their_units_rows(demo_db, monkeypatch):
    at = open_page("pages/explain.py", demo_db, monkeypatch, as_login="dc")
    assert not at.exception, at.exception
    rows = at.selectbox(key="w_explain_row")
    assert rows.options and all("东城区" in o for o in rows.options)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/upload.py", "pages/users.py"])
def test_a_signed_out_browser_runs_no_page(page, demo_db, monkeypatch):
    at = open_page(page, demo_db, monkeypatch, as_login=None)
    assert not at.exception, at.exception
    assert not at.button and not at.get("file_uploader") and not at.selectbox and not at.markdown


def test_my_account_changes_my_own_password(demo_db, monkeypatch):
    at = open_page("pages/account.py", demo_db, monkeypatch, as_login="dc")
    assert not at.exception, at.exception
    assert "**东城区科技局 赵磊（区县填报员·东城区）** · 登录名 `dc`" in _texts(at)
    at.text_input(key="pw_old").set_value(DEMO_PASSWORD)
    at.text_input(key="pw_new").set_value("Dongcheng-2027")
    at.text_input(key="pw_again").set_value("Dongcheng-2028")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["两次输入的新密码不一致，密码未修改。"]
    at.text_input(key="pw_again").set_value("Dongcheng-2027")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "密码已修改，其他设备上的登录已失效。" in _texts(at)
    when = clock.now(load())
    with_db(demo_db, lambda con: users.authenticate(con, "dc", "Dongcheng-2027", now=when))
    with pytest.raises(SignInFailed):
        with_db(demo_db, lambda con: users.authenticate(con, "dc", DEMO_PASSWORD, now=when))
