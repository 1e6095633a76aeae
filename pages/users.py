"""用户管理 (管理员) — the accounts: add one (a generated password is shown once), reset a
password, disable or enable; and what each role may do."""

import streamlit as st

from indicators import ui, ui_actions, views
from indicators.accounts import ROLE_NAMES, users

con, actor = ui_actions.working_page("用户管理", "user_admin")
if ui_actions.show_done("users_message"):
    st.caption("新密码只显示这一次，请转告本人并要求登录后在「我的账户」中修改。")

table = views.users_table(con)
ui.table(table, key="user_list")
tab_add, tab_change, tab_roles = st.tabs(["新建用户", "重设密码 / 停用", "角色与权限"], key="users_tabs",
                                         on_change="rerun")

with tab_add:
    units, depts = views.unit_options(con), views.department_options(con)
    c1, c2, c3 = st.columns(3)
    login = c1.text_input("登录名", key="nu_login", placeholder="如 qx_zhang")
    name = c2.text_input("姓名", key="nu_name", placeholder="如 青溪县科技局 张三")
    role = c3.selectbox("角色", list(ROLE_NAMES), format_func=ROLE_NAMES.get, key="nu_role")
    unit = dept = None
    if role == "district":
        unit = st.selectbox("绑定单位", list(units["code"]), format_func=dict(zip(units["code"], units["label"])).get,
                            key="nu_unit")
    if role == "department":
        dept = st.selectbox("绑定科室", list(depts["code"]), format_func=dict(zip(depts["code"], depts["name"])).get,
                            key="nu_dept")
    if st.button("新建用户", type="primary", icon=":material/person_add:", key="nu_go", disabled=not login.strip()):
        ui_actions.attempt(lambda: users.add_user(con, actor, login, role, name=name.strip() or None, unit=unit,
                                                  department=dept, at=ui.now()),
                           "users_message", lambda made: "已创建用户 {0.login}：{0.display}。初始密码：{1}".format(*made))

with tab_change:
    who = st.selectbox("用户", list(table["登录名"]), key="cu_login")
    left, mid, right = st.columns(3)
    if left.button("重设密码", icon=":material/key:", key="cu_reset"):
        ui_actions.attempt(lambda: users.reset_password(con, actor, who, at=ui.now()), "users_message",
                           lambda password: f"已重设 {who} 的密码，其已登录的会话全部失效。新密码：{password}")
    for col, disabled, label in ((mid, True, "停用"), (right, False, "启用")):
        if col.button(label, key=f"cu_{label}"):
            ui_actions.attempt(lambda: users.set_disabled(con, actor, who, disabled, at=ui.now()), "users_message",
                               lambda _: f"已{label}用户 {who}。")

with tab_roles:
    ui.table(views.role_table(), key="role_table", static=True)
