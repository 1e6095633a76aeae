"""Filter values that live in the address (Streamlit, used by ``ui``): a selectbox whose
code is kept in ``?name=code`` and across page switches, the briefing toggle
(``?briefing=1``), and the notices that say a value in the address did not exist and what
is shown instead.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from contextvars import ContextVar

import streamlit as st

from indicators import views


def _url_state(name: str, options: list, default, fallback: Callable | None = None, format_func=str):
    """The value of filter ``name``: the URL wins (a bookmark or a shared link), then what
    this session chose on another page, then ``default``. A URL value that does not exist
    (``?month=2030-01``, ``?unit=NOPE``) is replaced by ``fallback(value)`` → (value,
    notice) or the default, with a visible Chinese notice; the URL is then corrected."""
    q = st.query_params.get(name)
    if q is not None and q in options:
        value = q
    elif q is not None and options:
        value, notice = fallback(q) if fallback else (None, None)
        if value not in options:
            value = default
        if notice is None:
            notice = views.unknown_in_url(name, q[:40], format_func(value) if value is not None else None)
        _url_notices().append(notice)
        if _NOTICE_SLOT.get() is not None:  # the page header is drawn already: show it there
            _show_notice(_NOTICE_SLOT.get(), notice)
    elif st.session_state.get(f"_f_{name}") in options:
        value = st.session_state[f"_f_{name}"]
    else:
        value = default
    st.session_state[f"_f_{name}"] = value
    return value


def _url_notices() -> list[str]:
    """This run's notices about URL values that do not exist (``page_header`` shows them)."""
    return st.session_state.setdefault("_url_notices", [])  # emptied by script_run


def _write_url(name: str, value, default) -> None:
    if value is None or value == default:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != str(value):
        st.query_params[name] = str(value)


def _on_change(name: str, default) -> None:
    value = st.session_state[f"w_{name}"]
    st.session_state[f"_f_{name}"] = value
    _write_url(name, value, default)


def synced_selectbox(label: str, name: str, options: list, *, format_func=str, help: str | None = None,
                     placeholder: str = "暂无", default=None, fallback: Callable | None = None):
    """A selectbox whose value lives in ``?name=code`` and survives page switches.
    Streamlit's own ``bind="query-params"`` writes the displayed label into the URL; the
    dispatch URLs carry codes (``?month=2026-10&unit=330106&ind=RD01``). ``default``
    (else the first option) is what a URL without ``name`` means."""
    default = default if default in options else (options[0] if options else None)
    value = _url_state(name, options, default, fallback, format_func)
    st.session_state[f"w_{name}"] = value
    st.selectbox(label, options, key=f"w_{name}", format_func=format_func, help=help, placeholder=placeholder,
                 on_change=_on_change, args=(name, default))
    _write_url(name, value, default)
    return value


def _briefing_state() -> bool:
    """``?briefing=1`` wins; otherwise the session remembers the toggle across pages."""
    q = st.query_params.get("briefing")
    if q is not None:
        st.session_state["_f_briefing"] = q in ("1", "true", "True")
    on = bool(st.session_state.get("_f_briefing", False))
    _write_url("briefing", "1" if on else None, None)
    return on


def _set_briefing() -> None:
    on = bool(st.session_state.get("w_briefing"))
    st.session_state["_f_briefing"] = on
    _write_url("briefing", "1" if on else None, None)


# where this run's page header put URL notices (a page filter chosen after the header)
_NOTICE_SLOT: ContextVar[object] = ContextVar("indicators_notice_slot", default=None)


def _show_notice(where, notice: str) -> None:
    where.html(f'<div class="url-notice">⚠️ {html.escape(notice)}</div>')


def url_notices() -> None:
    """Say which URL values did not exist and what is shown instead (the URL is corrected)."""
    slot = st.container()
    _NOTICE_SLOT.set(slot)
    for notice in _url_notices():
        _show_notice(slot, notice)


def briefing_on() -> bool:
    return bool(st.session_state.get("_f_briefing", False))
