"""滞后说明 — every indicator × unit that is 滞后 or 严重滞后 this month, who must explain it
(the district for its own figures, the lead department for the city's) and the
explanation: 滞后原因, 整改措施, 预计赶上月份. Last month's explanation is the starting text."""

import streamlit as st

from indicators import explanations, ui
from indicators.db import catalog
from indicators.errors import RejectedInput
from indicators.formatting import month_label
from indicators.rules import periods
from indicators.views import explanations as ev

con, f = ui.reading_page("滞后说明", unit=False)

attached = explanations.attach(con, ui.dispatch(con, f.period))
everything = ev.explanation_view(attached)
with f.controls:
    leader = ui.synced_selectbox("分管领导", "leader", everything.leaders, help="只看该领导分管的指标")
    state = ui.synced_selectbox("说明状态", "state", ev.STATES)
view = ev.explanation_view(attached, leader, state)

if "explain_message" in st.session_state:
    st.success(st.session_state.pop("explain_message"), icon="✅")

c1, c2, c3 = st.columns(3)
c1.metric("应说明", view.required)
c2.metric("已说明", view.given)
c3.metric("待补充", view.missing)
if everything.required == 0:
    st.success(f"{month_label(f.period)}没有滞后指标，无需说明。", icon="✅")
    st.stop()
st.caption("区县对本地数据作说明，全市数据由牵头科室说明。说明将写入通报、汇报幻灯片和调度表。")
ui.table(view.table, key="explain_table")

st.subheader("填写说明")
actor = ui.actor()
if not ui.allowed("explain"):
    st.info(f"{actor.role_name}只能查看滞后说明。", icon="🔒")
    st.stop()
rows = ev.explainable_rows(view.rows, actor, catalog.indicators(con)).to_dict(orient="records")
if not rows:
    st.info(f"当前筛选下没有需要{actor.display}说明的事项。")
    st.stop()
pick = st.selectbox("事项", range(len(rows)), format_func=lambda i: ev.row_label(rows[i]), key="w_explain_row")
row = rows[pick]
st.caption(f"说明责任方：{row['responsible']}　·　分管领导：{row['leader'] or '—'}")
start = ev.explanation_defaults(row)
if start["basis"]:
    st.info(start["basis"], icon="ℹ️")
catch_options = [periods.shift(f.period, k) for k in range(1, 13)]
with st.form(f"explain_{row['indicator_code']}_{row['org_unit_code']}_{f.period}"):
    reason = st.text_area("滞后原因", start["reason"])
    measures = st.text_area("整改措施", start["measures"])
    catch_up = st.selectbox("预计赶上月份", [None, *catch_options], format_func=lambda p: "（不确定）" if p is None else
                            month_label(p), index=(catch_options.index(start["catch_up"]) + 1
                                                   if start["catch_up"] in catch_options else 0))
    st.caption(f"填写人：{actor.display}（记入操作日志）")
    sent = st.form_submit_button("保存说明", type="primary")
if sent:
    try:
        explanations.give(con, attached, indicator_code=row["indicator_code"], org_unit=row["org_unit_code"],
                          reason=reason, measures=measures, catch_up=catch_up, actor=actor, at=ui.now())
    except RejectedInput as exc:
        st.error(str(exc), icon="⛔")
    else:
        st.session_state["explain_message"] = f"已保存 {row['indicator_name']} · {row['org_unit_name']} 的滞后说明"
        st.rerun()
