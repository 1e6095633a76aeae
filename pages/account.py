"""我的账户 — who is signed in, with which role and scope, and changing one's own password
(the old one is checked; every session of the account ends, this one signs in again)."""

import streamlit as st

from indicators import ui, ui_actions, views
from indicators.accounts import permissions, users
from indicators.errors import RejectedInput

con, actor = ui_actions.working_page("我的账户")
ui_actions.show_done("account_message")
if users.must_change_password(con, actor.login):
    st.warning("您正在使用管理员设置的初始密码，请修改为只有您知道的密码。", icon="🔑")

st.markdown(f"**{actor.display}** · 登录名 `{actor.login}`")
st.caption(f"您的角色可做：{permissions.can_do_text(actor.role)}。")

st.markdown("##### 修改密码")
with st.form("change_password"):
    old = st.text_input("原密码", type="password", key="pw_old", autocomplete="current-password")
    new = st.text_input("新密码（至少 8 位，不要用常见密码）", type="password", key="pw_new", autocomplete="new-password")
    again = st.text_input("再输一次新密码", type="password", key="pw_again", autocomplete="new-password")
    go = st.form_submit_button("修改密码", type="primary", icon=":material/key:")
if go:
    if new != again:
        st.error("两次输入的新密码不一致，密码未修改。", icon="⛔")
    else:
        try:
            users.change_own_password(con, actor, old, new, at=ui.now())
        except RejectedInput as exc:
            st.error(str(exc), icon="⛔")
        else:
            ui.sign_in(actor.login, new)  # every session ended with the old password; this tab goes on
            st.session_state["account_message"] = "密码已修改，其他设备上的登录已失效。"
            st.rerun()

st.markdown("##### 角色与权限")
ui.table(views.role_table(), key="my_roles", static=True)  # 可做 is a long text: it wraps
