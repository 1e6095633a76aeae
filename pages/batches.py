"""报送记录 — every uploaded batch with its review state and rollback, who reported each
month (completeness and timeliness), the 催报 list with a notice to copy, the delivery log,
and the audit log. Everyone signed in sees the records; rolling back is offered to the
roles that may (a 区县填报员 only for their own unit's batches) and recorded as the
signed-in user."""

import streamlit as st

from indicators import ui, ui_actions, views
from indicators.returns import pipeline

con, actor = ui_actions.working_page("报送记录")
if not ui.require_data(con):
    st.stop()

ui_actions.show_done("rollback_message", icon="↩️")

tab_batches, tab_complete, tab_sent, tab_audit = st.tabs(
    ["报送批次", "报送完整性与催报", "发送记录", "操作日志"], key="batches_tabs",
    on_change="rerun")  # keyed: the chosen tab survives reruns

# ---------------------------------------------------------------- batches and rollback
with tab_batches:
    batches = views.batches_table(con)
    if batches.empty:
        st.info("还没有任何报送批次。请在「数据报送」页上传报表。")
    else:
        st.caption(f"共 {len(batches)} 个批次，其中有效 {int((batches['status'] == 'active').sum())} 个。"
                   "同一单位、指标、期间以最新的有效批次为准。")
        st.dataframe(batches.drop(columns=["status", "review", "unit_codes"]), hide_index=True, key="batch_list",
                     height=ui.rows_height(len(batches)),
                     column_config={"报送时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                                    "批次": st.column_config.NumberColumn(width="small")})
        ui.print_copy(batches.drop(columns=["status", "review", "unit_codes"]))  # paper: every column
        active = views.rollback_choices(batches, actor)
        if ui.allowed("rollback"):
            st.markdown("##### 撤回批次")
        if not ui.allowed("rollback"):
            st.caption(f"{actor.role_name}只能查看报送记录。")
        elif active.empty:
            st.caption("没有可撤回的有效批次。")
        else:
            labels = {int(r["批次"]): views.batch_label(r) for _, r in active.iterrows()}
            # keyed by the set of choices: after a rollback the browser must not keep
            # showing the batch that is gone (a widget keeps its value under the same key)
            chooser_key = f"rb_batch_{len(labels)}_{next(iter(labels))}"
            chosen = st.selectbox("选择要撤回的批次", list(labels), key=chooser_key, format_func=labels.get)
            ok = st.checkbox(f"确认撤回批次 {chosen}：该批次的数值不再计入，被它覆盖的旧值恢复有效", key=f"rb_ok_{chosen}")
            if st.button("撤回该批次", type="primary", icon=":material/undo:", disabled=not ok, key="rb_go"):
                rows = int(active.loc[active["批次"] == chosen, "条数"].iloc[0])
                ui_actions.attempt(
                    lambda: pipeline.rollback(con, int(chosen), actor=actor, settings=ui.settings(), at=ui.now()),
                    "rollback_message",
                    lambda restored: f"已撤回批次 {chosen}：其 {rows} 条数值不再计入，恢复了 {restored} 个被它覆盖的旧值。")

# ---------------------------------------------------------------- completeness and 催报
with tab_complete:
    settings = ui.settings()
    due_month = ui.latest_due_month()  # the month worth chasing
    months = views.recent_periods(con, due_month)
    st.markdown("##### 各单位报送情况（近 6 个月）")
    st.caption(f"已报·按时 = 截止日（次月 {settings.deadline_day} 日）前报齐；已报·逾期 = 截止后才报齐；"
               "部分 r/e = 应报 e 项已报 r 项；未报 = 已过截止日仍未报；待报 = 尚未到截止日。")
    grid = views.completeness_grid(con, months, settings=settings, now=ui.now())
    st.dataframe(grid.style.map(views.grid_cell_style, subset=grid.columns[1:]), hide_index=True,
                 key="completeness_grid")
    ui.print_copy(grid)

    period = st.selectbox("催报月份", months, index=months.index(due_month), format_func=views.month_label,
                          key="chase_month", help="默认为最近一个已过报送截止日的月份")
    summary, chase, text = views.completeness_detail(con, period, settings=settings, now=ui.now())
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"##### {views.month_label(period)} 各单位报送率")
        ui.table(summary, key="chase_summary")
        st.markdown("##### 催报清单")
        if chase.empty:
            st.success("该月各单位均已报齐。")
        else:
            ui.table(chase)
    with right:
        st.markdown("##### 催报通知（点右上角复制）")
        st.code(text, language=None, wrap_lines=True)

# ---------------------------------------------------------------- deliveries (催报 and packs sent)
with tab_sent:
    sent = views.delivery_log(con, ui.now(), ui.settings())
    st.caption("催报和月调度材料的发送记录，失败的排在最前（自动重试）；发送与渠道设置见「消息发送」页。")
    if sent.empty:
        st.info("还没有发送记录。")
    else:
        ui.delivery_log(sent, key="sent_log")

# ---------------------------------------------------------------- audit
with tab_audit:
    st.caption("最近 50 条操作：导入报送、撤回批次、导入设置、调整目标。")
    audit = views.audit_log(con, 50)
    st.dataframe(audit, hide_index=True, key="audit_log", height=ui.rows_height(len(audit)),  # no scrolling box
                 column_config={"时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")})
    ui.print_copy(audit)
