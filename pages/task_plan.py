"""工作安排导入 — a monthly 重点工作安排 (text or Word) becomes that month's draft tasks
with their 类别; the admin assigns the lead department and leader (suggested from the
类别 and the responsibility table) and confirms."""

import streamlit as st

from indicators import ui, ui_actions, ui_chrome
from indicators.errors import RejectedInput
from indicators.formatting import month_label
from indicators.rules import due
from indicators.tasks import store as task_store
from indicators.views import tasks as tv

con, actor = ui_actions.working_page("工作安排导入", "task_plan")
st.caption("上传月度重点工作安排（.txt 或 .docx）→ 预览识别出的部分与条目 → 导入为该月待确认任务 → "
           "指定牵头科室、分管领导 → 确认。确认后的任务出现在「重点任务」看板。")
if not ui.require_data(con):
    st.stop()
ui_actions.show_done("plan_message")

months = tv.plan_months(due.reporting_month(ui.today()))
period = st.selectbox("工作安排所属月份", months, index=2, format_func=month_label, key="w_plan_period")

st.subheader("① 上传工作安排")
upload = ui_chrome.file_uploader("选择文件（.txt / .docx）", ["txt", "docx"], key="w_plan_file")
upload = (ui_chrome.accepted(upload, ["txt", "docx"]) or [None])[0]
if upload is not None:
    try:
        reading = tv.read_plan_upload(upload.getvalue(), upload.name)
    except RejectedInput as exc:
        st.error(str(exc), icon="⛔")
        st.stop()
    counts = reading.counts()
    st.markdown(f"**{reading.title or upload.name}**：识别出 {len(counts)} 个部分、{len(reading.items)} 项条目　"
                + "　".join(f"{k} {v} 项" for k, v in counts.items()))
    if reading.period_hint and reading.period_hint != period:
        st.warning(f"标题中的月份是 {month_label(reading.period_hint)}，将导入为 {month_label(period)}。", icon="⚠️")
    st.dataframe(tv.plan_preview(reading), hide_index=True, key="plan_preview")
    if reading.skipped:
        with st.expander(f"未采用的文字 {len(reading.skipped)} 处（标题前的文字、重复的部分、页脚等）"):
            st.dataframe(tv.skipped_table(reading), hide_index=True)
    st.caption(f"操作人：{actor.display}（记入操作日志）")
    if st.button(f"导入为{month_label(period)}待确认任务", type="primary", disabled=not reading.items,
                 key="plan_import"):
        ui_actions.attempt(lambda: tv.draft_plan(con, reading, period, actor=actor, at=ui.now()), "plan_message",
                           lambda got: f"已导入 {len(got)} 项，其中新增待确认任务 {int(got['is_new'].sum())} 项"
                                       "（已有的任务未重复导入）")

st.subheader("② 指定牵头科室并确认")
pending = tv.pending_drafts(con, period)
if pending.empty:
    st.info(f"{month_label(period)}没有待确认的任务。")
    st.stop()
departments, leaders = tv.owner_names(con)
st.caption(f"{len(pending)} 项待确认。牵头科室与分管领导已按类别和责任分工给出建议，可逐项修改；"
           "每项都须有牵头科室。")
edited = st.data_editor(pending, hide_index=True, key=f"plan_editor_{period}", disabled=["代码", "类别"],
                        column_config={
                            "牵头科室": st.column_config.SelectboxColumn(options=departments, required=True),
                            "分管领导": st.column_config.SelectboxColumn(options=leaders),
                            "任务名称": st.column_config.TextColumn(width="large")})
st.caption(f"确认人：{actor.display}（记入操作日志）")
if st.button(f"确认这 {len(edited)} 项任务", type="primary", key="plan_confirm"):
    ui_actions.attempt(lambda: task_store.confirm_tasks(con, tv.confirm_edits(con, edited), actor=actor, at=ui.now()),
                       "plan_message", lambda n: f"已确认{month_label(period)}重点任务 {n} 项")
