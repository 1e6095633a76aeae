"""Real-browser fixtures: a demo database made by the CLI, the app served by
`streamlit run` on a free localhost port, and Debian's chromium driven by Playwright;
the helpers that wait on the app's state are in waiting.py.

Without chromium the browser tests skip — except in CI (the one rule: ``need`` in
tests/needs.py and the hook in tests/conftest.py).
The app and the CLI live on the suite's day (``INDICATORS_TODAY``, tests/testdate.py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from needs import need
from waiting import PATIENCE

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
BIN = Path(sys.executable).parent


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    """The demo city, made the way a newcomer makes it: `indicators init --demo`."""
    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    cli = shutil.which("indicators", path=str(BIN)) or "indicators"
    subprocess.run([cli, "init", "--demo", "--db", str(path)], check=True, capture_output=True, timeout=300)
    return path


def start_app(script: Path, env: dict, port: int) -> subprocess.Popen:
    cmd = [str(BIN / "streamlit"), "run", str(script), "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    return subprocess.Popen(cmd, cwd=str(ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_healthy(proc: subprocess.Popen, url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("streamlit exited:\n" + proc.stdout.read().decode(errors="replace"))
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} not healthy after {timeout}s")


def stop_app(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the group we started (start_new_session)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def app_url(demo_db_file):
    _need_browser()
    port = free_port()
    env = {**os.environ, "INDICATORS_DB": str(demo_db_file)}
    proc = start_app(ROOT / "app.py", env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, url)
        yield url
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN", device_scale_factor=1)
    context.set_default_timeout(PATIENCE)  # upper bounds for waits on state (waiting.py)
    expect.set_options(timeout=PATIENCE)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

