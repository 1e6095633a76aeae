"""The web app as served: Streamlit's own server (Starlette, Streamlit ≥ 1.67) running
``app.py``, plus the two routes that set and clear the HttpOnly session cookie
(``indicators.accounts.routes``). Start it with ``streamlit run serve.py`` (``python3 dev.py app``
does); ``streamlit run app.py`` still works, but a browser reload then signs the user out.
"""

from pathlib import Path

import streamlit as st

from indicators.accounts.routes import ROUTES

app = st.App(str(Path(__file__).resolve().parent / "app.py"), routes=ROUTES)
