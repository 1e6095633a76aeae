"""A Streamlit client that speaks the browser's protocol, without a browser.

What Streamlit's frontend does, reduced to what a load test needs:

1. ``GET /`` — the page; through HAProxy this is where the sticky-session cookie
   (``SRV``) is set, and Streamlit sets its ``_streamlit_xsrf`` cookie;
2. a websocket to ``/_stcore/stream`` with the subprotocols ``streamlit, <xsrf token>``
   (the frontend's way of passing the token), sending those cookies;
3. a ``BackMsg`` with ``rerun_script`` (a ``ClientState``: query string, page, widget
   states) for every run — the first one creates the session's page;
4. ``ForwardMsg`` protobufs back: ``new_session``, ``delta`` (elements: an ``exception``
   element is an error shown on the page, so is an ``alert`` of format ERROR),
   ``navigation`` (the pages and their script hashes), and ``script_finished``, which
   ends the run.

A signed-out session sees only the sign-in form (``app.py``): ``sign_in`` fills it the way
the frontend does — one ``rerun_script`` carrying the two text inputs' values and the
submit button's trigger, by the widget ids the form's elements came with.

A run's time is from sending ``rerun_script`` to ``script_finished``. Used by
``bench/bench_load.py`` and by the test that the CLI works next to the running app.
"""

from __future__ import annotations

import asyncio
import http.client
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


@dataclass
class Run:
    """One script run as the browser saw it."""

    seconds: float
    elements: int = 0
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown / alert / html bodies, for checks


class Session:
    """One browser tab: ``await s.open()``, ``await s.run(query)`` …, ``await s.close()``."""

    def __init__(self, base: str, *, timeout: float = 120.0):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.pages: dict[str, str] = {}  # url path ("" for the default page) → page script hash
        self.widgets: dict[str, str] = {}  # label → widget id of the inputs and buttons the last run drew
        self._ws = None

    async def open(self) -> None:
        self.cookies = await asyncio.to_thread(_get_cookies, self.base)
        parts = urlsplit(self.base)
        scheme = "wss" if parts.scheme == "https" else "ws"
        protocols = ["streamlit"] + ([self.cookies["_streamlit_xsrf"]] if "_streamlit_xsrf" in self.cookies else [])
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await connect(f"{scheme}://{parts.netloc}/_stcore/stream", subprotocols=protocols,
                                 additional_headers={"Cookie": header} if header else None,
                                 max_size=None, open_timeout=self.timeout, ping_interval=None)

    @property
    def server(self) -> str | None:
        """Which replica HAProxy pinned this session to (its ``SRV`` cookie)."""
        return self.cookies.get("SRV")

    async def sign_in(self, login: str, password: str, query: str = "", page: str = "") -> Run:
        """Submit the sign-in form (drawn by a first run when none has run yet); the run
        that signs in goes on to the page asked for. The first session of a fresh server
        may lose its first submit (Streamlit leaves its old pages/ mode then, ``ui_data``),
        as a browser's does: the form is submitted once more before giving up loudly."""
        run = None
        for _ in range(2):
            if "登录名" not in self.widgets:  # no form drawn yet, or the lost submit's run drew none
                run = await self.run(query, page)
                if "登录名" not in self.widgets:
                    continue
            states = []
            for label, kind, value in (("登录名", "string_value", login), ("密码", "string_value", password),
                                       ("登录", "trigger_value", True)):
                state = WidgetState(id=self.widgets[label])
                setattr(state, kind, value)
                states.append(state)
            run = await self.run(query, page, widgets=states)
            if any(t.startswith("已登录：") for t in run.texts):  # the sidebar's line of a signed-in page
                return run
        raise RuntimeError(f"sign-in as {login} failed: {(run.errors or run.texts[-3:]) if run else 'no run'}")

    async def run(self, query: str = "", page: str = "", widgets: list[WidgetState] | None = None) -> Run:
        """Rerun the app with URL query ``query`` on page ``page`` (its URL path, "" for
        the default page), with ``widgets``' values, and wait for the run to finish."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = self.pages.get(page, "")
        msg.rerun_script.page_name = page
        msg.rerun_script.context_info.timezone = "Asia/Shanghai"
        msg.rerun_script.context_info.locale = "zh-CN"
        msg.rerun_script.widget_states.SetInParent()
        msg.rerun_script.widget_states.widgets.extend(widgets or [])
        started = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        run = Run(0.0)
        deadline = started + self.timeout
        while True:
            raw = await asyncio.wait_for(self._ws.recv(), timeout=max(0.1, deadline - time.perf_counter()))
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "delta":
                self._element(fm, run)
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
                self.pages.setdefault("", next((p.page_script_hash for p in fm.navigation.app_pages
                                                if p.is_default), ""))
            elif kind == "page_not_found":
                run.errors.append(f"page not found: {fm.page_not_found.page_name}")
            elif kind == "session_event" and fm.session_event.WhichOneof("type") == "script_compilation_exception":
                run.errors.append("script compilation exception")
            elif kind == "script_finished" and fm.script_finished in DONE:
                run.seconds = time.perf_counter() - started
                return run

    def _element(self, fm: ForwardMsg, run: Run) -> None:
        if fm.delta.WhichOneof("type") != "new_element":
            return
        el = fm.delta.new_element
        run.elements += 1
        what = el.WhichOneof("type")
        if what in ("text_input", "button"):
            widget = getattr(el, what)
            self.widgets[widget.label] = widget.id
        if what == "exception":
            run.errors.append(f"{el.exception.type}: {el.exception.message}")
        elif what == "alert":
            run.texts.append(el.alert.body)
            if el.alert.format == Alert.ERROR:
                run.errors.append(el.alert.body)
        elif what == "markdown":
            run.texts.append(el.markdown.body)
        elif what == "html":
            run.texts.append(el.html.body)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None


def _get_cookies(base: str) -> dict[str, str]:
    """``GET /`` and keep the cookies it sets (HAProxy's ``SRV``, Streamlit's XSRF)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET / answered {response.status}")
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {k: m.value for k, m in jar.items()}
    finally:
        conn.close()
