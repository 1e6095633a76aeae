"""报告导出 — the monthly briefing pack: slides, Excel table, notice draft, chart PNG."""

import streamlit as st

from indicators import report, ui
from indicators.errors import IndicatorsError
from indicators.report import notice, pdf, png
from indicators.views import explanations as ev

con, f = ui.reading_page("报告导出")

settings = ui.settings()
try:  # the same cached dispatch table as the other pages, so the numbers agree
    table = ui.dispatch(con, f.period)
    summary = report.supervise(con, report.summarize(table, f.period, unit=f.unit, source=settings.source_label),
                               table, settings)
except IndicatorsError as exc:
    st.error(str(exc))
    st.stop()
version = (ui.data_version(con), settings.pacing, settings.done_at, settings.lagging_from_pp,
           str(settings.db_path), settings.deadline_day, ui.today())


@st.cache_data(show_spinner=False, max_entries=32)
def _render(_summary: report.Summary, fmt: str, period: str, unit: str | None, version: tuple) -> bytes:
    """The file bytes, rebuilt only when the month, the unit or the data change."""
    return report.render(_summary, fmt, issued=ui.today(), deadline_day=settings.deadline_day)


st.info(notice.headline(summary))

st.subheader("滞后说明")
sup = summary.supervision
missing = ev.missing_by_leader(sup.explanations)
need = len(sup.explanations)
if need == 0:
    st.success("本月没有需要说明的滞后指标。", icon="✅")
elif missing.empty:
    st.success(f"{need}项滞后指标均已说明，材料中附滞后原因、整改措施和预计赶上月份。", icon="✅")
else:
    st.warning(f"{need}项滞后指标中还有 {len(sup.missing)} 项未说明（按分管领导列出）。材料中这些位置标【待补充】；"
               "请督促责任方在「滞后说明」页填写。", icon="⚠️")
    ui.table(missing, key="missing_explanations")
complete_only = st.toggle("说明齐全后才生成材料", value=False, key="w_complete_only",
                          help="打开后，仍有待补充的滞后说明时不生成材料；关闭时照常生成并标【待补充】")
if complete_only and not sup.complete:
    st.error(f"还有 {len(sup.missing)} 项滞后说明待补充：补齐后再生成，或关闭上面的开关带【待补充】标记生成。",
             icon="⛔")
    st.stop()

st.subheader("下载月调度材料")
cols = st.columns(len(report.FORMATS))
for col, fmt in zip(cols, report.FORMATS):
    with col:
        with st.spinner(f"正在生成{report.FORMAT_LABELS[fmt]}……"):
            data = _render(summary, fmt, f.period, f.unit, version)
        st.download_button(f"{report.FORMAT_LABELS[fmt]}（.{fmt}）", data, file_name=report.file_name(summary, fmt),
                           mime=report.MIME_TYPES[fmt], key=f"dl_{fmt}", width="stretch", on_click="ignore")
pdf_cols, issued, no_soffice = st.columns(len(report.FORMATS)), ui.today(), pdf.find_soffice() is None
for col, fmt in zip(pdf_cols, ("pdf", "brief")):  # LibreOffice takes seconds: made on click
    col.download_button(f"{report.FORMAT_LABELS[fmt]}（.pdf）", file_name=report.file_name(summary, fmt),
                        data=lambda fmt=fmt: report.render(summary, fmt, issued=issued, deadline_day=settings.deadline_day),
                        mime=report.MIME_TYPES[fmt], key=f"dl_{fmt}", width="stretch", on_click="ignore",
                        disabled=no_soffice, help="本机未安装 LibreOffice，无法生成 PDF" if no_soffice else None)
st.caption("幻灯片为 16:9，图表为可编辑的原生 PowerPoint 图表；调度表每个区县一个工作表，只含数值、不含公式；"
           "通报草稿可直接在 Word 中修改；PDF 由 LibreOffice 生成（字体嵌入），A3 简报为一页。")

st.subheader("图表图片（PNG）")
codes = summary.chart_indicators or summary.indicators["indicator_code"].tolist()
names = dict(zip(summary.indicators["indicator_code"], summary.indicators["indicator_name"]))
names.update(dict(zip(summary.children["indicator_code"], summary.children["indicator_name"])))
code = st.selectbox("指标（默认列出滞后指标）", codes, format_func=lambda c: names.get(c, c), key="png_indicator")
if code:
    import pandas as pd
    table = pd.concat([summary.indicators, summary.children])
    source = png.indicator_sources(con).get(code, summary.source)  # the same as on 指标详情
    fig = png.completion_figure(table, summary.period, code, parent=summary.scope_code, source=source)
    ui.chart(fig, f"{names.get(code, code)}完成率", f, key="report_png_preview", source=source)
    if png.find_browser(settings.browser_path) is None:
        st.warning("本机未安装 Chromium，无法导出 PNG 图片（可用图表右上角的相机按钮在浏览器中保存）。")
    elif st.button("生成 PNG 图片", key="png_make"):
        try:
            with st.spinner("正在生成图片……"):
                st.session_state["png_bytes"] = (code, png.figure_png(fig, browser=settings.browser_path))
        except IndicatorsError as exc:
            st.error(str(exc))
    made = st.session_state.get("png_bytes")
    if made and made[0] == code:
        st.download_button("下载 PNG", made[1], file_name=f"{summary.period_label}{names.get(code, code)}完成率.png",
                           mime="image/png", key="dl_png", on_click="ignore")
