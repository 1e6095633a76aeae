"""重点任务 — the key-task board of a month (滞后 and 逾期 first, by leader and department),
and each department's monthly progress report (进展情况, 状态, 存在问题, 下步措施)."""

import streamlit as st

from indicators import ui
from indicators.errors import RejectedInput
from indicators.formatting import month_label
from indicators.rules import due
from indicators.tasks import store as task_store
from indicators.views import tasks as tv

con = ui.db()
f = ui.filters(con, unit=False)
ui.page_header("重点任务", f)
if not ui.require_data(con) or f.period is None:
    st.stop()

everything = tv.task_board_view(con, f.period)
with f.controls:
    leader = ui.synced_selectbox("分管领导", "leader", everything.leaders, help="只看该领导分管的任务")
    dept = ui.synced_selectbox("牵头科室", "dept", everything.departments, help="只看该科室牵头的任务")
view = tv.filter_board(everything, leader, dept)

if "task_message" in st.session_state:
    st.success(st.session_state.pop("task_message"), icon="✅")

tab_board, tab_report = st.tabs(["任务看板", "填报进展"], key="tasks_tabs", on_change="rerun")
with tab_board:
    if everything.board.empty:
        st.info("本月还没有已确认的重点任务。请在「设置管理」导入含「重点任务」工作表的设置工作簿，"
                "或在「工作安排导入」页导入月度重点工作安排。")
    else:
        cols = st.columns(len(view.counts) + 1)
        cols[0].metric("任务数", len(view.board))
        for col, (label, n) in zip(cols[1:], view.counts.items()):
            col.metric(label, n)
        scope = "、".join(x for x in (leader, dept) if x != tv.ALL) or "全部任务"
        st.caption(f"{scope} · 滞后与逾期在前。逾期 = 已过月度节点或截止日期仍未完成，由系统自动判为滞后。")
        ui.toned_table(view.table, tv.TONE_COLORS, key="task_board")

with tab_report:
    actor = ui.actor()
    if not ui.allowed("task_progress"):
        st.info(f"{actor.role_name}只能查看重点任务。", icon="🔒")
        st.stop()
    if everything.board.empty:
        st.info("没有可填报的任务。")
        st.stop()
    reporting = due.reporting_month(ui.today())
    months = list(dict.fromkeys([reporting, f.period])) if reporting > f.period else [f.period]
    month = st.selectbox("填报月份", months, format_func=month_label, key="w_task_month")
    board = tv.task_board_view(con, month).board if month != f.period else everything.board
    mine = board if dept == tv.ALL else board[board["lead_department_name"] == dept]
    if actor.role == "department":  # a 科室 reports on the tasks it leads
        mine = mine[mine["lead_department_name"] == actor.scope_name]
    if mine.empty:
        st.info("所选科室在该月没有任务。" if actor.role != "department" else f"{actor.scope_name}在该月没有牵头任务。")
        st.stop()
    labels = dict(zip(mine["code"], [f"{c} {n}（{s}）" for c, n, s in
                                      zip(mine["code"], mine["name"], mine["status_label"])]))
    code = st.selectbox("任务", list(labels), format_func=labels.get, key="w_task_code")
    start = tv.progress_defaults(con, code, month)
    if start["basis"]:
        st.caption(f"已带入：{start['basis']}")
    with st.form(f"progress_{code}_{month}"):
        status = st.radio("本月状态", tv.REPORT_CHOICES, horizontal=True,
                          index=tv.REPORT_CHOICES.index(start["status"]))
        progress = st.text_area("进展情况", start["progress"])
        problems = st.text_area("存在问题", start["problems"])
        steps = st.text_area("下步措施", start["next_steps"])
        st.caption(f"填报人：{actor.display}（记入操作日志）")
        sent = st.form_submit_button("保存进展", type="primary")
    if sent:
        row = tv.progress_row(code, month, status, progress, problems, steps)
        try:
            task_store.record_progress(con, row, actor=actor, source="页面", at=ui.now())
        except RejectedInput as exc:
            st.error(str(exc), icon="⛔")
        else:
            st.session_state["task_message"] = f"已保存 {code} {month_label(month)}进展：{status}"
            st.rerun()
