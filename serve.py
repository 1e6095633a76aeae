"""The web app as served: Streamlit's own server (Starlette, Streamlit ≥ 1.67) running
``app.py``, plus the two routes that set and clear the HttpOnly session cookie
(``indicators.accounts.routes``), and ``ui_chrome.FlatPaths`` for nested addresses.
Start it with ``streamlit run serve.py`` (``python3 dev.py app`` does); ``streamlit run app.py``
still works, but a browser reload then signs the user out.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from indicators.accounts.routes import ROUTES
from indicators.ui_chrome import FlatPaths

# FlatPaths: a nested address (/a/b) goes to its first part, where the router answers in
# Chinese; Streamlit alone would serve a blank page there
app = st.App(str(Path(__file__).resolve().parent / "app.py"), routes=ROUTES, middleware=[Middleware(FlatPaths)])
