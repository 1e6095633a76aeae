"""调度总览 — one screen for the leaders: cards, status counts, who lags, district ranking."""

import streamlit as st

from indicators import charts, ui, views
from indicators.safe_text import md_text

con, f = ui.reading_page("调度总览")

table = ui.dispatch_later(con, f.period)  # the table only when the page data are not cached
# the cards, the counts and their chart first; the rest (the lagging list, the ranking,
# completeness) is computed after the first chart is drawn
ov = ui.computed(views.overview_head, table, f.unit)
ctx = ui.chart_context(f)

cols = st.columns(len(ov.counts))
for col, c in zip(cols, ov.counts.itertuples(index=False)):
    col.html(f'<div style="text-align:center">{ui.badge_html(c.status)}'
             f'<div style="font-size:2rem;font-weight:700;line-height:1.4">{c.count}</div></div>')

st.subheader(f"重点指标 · {md_text(f.unit_name or '')}")
ui.headline_cards(ov.cards, per_row=4, pager="ov_cards")

left, right = st.columns(2) if not f.briefing else (st.container(), st.container())
with left:
    # figures built once per their inputs (a Plotly figure costs more to build than to send),
    # kept as st.plotly_chart sends them (ui.figure)
    fig = ui.figure(charts.status_count_bars, ov.counts, ctx, title=f"{f.unit_name or ''}重点指标完成状态")
    ui.chart(fig, "重点指标完成状态", f, key="ov_status")
# who is late changes with the clock only at the month's deadline: the moment before or
# after it keys the cached result, which serves every session until the data changes
rest = ui.cached(views.overview_rest, con, table, f.period, f.unit, ui.settings(),
                 views.status_moment(f.period, ui.settings(), ui.now()))
with right:
    if rest.ranking.empty:
        st.info("该单位没有下级单位，不做排名。")
    elif rest.ranking_reason:
        st.info(f"{rest.ranking_reason}。")
    else:
        fig = ui.figure(charts.district_ranking_bars, rest.ranking, ctx)
        ui.chart(fig, "区县达序时率排名", f, key="ov_rank")

st.subheader("滞后指标清单（按差距排序）")
if rest.lagging.empty:
    st.success("本期没有滞后指标。")
else:
    ui.table(rest.lagging)

if not rest.ranking.empty:
    st.subheader("区县排名")
    ui.table(ui.computed(views.ranking_display, rest.ranking))

st.subheader(f"报送完整性 · {views.month_label(f.period)}")
st.caption(rest.completeness_note)
ui.table(rest.completeness)
