"""指标详情 — one indicator: trend against last year and the 序时 line, units compared,
ranking, year-end projection, where each number comes from, definition and source."""

import streamlit as st

from indicators import charts, ui, views
from indicators.safe_text import md_text

con = ui.db()
f = ui.filters(con)
if not ui.require_data(con, f):
    st.title("指标详情")
    st.stop()

table = ui.dispatch_later(con, f.period)  # the table only when the page data are not cached
d = ui.computed(views.indicator_detail_options, table)
with f.controls:
    code = ui.synced_selectbox("指标", "ind", d["code"].tolist(), placeholder="暂无指标",
                               format_func=dict(zip(d["code"], d["name"])).get)
if code is None:
    st.title("指标详情")
    st.info("本期没有可查看的重点指标。")
    st.stop()

with f.controls:
    rank_by = ui.synced_selectbox("排名依据", "rank", views.RANK_OPTIONS, format_func=views.rank_option_label)
detail = ui.cached(views.indicator_detail, con, table, code, f.period, f.unit, pacing=ui.settings().pacing,
                   rank_by=views.rank_measure(rank_by), counted=ui.settings().review_counts)
ctx = ui.chart_context(f, source=detail.source)
ui.page_header(detail.name, f, extra=detail.kind_text, source=detail.source)  # the charts' source too

if detail.head is None:
    st.info(f"{md_text(f.unit_name)} 没有「{md_text(detail.name)}」的目标或数据。")
else:
    ui.headline_cards(detail.card, per_row=1)
    st.markdown(detail.summary)

# figures built once per their inputs (a Plotly figure costs more to build than to send),
# kept as st.plotly_chart sends them (ui.figure)
fig = ui.figure(charts.trend_figure, detail.trend, ctx, title=f"{detail.name}：本年与上年同期、序时目标（{f.unit_name}）",
                unit=detail.unit, decimals=detail.decimals, source=detail.source, kind=detail.kind)
ui.chart(fig, f"{detail.name}_趋势", f, key="ind_trend", source=detail.source)

if detail.units.empty:
    st.info("该单位没有下级单位，不做分单位比较。")
else:
    if views.units_chartable(detail.units):
        fig = ui.figure(charts.completion_bars, detail.units, ctx, title=f"{detail.name}：{detail.units_title}",
                        source=detail.source, unit=detail.unit, decimals=detail.decimals)
        ui.chart(fig, f"{detail.name}_各单位完成率", f, key="ind_units", source=detail.source)
    else:  # an empty chart of "无目标" labels tells a leader nothing
        st.info("各单位本期都没有可比较的完成进度（未设定目标或未报送），不画完成进度图；数值、同比与排名见下表。")
    st.subheader(f"排名与预计全年 · {views.rank_option_label(rank_by)}")
    ui.table(detail.ranking)

st.subheader("数据来源（每个数字的出处）")
ui.table(detail.provenance)
with st.expander("指标口径与来源", expanded=not f.briefing):
    st.markdown(detail.definition)
