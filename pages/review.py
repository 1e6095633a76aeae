"""审核与锁定 — 综合科 and the lead 科室 approve or return (退回, with a reason the district
sees) the batches waiting for them; a 管理员 also unlocks a locked month for one unit for
a few hours. Every decision is recorded as the signed-in user."""

import streamlit as st

from indicators import ui, ui_actions, views
from indicators.returns import lock, review

con, actor = ui_actions.working_page("审核与锁定", "review", "unlock")
st.caption("区县上传的报表为「待审核」，综合科或牵头科室审核通过后为「已通过」；退回的批次不再计入调度表，"
           "填报单位会看到退回原因。科室只审核本科室牵头的指标。")
ui_actions.show_done("review_message")

tab_queue, tab_lock = st.tabs(["待审核", "月份锁定"], key="review_tabs", on_change="rerun")

with tab_queue:
    waiting = views.queue_table(con, actor)
    if not ui.allowed("review"):
        st.caption("您的角色不审核报送。")
    elif waiting.empty:
        st.success("没有等待您审核的批次。")
    else:
        ui.table(waiting, key="review_queue")
        labels = {int(r.批次): f"批次 {r.批次} · {r.文件} · {r.单位} · {r.期间}" for r in waiting.itertuples(index=False)}
        chosen = st.selectbox("审核批次", list(labels), format_func=labels.get, key=f"rv_batch_{len(labels)}")
        left, right = st.columns(2)
        if left.button("审核通过", type="primary", icon=":material/check:", key="rv_approve"):
            ui_actions.attempt(lambda: review.approve(con, actor, chosen, at=ui.now()), "review_message", lambda done: (
                f"批次 {chosen}：审核通过 {done['approved']} 项指标" +
                ("，整批已通过。" if done["state"] == "approved" else f"，另有 {done['remaining']} 项待其他科室审核。")))
        with right:
            reason = st.text_input("退回原因（填报单位可见）", key=f"rv_reason_{chosen}",
                                   placeholder="如：R&D经费支出与统计快报不一致，请核实后重报")
            if st.button("退回", icon=":material/undo:", key="rv_return", disabled=not reason.strip()):
                ui_actions.attempt(
                    lambda: review.return_batch(con, actor, chosen, reason, settings=ui.settings(), at=ui.now()),
                    "review_message", lambda done: f"已退回批次 {chosen}：其数值不再计入，"
                                                   f"恢复了 {done['restored']} 个被它覆盖的旧值。")

with tab_lock:
    s = ui.settings()
    months = views.recent_periods(con, ui.latest_due_month())
    st.caption(f"每月报表在截止日（次月 {s.deadline_day} 日）后第 {s.lock_after_days} 天锁定"
               "（INDICATORS_LOCK_AFTER_DAYS），锁定后区县和科室不能再上传或撤回该月数据。")
    ui.table(views.lock_table(months, s, ui.now()).drop(columns="period"), key="lock_table")
    open_now = views.unlocks_table(con, ui.now())
    if len(open_now):
        st.markdown("##### 临时解锁中")
        ui.table(open_now, key="unlocks")
    if ui.allowed("unlock"):
        st.markdown("##### 为一个单位临时解锁")
        units = views.unit_options(con)
        c1, c2, c3 = st.columns([1, 1.3, 1])
        period = c1.selectbox("月份", months, format_func=views.month_label, key="ul_period")
        unit = c2.selectbox("单位", list(units["code"]), format_func=dict(zip(units["code"], units["label"])).get,
                            key="ul_unit")
        hours = c3.number_input("时长（小时）", min_value=1, max_value=lock.MAX_UNLOCK_HOURS, value=4, key="ul_hours")
        why = st.text_input("解锁原因（记入操作日志）", key="ul_reason")
        if st.button("解锁", icon=":material/lock_open:", key="ul_go"):
            ui_actions.attempt(lambda: lock.unlock(con, actor, period=period, unit=unit, hours=hours, settings=s,
                                                   now=ui.now(), reason=why.strip() or None),
                               "review_message",
                               lambda until: f"已解锁 {views.month_label(period)}，至 {until:%Y-%m-%d %H:%M}。")
