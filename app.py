"""指标月调度 — the router. Pages live in pages/, logic in src/indicators/.

First start: when the database file does not exist yet it is created with the demo city,
so `python3 dev.py app` shows real-looking data at once.
"""

from pathlib import Path

import streamlit as st

from indicators import ui, ui_chrome
from indicators.settings import Settings

# the icon is a local file: a ":material/…" icon would be fetched from an internet font host
st.set_page_config(layout="wide", page_title="指标月调度", page_icon=str(ui_chrome.FAVICON))

ROOT = Path(__file__).resolve().parent


@st.cache_resource(show_spinner="首次启动：正在创建数据库并载入示例市……")
def _first_start(db_path: str, _settings: Settings) -> None:
    path = Path(db_path)
    if path.exists():
        return
    from indicators.db import connection
    from indicators.demo.load import load_demo
    with connection.connect(path, create=True) as con:
        load_demo(con, _settings)


_first_start(str(Path(ui.settings().db_path).resolve()), ui.settings())

PAGES = [  # (file, title, icon, section)
    ("pages/overview.py", "调度总览", ":material/dashboard:", "调度"),
    ("pages/indicator.py", "指标详情", ":material/monitoring:", "调度"),
    ("pages/responsibility.py", "责任分解", ":material/account_tree:", "调度"),
    ("pages/tasks.py", "重点任务", ":material/task_alt:", "调度"),
    ("pages/explain.py", "滞后说明", ":material/edit_note:", "调度"),
    ("pages/upload.py", "数据报送", ":material/upload_file:", "数据"),
    ("pages/batches.py", "报送记录", ":material/history:", "数据"),
    ("pages/report.py", "报告导出", ":material/description:", "数据"),
    ("pages/send.py", "消息发送", ":material/send:", "数据"),
    ("pages/setup.py", "设置管理", ":material/settings:", "管理"),
    ("pages/task_plan.py", "工作安排导入", ":material/playlist_add:", "管理"),
]

missing = [file for file, *_ in PAGES if not (ROOT / file).is_file()]
if missing:  # a broken install says so instead of quietly losing a page from the menu
    st.error(f"缺少页面文件：{'、'.join(missing)}。安装不完整，请重新获取程序。", icon="⛔")
    st.stop()

sections: dict[str, list] = {}
for i, (file, title, icon, section) in enumerate(PAGES):
    sections.setdefault(section, []).append(st.Page(str(ROOT / file), title=title, icon=icon, default=(i == 0)))
# an address that is no page (an old bookmark, a typo) gets a Chinese page of its own
# instead of Streamlit's English "Page not found" dialog
unknown = ui_chrome.unknown_page([Path(file).stem for file, *_ in PAGES])
if unknown:
    sections[PAGES[0][3]].append(st.Page(str(ROOT / "pages/not_found.py"), title="页面不存在", url_path=unknown,
                                         visibility="hidden"))

with ui.script_run():  # the page's database cursor lives exactly as long as this run
    st.navigation(sections).run()
