"""Real-browser fixtures: a demo database made by the CLI, the app served as users get it
(`streamlit run serve.py`, with the session-cookie routes) on a free localhost port, and
Debian's chromium driven by Playwright; ``page`` is signed in as the demo's 管理员,
``signed_out`` is a fresh browser. The helpers that wait on the app's state and sign in
are in waiting.py.

Without chromium the browser tests skip — except in CI (the one rule: ``need`` in
tests/needs.py and the hook in tests/conftest.py).
The app and the CLI live on the suite's day (``INDICATORS_TODAY``, tests/testdate.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from apps import BIN, ROOT, free_port, server_output, start_app, stop_app, wait_healthy
from needs import need
from waiting import PATIENCE, sign_in

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _need_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"chromium ({CHROMIUM})")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright")
    if missing:
        need("浏览器测试需要：" + "、".join(missing))


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    """The demo city, made the way a newcomer makes it: `indicators init --demo`."""
    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    cli = shutil.which("indicators", path=str(BIN)) or "indicators"
    subprocess.run([cli, "init", "--demo", "--db", str(path)], check=True, capture_output=True, timeout=300)
    return path


@pytest.fixture(scope="session")
def app_url(demo_db_file):
    _need_browser()
    port = free_port()
    env = {**os.environ, "INDICATORS_DB": str(demo_db_file)}
    proc = start_app(ROOT / "serve.py", env, port)
    url = f"http://127.0.0.1:{port}"
    _SERVERS[url] = proc
    try:
        wait_healthy(proc, url)
        yield url
    finally:
        _SERVERS.pop(url, None)
        stop_app(proc)


_SERVERS: dict = {}  # url → the server process, for the failure report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A browser test that fails says what the browser showed — the address, the page's
    text and a screenshot (tests/artifacts/failures/) — and the end of the server's output:
    a failure on CI (a wait that timed out) can be understood from its log alone."""
    report = yield
    if report.when == "call" and report.failed:
        for value in item.funcargs.values():
            for pg in (value if isinstance(value, tuple) else (value,)):
                if hasattr(pg, "screenshot") and hasattr(pg, "context"):
                    report.sections.append(("browser at failure", _browser_state(pg, item.name)))
        for url, proc in _SERVERS.items():
            report.sections.append((f"server output ({url})", server_output(proc, 6000)))
    return report


def _browser_state(pg, name: str) -> str:
    try:
        shot = ARTIFACTS / "failures" / (re.sub(r"[^\w.-]+", "_", name) + ".png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(shot), timeout=10_000)
        text = pg.inner_text("body", timeout=10_000)
        app = pg.evaluate("() => { const a = document.querySelector('[data-testid=\"stApp\"]'); return a ? "
                          "a.getAttribute('data-test-connection-state') + ' / ' + a.getAttribute('data-test-script-state')"
                          " : 'no stApp' }")
        cookies = [c["name"] for c in pg.context.cookies()]
        return f"url {pg.url}\napp {app}\ncookies {cookies}\nscreenshot {shot}\n--- page text ---\n{text[:4000]}"
    except Exception as e:  # the browser itself may be what failed
        return f"(could not read the browser: {e!r})"


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_page(browser, **kw):
    from playwright.sync_api import expect
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN", device_scale_factor=1,
                                  **kw)
    context.set_default_timeout(PATIENCE)  # upper bounds for waits on state (waiting.py)
    expect.set_options(timeout=PATIENCE)
    return context, context.new_page()


@pytest.fixture
def signed_out(browser):
    """A browser that has never signed in."""
    context, pg = new_page(browser)
    yield pg
    context.close()


@pytest.fixture
def page(browser, app_url):
    """A browser signed in as the demo's 管理员 (its session cookie keeps it signed in
    across ``goto``)."""
    context, pg = new_page(browser)
    sign_in(pg, app_url, "admin")
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

