"""责任分解 — who owns what and how it stands: unit × indicator matrix, views by lead
department and by leader, a scorecard per district."""

import streamlit as st

from indicators import charts, ui, views
from indicators.tasks.board import task_board
from indicators.views.supervision import supervision_lists

con, f = ui.reading_page("责任分解")

table = ui.dispatch_later(con, f.period)  # the table only when the page data are not cached
matrix = ui.computed(views.status_matrix, table, f.unit)  # the heatmap first: nothing else before it
ctx = ui.chart_context(f)

if matrix.empty:
    st.info("该单位没有需要调度的重点指标。")
else:  # what fits a screen, the most behind first; the rest a page away, with how many
    page = st.session_state.get("resp_matrix_page") or 1
    mp = ui.computed(views.matrix_page, matrix, page)
    if mp.pages > 1:
        note, pick = st.columns([3, 1])
        with pick:
            st.selectbox("矩阵翻页", list(range(1, mp.pages + 1)), key="resp_matrix_page", label_visibility="collapsed",
                         format_func=lambda i: f"第 {i} / {mp.pages} 页")
        note.caption(f"共 {mp.total:,} 项重点指标，按滞后单位数从多到少排列，每页 {views.MATRIX_ROWS} 项；"
                     f"本图为第 {mp.first}–{mp.last} 项，其余 {mp.total - (mp.last - mp.first + 1):,} 项请翻页。")
    fig = ui.figure(charts.status_heatmap, mp.matrix, ctx, title=f"{f.unit_name}：指标 × 单位 完成状态")
    ui.chart(fig, "指标单位完成状态矩阵", f, key="resp_matrix")

# the 督办 list (indicators and key tasks together, with where the explanations stand) and
# the district scorecards: only the open tab is built and drawn — a switch reruns the page
# (the three tabs' tables, drawn all at once, held up the heatmap) — and a bookmarked
# scorecard (?district=) opens on its tab
tab_dep, tab_leader, tab_card = st.tabs(["按牵头科室", "按分管领导", "区县记分卡"], key="resp_tabs", on_change="rerun",
                                        default="区县记分卡" if "district" in st.query_params else None)
if tab_dep.open or tab_leader.open:  # the month's table with its explanations is not kept: only the two lists are
    by_department, by_leader = ui.cached(supervision_lists, con, table, ui.cached(task_board, con, f.period), f.unit)
    if tab_dep.open:
        with tab_dep:
            ui.supervision_tables(by_department, "牵头科室")
    else:
        with tab_leader:
            ui.supervision_tables(by_leader, "分管领导")
if tab_card.open:
    with tab_card:
        districts = ui.computed(views.district_choices, table, f.unit)
        if districts.empty:
            st.info("该单位没有下级单位。请在侧栏选择市级单位查看各区县记分卡。")
        else:
            names = dict(zip(districts["code"], districts["name"]))
            pick, measure = st.columns(2)
            with pick:
                code = ui.synced_selectbox("区县", "district", districts["code"].tolist(), format_func=names.get)
            with measure:
                rank_by = ui.synced_selectbox("各指标排名依据", "rank", views.RANK_OPTIONS, format_func=views.rank_option_label)
            card = ui.computed(views.district_scorecard, table, code, f.unit, rank_by=views.rank_measure(rank_by))
            st.html(card.headline_html)
            ui.table(card.table)
