"""页面不存在 — what an address that is no page shows (the router serves it hidden, at
that address), in place of Streamlit's English dialog."""

import streamlit as st

from indicators import ui, ui_chrome

ui.apply_briefing_css(False)
ui.page_header("页面不存在")
st.warning(ui_chrome.not_found_notice(ui_chrome.requested_page_name().strip("/")), icon="⚠️")
st.page_link("pages/overview.py", label="打开调度总览", icon=":material/dashboard:")
