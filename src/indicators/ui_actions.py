"""What every page that works on the data does the same way (Streamlit, beside ``ui``):

- ``working_page`` — its opening: the database, the signed-in user (allowed one of the
  page's actions), no briefing styling, the title;
- ``show_done`` — the message the page's last action left for this run;
- ``attempt`` — one of its writes: refused in one Chinese line (nothing changed), or done,
  its message kept and the page rerun (the page caches key on the data version, so what
  it shows refreshes by itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from indicators import ui
from indicators.accounts.roles import Actor
from indicators.db.connection import Connection
from indicators.errors import RejectedInput

T = TypeVar("T")


def working_page(title: str, *actions: str) -> tuple[Connection, Actor]:
    """Open a working page: its database and the signed-in user — who must be allowed
    one of ``actions`` (``ui.require``; none named: anyone signed in) — then its title."""
    con = ui.db()
    actor = ui.require(*actions) if actions else ui.actor()
    ui.apply_briefing_css(False)
    ui.page_header(title)
    return con, actor


def show_done(key: str, icon: str = "✅") -> bool:
    """Show (once) the message ``attempt`` kept under ``key``; whether there was one."""
    if key not in st.session_state:
        return False
    st.success(st.session_state.pop(key), icon=icon)
    return True


def attempt(write: Callable[[], T], key: str, done: Callable[[T], str]) -> None:
    """Run ``write``. A refusal (``RejectedInput``: permission, lock, bad input) is its
    one Chinese line; otherwise ``done(result)`` is kept under ``key`` for ``show_done``
    and the page reruns."""
    try:
        result = write()
    except RejectedInput as exc:
        st.error(str(exc), icon="⛔")
    else:
        st.session_state[key] = done(result)
        st.rerun()
