"""登录 — the only thing a signed-out browser sees, whatever page it asked for. The
router (``app.py``) runs this instead of the page; the address, query string included,
stays as it was, and once the password is right the form is cleared and that page runs
in the same run. On the demo city the demo accounts are listed below the form (never on
a real database)."""

import streamlit as st

from indicators import ui, views
from indicators.errors import SignInFailed

con = ui.db()
ui.apply_briefing_css(False)
box = st.empty()  # cleared when the password is right: the page asked for takes its place
with box.container():
    _, mid, _ = st.columns([1, 1.3, 1])
    with mid:
        st.title("指标月调度")
        st.caption(f"{ui.settings().source_label} · 请登录后使用")
        with st.form("sign_in", border=True):
            login = st.text_input("登录名", key="w_login", autocomplete="username")
            password = st.text_input("密码", type="password", key="w_password", autocomplete="current-password")
            go = st.form_submit_button("登录", type="primary", icon=":material/login:", width="stretch")
        failed = None
        if go:
            try:
                ui.sign_in(login, password)
            except SignInFailed as exc:
                failed = str(exc)
        if failed:
            st.error(failed, icon="⛔")
        st.caption("连续 5 次密码错误，账户锁定 15 分钟。忘记密码请联系管理员重设。")
        # read once per data version (a disabled account goes with its write); signed in, the box goes below
        demo = ui.cached(views.demo_accounts_table, con) if not go or failed else None
        if demo is not None and not demo.empty:
            st.markdown("##### 示例市演示账户")
            st.caption(f"仅演示数据库显示。所有演示账户的密码均为 **{views.DEMO_PASSWORD}**。")
            st.table(demo.set_index("登录名"))
if go and not failed:
    box.empty()
