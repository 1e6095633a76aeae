"""页面不存在 — what an address that is no page shows (the router serves it hidden, at
that address), in place of Streamlit's English dialog."""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from indicators import ui, ui_chrome
from indicators.safe_text import md_text

ui.apply_briefing_css(False)
ui.page_header("页面不存在")
st.warning(md_text(ui_chrome.not_found_notice(ui_chrome.requested_page_name().strip("/"))), icon="⚠️")
try:
    st.page_link("pages/overview.py", label="打开调度总览", icon=":material/dashboard:")
except StreamlitPageNotFoundError:  # the page run on its own, without the router
    st.markdown("[打开调度总览](./)")
