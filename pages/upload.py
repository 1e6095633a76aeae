"""数据报送 — download the month's template, upload returns, check them cell by cell,
preview what changes, and import only after an explicit confirmation: all the files of
one upload in one transaction (all land or none, as ``indicators import``). The upload is
recorded as the signed-in user; a 区县填报员 gets only their unit's template, and a file
with another unit's rows (or a changed figure of a locked month) is refused whole."""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from indicators import ui, ui_actions, ui_chrome, views
from indicators.errors import RejectedInput
from indicators.returns import pipeline, template
from indicators.safe_text import md_text

con, actor = ui_actions.working_page("数据报送", "import")
st.caption("下载本月填报模板 → 填写 → 上传 → 系统逐格校验并预览变化 → 确认导入。"
           "有错误的文件整份不导入，一次上传的多个文件一起导入或都不导入；导入后可在「报送记录」页撤回。")
if not ui.require_data(con):
    st.stop()
for note in views.returned_notes(con, actor):  # what was sent back to this user, with the reason
    st.warning(md_text(note), icon="↩️")

# ---------------------------------------------------------------- ① template
st.subheader("① 下载填报模板")
months, default = views.template_periods(ui.today())
units = views.unit_options(con)
labels = dict(zip(units["code"], units["label"]))
names = dict(zip(units["code"], units["name"]))
departments = dict(zip(views.department_options(con)["code"], views.department_options(con)["name"]))
c1, c2, c4, c3 = st.columns([1, 1.3, 1.3, 1], vertical_alignment="bottom")
period = c1.selectbox("报送月份", months, index=default, format_func=views.month_label, key="tpl_period")
unit_choices = [template.unit_for(actor, None)] if actor.role == "district" else [None, *units["code"]]
unit = c2.selectbox("填报单位", unit_choices, key="tpl_unit",
                    format_func=lambda c: "全部单位（每行一个单位）" if c is None else labels.get(c, c))
dept = c4.selectbox("附重点任务进展表（科室）", [None, *departments], key="tpl_dept",
                    format_func=lambda c: "不附（全部单位模板含全部任务）" if c is None else departments[c],
                    help="科室填报时选择本科室：模板中附上本科室牵头任务的「重点任务进展」表")
c3.download_button(
    "下载 Excel 模板", icon=":material/download:", on_click="ignore", mime=views.XLSX_MIME,
    file_name=views.template_file_name(period, names.get(unit)),
    # generated on click, after this run: ui.deferred gives it a cursor of its own
    data=ui.deferred(lambda cur, p=period, u=unit, s=ui.settings(), d=ui.today(), k=dept: views.template_bytes(
        cur, p, u, settings=s, today=d, department=k)))

# ---------------------------------------------------------------- ② upload
st.subheader("② 上传报表")
st.caption(f"报送人：{actor.display}（记入报送记录与操作日志）")
limits = ui.limits()
files = ui_chrome.file_uploader("选择报表文件（.xlsx / .xlsm / .xls / .csv / .txt，可多选）", views.UPLOAD_TYPES,
                                multiple=True, key="upload_files", limit_mb=limits.upload_mb,
                                help="系统生成的模板最方便；也接受长表、按指标或按月份排列的宽表，表头上方可有标题行。")
files = ui_chrome.accepted(files, views.UPLOAD_TYPES)
readings: dict = st.session_state.setdefault("upload_readings", {})  # sha256 → {reading, batch}
pending: list[dict] = []  # the files of this upload still to import: one unit
refused: list[str] = []  # files the signed-in user may not store

for f in files or []:
    data = f.getvalue()
    sha = views.sha256_of(data)
    entry = readings.get(sha)
    if entry is not None and entry["batch"] is not None and views.duplicate_of(con, sha) is None:
        entry = readings.pop(sha) and None  # its batch was rolled back since: read it afresh
    if entry is None:
        entry = readings[sha] = {"reading": ui.read_return_with_status(con, data, f.name, limits), "batch": None}
    reading = entry["reading"]

    with st.container(border=True, key=f"return_{sha[:12]}"):
        st.markdown(f"#### :material/description: {md_text(reading.file_name)}")
        if entry["batch"] is not None:
            st.success(f"已导入：批次 **{entry['batch']}**，{len(reading.values):,} 条数值。"
                       f"审核状态：{views.review_label(con, entry['batch'])}。", icon="✅")
            try:
                st.page_link("pages/batches.py", label="查看报送记录（可撤回）", icon=":material/history:")
            except StreamlitPageNotFoundError:  # the page run on its own, without the router
                st.markdown("[查看报送记录（可撤回）](./batches)")
            continue
        facts = views.reading_facts(reading)
        st.caption("　·　".join(f"{k}：{md_text(v)}" for k, v in facts.itertuples(index=False)))
        conv = views.conversions_table(con, reading)
        if len(conv):
            st.info("已自动换算计量单位（按指标设定的单位入库）：", icon="🔁")
            ui.table(conv)

        kind, message = views.import_verdict(reading, views.duplicate_of(con, sha))
        if kind == "error":
            lines = pipeline.problem_lines(reading, limit=min(len(reading.errors), 5))
            st.error(message + "\n\n" + "\n".join(f"- {md_text(line)}" for line in lines), icon="⛔")
            ui.table(views.problems_table(reading), key=f"problems_{sha[:12]}")
            pending.append(entry)
            continue
        if kind == "empty":
            st.warning(message, icon="⚠️")
            pending.append(entry)
            continue
        if kind == "duplicate":
            st.warning(md_text(message), icon="♻️")
        if len(reading.warnings):
            if kind != "duplicate":
                st.warning(message, icon="⚠️")
            ui.table(views.problems_table(reading, "warning"), key=f"warnings_{sha[:12]}")

        diff = pipeline.preview_diff(con, reading)
        counts = pipeline.diff_counts(diff)
        for col, (label, key) in zip(st.columns(3), (("新增", "新增"), ("修改（旧值 → 新值）", "修改"), ("不变", "不变"))):
            col.metric(label, f"{counts[key]:,}")
        changes = views.diff_table(diff)
        if changes.empty:
            st.info("与库中现有数据完全相同，导入不会改变任何数值。")
        else:
            ui.table(changes, key=f"diff_{sha[:12]}")
        if counts["不变"]:
            with st.expander(f"查看全部 {len(diff):,} 行（含不变）"):
                ui.table(views.diff_table(diff, include_unchanged=True))
        try:  # another unit's rows, a locked month: refused before anything can be confirmed
            pipeline.check_allowed(con, reading, actor, settings=ui.settings(), at=ui.now())
        except RejectedInput as exc:
            st.error(md_text(exc), icon="⛔")
            refused.append(reading.file_name)
        pending.append(entry)

# ---------------------------------------------------------------- ③ one confirmation for the whole upload
if pending:
    kind, message, warnings = views.upload_verdict([e["reading"] for e in pending], refused)
    if kind == "blocked":
        st.error(md_text(message), icon="⛔")
        st.stop()
    st.info(message, icon="ℹ️" if kind == "ready" else "⚠️")
    unit_key = "_".join(sorted(e["reading"].sha256[:8] for e in pending))  # a new set of files asks afresh
    ack = warnings == 0 or st.checkbox(f"我已核对以上 {warnings} 条警告，确认导入", key=f"ack_{unit_key}")
    label = "确认导入" if len(pending) == 1 else f"确认导入全部 {len(pending)} 个文件"
    if st.button(label, type="primary", key=f"commit_{unit_key}", icon=":material/check:",
                 disabled=not ack):
        try:
            ids = pipeline.commit_all(con, [e["reading"] for e in pending], actor=actor, settings=ui.settings(),
                                      at=ui.now(), confirm_warnings=ack)
        except RejectedInput as exc:
            st.error(f"{md_text(exc)}（数据库没有任何改动）", icon="⛔")
        else:
            for e, batch_id in zip(pending, ids):
                e["batch"] = batch_id
            st.rerun()  # the dispatch caches key on the data version: they refresh by themselves
