"""设置管理 (admin) — the setup workbook out and in (units, departments, leaders,
indicators, responsibilities, targets), this year's targets edited in the browser, and
the history of every target change."""

import streamlit as st

from indicators import ui, ui_actions, ui_chrome, views
from indicators.db import catalog
from indicators.errors import RejectedInput
from indicators.safe_text import md_text
from indicators.setup import workbook

con, actor = ui_actions.working_page("设置管理", "setup_import", "target_edit")
st.caption("单位、科室、领导、指标、责任分工和目标都是数据：可用设置工作簿整体导入导出，目标可在页面上直接调整，"
           "每次调整都保留历史。")

ui_actions.show_done("setup_message")

st.caption(f"操作人：{actor.display}（记入目标历史与操作日志）")
empty = catalog.is_empty(con)

tab_book, tab_targets, tab_history = st.tabs(["设置工作簿", "调整目标", "目标调整历史"], key="setup_tabs",
                                                on_change="rerun")  # keyed: the chosen tab survives reruns

# ---------------------------------------------------------------- workbook out and in
with tab_book:
    st.markdown("##### 下载")
    row = st.container(horizontal=True)
    today = ui.today().isoformat()
    row.download_button("下载当前设置", icon=":material/download:", on_click="ignore", mime=views.XLSX_MIME,
                       file_name=f"指标月调度设置_{today}.xlsx", disabled=empty,
                       data=ui.deferred(lambda cur: views.setup_workbook_bytes(views.setup_frames(cur))))
    row.download_button("下载空白设置工作簿", icon=":material/draft:", on_click="ignore", mime=views.XLSX_MIME,
                       file_name="指标月调度设置_空白.xlsx", data=views.setup_workbook_bytes)

    st.markdown("##### 上传设置工作簿")
    st.caption("按代码覆盖单位、科室、领导、指标和责任分工（库中其他记录保留）；目标只记录与当前目标不同的行，旧目标留在历史中。")
    book = ui_chrome.file_uploader("选择设置工作簿（.xlsx）", ["xlsx"], key="setup_file")
    book = (ui_chrome.accepted(book, ["xlsx"]) or [None])[0]
    if book is not None:
        data = book.getvalue()
        sha = views.sha256_of(data)
        cache = st.session_state.setdefault("setup_readings", {})
        if sha not in cache:
            try:
                cache[sha] = ("ok", views.read_setup(data))
            except RejectedInput as exc:
                cache[sha] = ("rejected", str(exc))
        state, frames = cache[sha]
        if state == "rejected":
            head, *lines = frames.split("\n")
            st.error(head + "\n\n" + "\n".join(f"- {line}" for line in lines), icon="⛔")
        elif state == "loaded":
            st.info("这个工作簿已经导入。")
        else:
            ui.table(views.setup_preview(con, frames))
            ok = st.checkbox("我已核对以上数量，确认导入设置", key=f"setup_ok_{sha[:12]}")
            if st.button("导入设置", type="primary", icon=":material/upload:", disabled=not ok, key="setup_go"):
                try:
                    workbook.load_setup(con, frames, actor=actor, at=ui.now())
                except Exception as exc:  # noqa: BLE001 - shown, nothing written (one transaction)
                    st.error(f"导入失败，未写入任何设置：{md_text(exc)}", icon="⛔")
                else:
                    cache[sha] = ("loaded", None)
                    st.session_state["setup_message"] = f"已导入设置工作簿「{book.name}」。"
                    st.rerun()

if empty:
    with tab_targets:
        st.info("数据库中还没有指标设置：请先在「设置工作簿」中导入。")
    with tab_history:
        st.info("数据库中还没有指标设置：请先在「设置工作簿」中导入。")
    st.stop()

# ---------------------------------------------------------------- targets in the browser
with tab_targets:
    years = views.target_years(con, ui.today())
    dispatched = int(ui.latest_due_month()[:4])  # the year the pages open on
    c1, c2 = st.columns([1, 3])
    year = c1.selectbox("年度", years, index=years.index(dispatched) if dispatched in years else 0, key="tgt_year")
    inds = catalog.indicators(con)
    ind_names = dict(zip(inds["code"], inds["name"]))
    only = c2.multiselect("只看这些指标（不选为全部）", list(ind_names), format_func=ind_names.get, key="tgt_only",
                       placeholder="全部指标")
    frame = views.target_editor_frame(con, year)
    if only:
        frame = frame[frame["indicator_code"].isin(only)].reset_index(drop=True)
    if frame.empty:
        st.info(f"{year} 年还没有目标。可在设置工作簿的「目标」表中填写后导入。")
    else:
        version = st.session_state.setdefault("tgt_version", 0)
        edited = st.data_editor(
            frame, hide_index=True, num_rows="fixed", placeholder="", height=min(36 * (len(frame) + 1) + 3, 560), key=f"tgt_editor_{year}_{'-'.join(only)}_{version}",
            disabled=[c for c in frame.columns if c not in views.TARGET_EDITABLE],
            column_order=["indicator_name", "org_unit_name", "unit", "value", "basis_text", *views.MONTH_COLUMNS,
                          "reason", "set_at", "set_by"],
            column_config={
                "indicator_name": st.column_config.TextColumn("指标"),
                "org_unit_name": st.column_config.TextColumn("单位"),
                "unit": st.column_config.TextColumn("计量单位", width="small"),
                "value": st.column_config.NumberColumn("目标值", required=True, format="localized"),
                "basis_text": st.column_config.TextColumn("目标口径", help="年末达到：目标值为年末水平；年内新增：目标值为较上年末的增加量（在设置工作簿中修改）"),
                **{f"m{m}": st.column_config.NumberColumn(
                    f"{m}月", min_value=0.0, max_value=100.0, step=0.1, format="%.1f%%", width="small",
                    help=f"月度节点：{m}月末累计应完成全年目标的百分比；空白 = 该月不设节点（按前后节点插值）")
                   for m in range(1, 13)},
                "reason": st.column_config.TextColumn("调整原因"),
                "set_at": st.column_config.DatetimeColumn("设定时间", format="YYYY-MM-DD HH:mm"),
                "set_by": st.column_config.TextColumn("设定人"),
            })
        reason = st.text_input("调整原因（用于未单独填写原因的修改行）", key="tgt_reason",
                               placeholder="如 年中调整：市政府下达新目标")
        changed, problems = views.changed_targets(frame, edited, reason=reason.strip() or None)
        for p in problems:
            st.error(p, icon="⛔")
        if len(changed):
            st.caption(f"已修改 {len(changed)} 行目标（只修改原因不算调整）：")
            ui.table(changed.merge(frame[["indicator_code", "org_unit", "indicator_name", "org_unit_name", "value"]],
                                   on=["indicator_code", "org_unit"], suffixes=("", "_old"))
                     .assign(milestones=lambda c: c["milestones"].map(views.milestones_label))
                     [["indicator_name", "org_unit_name", "value_old", "value", "milestones", "reason"]]
                     .rename(columns={"indicator_name": "指标", "org_unit_name": "单位", "value_old": "原目标",
                                      "value": "新目标", "milestones": "月度节点", "reason": "调整原因"}))
        if st.button("保存目标调整", type="primary", icon=":material/save:", key="tgt_save",
                     disabled=changed.empty or bool(problems)):
            added = workbook.revise_targets(con, changed, actor=actor, at=ui.now())
            st.session_state["tgt_version"] = version + 1  # a fresh editor over the saved targets
            st.session_state["setup_message"] = f"已保存 {added} 条目标调整，旧目标保留在历史中。"
            st.rerun()  # the target count is part of the data version: the dispatch caches refresh

# ---------------------------------------------------------------- history
with tab_history:
    units = catalog.org_units(con)
    unit_names = dict(zip(units["code"], units["name"]))
    c1, c2 = st.columns(2)
    code = c1.selectbox("指标", list(ind_names), format_func=ind_names.get, key="hist_ind")
    unit = c2.selectbox("单位", list(unit_names), format_func=unit_names.get, key="hist_unit")
    history = views.target_history_table(con, code, unit)
    if history.empty:
        st.info(f"{md_text(unit_names[unit])}没有设定过「{md_text(ind_names[code])}」的目标。")
    else:
        st.dataframe(history, hide_index=True, key="hist_table",
                     column_config={"设定时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                                    "目标值": st.column_config.NumberColumn(format="localized")})
