"""指标月调度 — the router. Pages live in pages/, logic in src/indicators/.

First start: when the database file does not exist yet it is created with the demo city
(with one demo account per role), so `python3 dev.py app` shows real-looking data at
once. A real database without any account gets ``admin`` with a generated password,
printed once on the console.

Until a browser is signed in, every address shows only the sign-in page (the address
stays, and opens after signing in). The menu holds the pages the user's role may open;
the address of a page the role may not open says so (in Chinese, at that address). The pages check the role again
and the domain refuses any write the role may not make.
"""

import runpy
from pathlib import Path

import streamlit as st

from indicators import ui, ui_chrome
from indicators.accounts import permissions
from indicators.settings import Settings

# the icon is a local file: a ":material/…" icon would be fetched from an internet font host
st.set_page_config(layout="wide", page_title="指标月调度", page_icon=str(ui_chrome.FAVICON))

ROOT = Path(__file__).resolve().parent


@st.cache_resource(show_spinner="首次启动：正在创建数据库并载入示例市……")
def _first_start(target: str, _settings: Settings) -> None:
    from indicators.db import backend, connection
    if backend.is_postgres(target) or Path(target).exists():  # a shared store is set up by its admin
        return
    from indicators.demo.load import load_demo
    with connection.connect(target, create=True, wait=_settings.lock_wait) as con:
        load_demo(con, _settings)


@st.cache_resource(show_spinner=False)
def _first_admin(target: str, _settings: Settings) -> None:
    """A database with no account at all (a real one, or one made before accounts):
    ``admin`` with a generated password, shown once here on the server's console."""
    from indicators import clock
    from indicators.accounts import operator
    from indicators.accounts.users import first_admin
    from indicators.db import connection
    with connection.connect(target, create=True, wait=_settings.lock_wait) as con:
        password = first_admin(con, operator(), at=clock.now(_settings))
    if password is not None:
        print(f"指标月调度：已创建管理员账户 admin，初始密码（只显示这一次，请登录后修改）：{password}", flush=True)


_first_start(ui.db_target(), ui.settings())
_first_admin(ui.db_target(), ui.settings())

PAGES = [  # (file, title, icon, section, what the role must be allowed: None = every signed-in user)
    ("pages/overview.py", "调度总览", ":material/dashboard:", "调度", None),
    ("pages/indicator.py", "指标详情", ":material/monitoring:", "调度", None),
    ("pages/responsibility.py", "责任分解", ":material/account_tree:", "调度", None),
    ("pages/tasks.py", "重点任务", ":material/task_alt:", "调度", None),
    ("pages/explain.py", "滞后说明", ":material/edit_note:", "调度", None),
    ("pages/upload.py", "数据报送", ":material/upload_file:", "数据", ("import",)),
    ("pages/batches.py", "报送记录", ":material/history:", "数据", None),
    ("pages/review.py", "审核与锁定", ":material/fact_check:", "数据", ("review", "unlock")),
    ("pages/report.py", "报告导出", ":material/description:", "数据", None),
    ("pages/send.py", "消息发送", ":material/send:", "数据", ("send",)),
    ("pages/setup.py", "设置管理", ":material/settings:", "管理", ("setup_import", "target_edit")),
    ("pages/task_plan.py", "工作安排导入", ":material/playlist_add:", "管理", ("task_plan",)),
    ("pages/users.py", "用户管理", ":material/manage_accounts:", "管理", ("user_admin",)),
    ("pages/account.py", "我的账户", ":material/account_circle:", "管理", None),
]
SIGN_IN = ROOT / "pages" / "signin.py"

missing = [file for file, *_ in PAGES if not (ROOT / file).is_file()] + ([] if SIGN_IN.is_file() else ["pages/signin.py"])
if missing:  # a broken install says so instead of quietly losing a page from the menu
    st.error(f"缺少页面文件：{'、'.join(missing)}。安装不完整，请重新获取程序。", icon="⛔")
    st.stop()


def _sections(who) -> dict[str, list]:
    """The menu: every page for a signed-out browser (only to keep its address), else the
    pages the role may open."""
    sections: dict[str, list] = {}
    asked = ui_chrome.requested_page_name().strip("/")
    for i, (file, title, icon, section, needs) in enumerate(PAGES):
        if who is None or needs is None or any(permissions.allowed(who, a) for a in needs):
            sections.setdefault(section, []).append(st.Page(str(ROOT / file), title=title, icon=icon,
                                                            default=(i == 0)))
        elif asked == Path(file).stem:  # a page the role may not open, asked for by its address:
            # say so in Chinese at that address instead of Streamlit's English "Page not found"
            sections.setdefault(section, []).append(st.Page(
                lambda title=title: ui_chrome.refuse_page(title, who), title=title, icon=icon,
                url_path=asked, visibility="hidden"))
    # an address that is no page (an old bookmark, a typo) gets a Chinese page of its own
    # instead of Streamlit's English "Page not found" dialog
    unknown = ui_chrome.unknown_page([Path(file).stem for file, *_ in PAGES])
    if unknown:
        sections.setdefault(PAGES[0][3], []).append(st.Page(str(ROOT / "pages/not_found.py"), title="页面不存在",
                                                            url_path=unknown, visibility="hidden"))
    return sections


with ui.script_run():  # the page's database cursor lives exactly as long as this run
    who = ui.signed_in()
    if who is None:  # the sign-in form; a right password signs in and the page runs below
        runpy.run_path(str(SIGN_IN), run_name="__main__")
        who = ui.signed_in()
    if who is None:
        ui.cookie_sync()  # clears the cookie after signing out
        st.navigation(_sections(None), position="hidden")  # keeps the address asked for; runs no page
    else:
        # every page listed: collapsed (more than 12 pages) Streamlit adds an English «View 4 more»
        page = st.navigation(_sections(who), expanded=True)
        with st.sidebar:
            ui.cookie_sync()
            st.caption(f"已登录：{who.display}")
            if st.button("退出登录", icon=":material/logout:", key="sign_out"):
                ui.sign_out()
                st.rerun()
        page.run()
