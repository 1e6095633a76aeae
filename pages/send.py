"""消息发送 — for 综合科: the channels and whether each is set up, a test message, 催报
and the monthly pack sent now (after a preview), and the delivery log. The timer
(``indicators send due``, deploy/) sends the same on schedule; this page never schedules."""

import streamlit as st

from indicators import ui, ui_actions, views
from indicators.delivery import channels, outbox
from indicators.errors import IndicatorsError
from indicators.settings import CHANNELS

con, actor = ui_actions.working_page("消息发送", "send")  # 综合科 and 管理员
if not ui.require_data(con):
    st.stop()
s = ui.settings()
db = outbox.shared(con)
LABELS = channels.CHANNEL_LABELS

if "send_outcome" in st.session_state:
    kind, text, table = st.session_state.pop("send_outcome")
    getattr(st, kind)(text)
    ui.table(table, key="send_outcome_table")

# ---------------------------------------------------------------- channels and schedule
st.subheader("发送渠道")
st.caption("在服务器的环境变量或 .streamlit/secrets.toml 中设置（见 README「发送」）；密钥只显示是否已设置。")
ui.table(views.channel_table(s).drop(columns="channel"), key="channel_table")
st.caption(views.pdf_status())
st.markdown("**定时发送**（由系统定时任务运行 `indicators send due`，见 deploy/）")
st.markdown("\n".join(f"- {line}" for line in views.schedule_lines(ui.now(), s)))

configured = channels.usable(s, CHANNELS)
with st.expander("发送测试消息", icon=":material/send:"):
    if not configured:
        st.info("还没有配置任何发送渠道。")
    else:
        test_ch = st.selectbox("渠道", configured, format_func=LABELS.get, key="test_channel")
        address = st.text_input("收件邮箱（留空发给发件人自己）", key="test_address") if test_ch == "email" else None
        if st.button("发送测试消息", key="test_send"):
            report = outbox.send_test(db, test_ch, s, ui.now(), address=(address or "").strip() or None,
                                       actor=actor)
            ok = not report.failed
            st.session_state["send_outcome"] = ("success" if ok else "error", "测试消息已发送。" if ok else
                                                "测试消息发送失败。", views.results_table(report.results))
            st.rerun()

# ---------------------------------------------------------------- send now
st.subheader("立即发送")
months = views.recent_periods(con, ui.latest_due_month())
left, mid, right = st.columns([1, 1, 2])
period = left.selectbox("数据月份", months, format_func=views.month_label, key="send_period")
what = mid.radio("内容", ["催报", "月调度材料"], key="send_what", horizontal=True,
                 help="催报：只发给仍未报齐的单位；月调度材料：通报正文，邮件附调度表、汇报幻灯片和通报 PDF")
default = channels.usable(s, s.remind_to if what == "催报" else s.pack_to)
if configured:
    chosen = right.multiselect("渠道", configured, default=default, format_func=LABELS.get, key="send_channels")
else:  # an empty multiselect says «No options to select» in English
    chosen = []
    right.caption("渠道：尚未配置任何发送渠道（见上方「发送渠道」）")


def _run(dry_run: bool):
    now = ui.now()
    if what == "催报":
        return outbox.send_reminders(db, period, chosen, s, now, actor=actor, dry_run=dry_run)
    return outbox.send_pack(db, period, chosen, s, now, actor=actor, dry_run=dry_run)


if not chosen:
    st.caption("请选择至少一个已配置的渠道。")
else:
    try:
        preview = _run(dry_run=True)
    except IndicatorsError as exc:
        st.error(str(exc))
        st.stop()
    st.markdown("\n".join(f"- {line}" for line in preview.lines))
    ui.table(views.results_table(preview.results), key="send_preview")
    st.caption("每条消息只发送一次：已发送的不会重发，失败的按退避时间自动重试。")
    pending = [r for r in preview.results if r.goes]
    ok = st.checkbox(f"确认发送以上 {len(pending)} 条消息", key=f"send_ok_{period}_{what}", disabled=not pending)
    if st.button("立即发送", type="primary", icon=":material/send:", disabled=not (ok and pending), key="send_go"):
        with st.spinner("正在发送……（月调度材料需生成附件，约需半分钟）"):
            report = _run(dry_run=False)
        st.session_state["send_outcome"] = ("error" if report.failed else "success",
                                            "部分消息发送失败，已记录，将自动重试。" if report.failed else "发送完成。",
                                            views.results_table(report.results))
        st.rerun()

# ---------------------------------------------------------------- the log
st.subheader("发送记录")
log = views.delivery_log(con, ui.now(), s)
if log.empty:
    st.caption("还没有发送记录。")
else:
    st.caption("失败、已放弃和发送中断的排在最前；失败的消息由定时任务按退避时间自动重试。")
    ui.delivery_log(log, key="delivery_log")
    again = views.resendable(log)
    if not again.empty:
        labels = {k: f"{r['类型']} {r['月份']} · {r['渠道']} → {r['收件人']} · {r['状态']}"
                  for k, r in again.set_index("key").iterrows()}
        key = st.selectbox("重新发送（下次定时运行时发出）", list(labels), format_func=labels.get, key="resend_key")
        if st.button("重新排队", key="resend_go"):
            outbox.requeue(db, actor, key, ui.now())
            st.session_state["send_outcome"] = ("success", "已重新排队，下次定时运行时发送。", views.results_table([]))
            st.rerun()
