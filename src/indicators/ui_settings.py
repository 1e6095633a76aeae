"""The app's settings and its clock (part of ``indicators.ui``, which re-exports them):
read once per process from the environment and ``.streamlit/secrets.toml``; a bad value
stops the page with the one line that names it. Today and now come from
``indicators.clock`` (nothing else reads the wall clock)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from indicators import clock
from indicators.db import backend
from indicators.returns.limits import Limits
from indicators.rules import due
from indicators.settings import SettingError, Settings, load


@st.cache_resource(show_spinner=False)
def _settings() -> Settings:
    """Read once per process: the environment, then ``.streamlit/secrets.toml``."""
    return load(secrets=_secrets())


def _secrets() -> dict:
    if not st.secrets.load_if_toml_exists():
        return {}
    return {k: v for k, v in st.secrets.to_dict().items() if not isinstance(v, dict)}


def settings() -> Settings:
    """The app's settings; a bad value stops the page with the one line that names it."""
    try:
        return _settings()
    except SettingError as exc:
        st.error(f"{exc}请改正后重新启动。", icon="⛔")
        st.stop()


def today() -> dt.date:
    return clock.today(settings())


def limits() -> Limits:
    """What one uploaded return may cost to read (the same bounds as the CLI's)."""
    return Limits.from_settings(settings())


def now() -> dt.datetime:
    return clock.now(settings())


def latest_due_month() -> str:
    """The newest month whose return deadline has passed: what the pages open on."""
    s = settings()
    return due.latest_due_month(clock.today(s), s.deadline_day)


def db_target() -> str:
    """The database this app serves: the DuckDB file's absolute path, or the URL."""
    where = settings().db_path
    return str(where) if backend.is_postgres(where) else str(Path(where).resolve())
